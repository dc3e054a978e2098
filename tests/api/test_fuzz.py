"""Thousands of random bodies at every writable endpoint of the API (listed from the app's
url_map, so a new endpoint is covered without touching this file) and random posts to the
main HTML forms: nothing answers 5xx, and every 4xx of the API carries the error object.

The generator is seeded (CMR_FUZZ_SEED to replay a failure) and bounded in count and time."""
from __future__ import annotations

import json
import os
import random
import time
from urllib.parse import quote

import pytest

from tests.conftest import sample_document
from tests.web.webhelpers import cmr_form

SEED = int(os.environ.get("CMR_FUZZ_SEED", "20261201"))
# A fixed number of cases, not a time budget: a loaded machine runs the same cases, slower.
API_BODIES = 1200
FORM_POSTS = 150
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

NASTY_STRINGS = ["", " ", "\x00", "a\x00b", "\x1b[31m", "\u202egnp.exe", "\u2066x\u2069", "\ud800", "\udfff",
                 "\r\n", "line\nbreak", "\t", "\x7f", "\x85", "\u2028", "\ufeff", "💥" * 50, "Zażółć gęślą jaźń",
                 "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "%s%n", "../../etc/passwd",
                 "1e309", "NaN", "-0", "0x10", "12,5", "1" * 400, "9" * 5000, "2026-02-30", "PL", "pl,en,de",
                 "null", "true", "[]", "{}"]
NASTY_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 0.1, 1e308, -1e-308, 3.14159265358979,
                 float("inf"), float("-inf"), float("nan")]


class Fuzzer:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def string(self) -> str:
        r = self.random.random()
        if r < 0.45:
            return self.random.choice(NASTY_STRINGS)
        if r < 0.55:
            return self.random.choice("ax\x00\n") * self.random.choice([1000, 5000, 70_000])
        length = self.random.randint(0, 40)
        alphabet = [chr(self.random.randint(0, 0x2FF)) for _ in range(8)] + list("abc 123-./@")
        return "".join(self.random.choice(alphabet) for _ in range(length))

    def scalar(self):
        return self.random.choice([
            lambda: self.string(), lambda: self.random.choice(NASTY_NUMBERS),
            lambda: self.random.randint(-10**6, 10**6), lambda: str(self.random.randint(-10**6, 10**6)),
            lambda: self.random.choice([True, False, None]),
            lambda: str(self.random.uniform(-1e4, 1e4)),
        ])()

    def value(self, depth: int = 0):
        r = self.random.random()
        if depth > 22 or r < 0.55:
            return self.scalar()
        if r < 0.78:
            return {self.key(): self.value(depth + 1) for _ in range(self.random.randint(0, 5))}
        return [self.value(depth + 1) for _ in range(self.random.randint(0, 5))]

    def key(self) -> str:
        return self.random.choice(["name", "goods", "sender", "languages", "copies", "status", "plan",
                                   "enabled", "to", "invoice", "period_months", "adr", "class", "0",
                                   "", "\x00", "über", "x" * 300]) if self.random.random() < 0.7 else self.string()

    def mutate(self, data):
        """A valid body with a few values swapped for random ones: gets past the first checks."""
        data = json.loads(json.dumps(data))
        for _ in range(self.random.randint(1, 4)):
            node, path = data, []
            while isinstance(node, (dict, list)) and node and self.random.random() < 0.7:
                key = self.random.choice(list(node) if isinstance(node, dict) else range(len(node)))
                path.append((node, key))
                node = node[key]
            if path:
                parent, key = path[-1]
                parent[key] = self.value(len(path))
            elif isinstance(data, dict):
                data[self.key()] = self.value(1)
        return data

    def body(self, seed_body) -> tuple[bytes, str]:
        r = self.random.random()
        if r < 0.05:  # not JSON at all, or JSON of the wrong shape, or deeply nested
            raw = self.random.choice([b"{not json", b"", b"\x00\xff\xfe", b"[1,2]", b'"text"', b"null",
                                      b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000])
            return raw, self.random.choice(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        data = self.mutate(seed_body) if r < 0.7 and seed_body else self.value()
        return json.dumps(data, ensure_ascii=self.random.random() < 0.5).encode("utf-8", "surrogatepass"), \
            "application/json"


def writable_api_rules(app):
    return sorted(((rule, method) for rule in app.url_map.iter_rules()
                   if rule.endpoint.startswith("api.") for method in rule.methods & WRITE_METHODS),
                  key=lambda item: (item[0].rule, item[1]))


def valid_body(rule: str) -> dict:
    """A body the endpoint would accept, to mutate; {} for endpoints this file has not met."""
    if rule.endswith("/documents") or "/documents/<doc_id>" == rule[-len("/documents/<doc_id>"):]:
        return sample_document()
    if rule.endswith("/email"):
        return {"to": ["office@example.com"]}
    if "/clients" in rule or "/carriers" in rule:
        return {"name": "Trans-Pol", "city": "Poznań", "country": "PL", "tax_id": "7010847517",
                "vehicle_registration": "PO 1234"}
    if "/products" in rule:
        return {"name": "Paint", "nature": "Paint", "packages": 4, "gross_weight_kg": "800",
                "adr": {"class": "3", "un_number": "1263", "packing_group": "II"}}
    if rule.endswith("/orders"):
        return {"plan": "standard", "period_months": 12, "payment_method": "transfer",
                "invoice": {"name": "Spedycja", "address": "ul. Portowa 1", "postal_code": "81-001",
                            "city": "Gdynia", "country": "PL", "tax_id": "7010847517"}}
    if rule.endswith("/plan"):
        return {"plan": "pro"}
    if rule.endswith("/features/<key>") or rule.endswith("/auto-renew"):
        return {"enabled": True}
    return {}


def assert_error_object(response, what: str):
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), what
    assert isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str), what
    assert isinstance(body["error"].get("details"), dict), what


def test_random_bodies_at_every_writable_api_endpoint(app, api):
    fuzz = Fuzzer(SEED)
    rules = writable_api_rules(app)
    assert len(rules) >= 15  # the documented write endpoints are all found
    seeds = {"clients": {"name": "Klient"}, "carriers": {"name": "Przewoźnik"}, "products": {"name": "Towar"},
             "documents": sample_document()}
    ids = {kind: api.post(f"/{kind}", json=body).get_json()["id"] for kind, body in seeds.items()}

    def path_for(rule) -> str:
        path = rule.rule
        for arg in rule.arguments:
            r = fuzz.random.random()
            if arg == "key":
                value = fuzz.random.choice(["templates", "email_documents", "company_logo", "nothing"])
            else:
                value = next((str(ids[k]) for k in ids if f"/{k}/" in path), "1")
            if r < 0.3:
                value = fuzz.random.choice(["0", "-1", "99999999999999999999", "abc", "1.5", "%00", "%E2%80%AE",
                                            "%ud800", quote(fuzz.string()[:50].encode("utf-8", "surrogatepass"), safe="") or "x"])
            path = path.replace(f"<{arg}>", value)
        return path

    started, sent, statuses = time.monotonic(), 0, {}
    while sent < API_BODIES:
        rule, method = fuzz.random.choice(rules)
        data, content_type = fuzz.body(valid_body(rule.rule))
        path = path_for(rule)
        headers = {"Authorization": f"Bearer {api.token}", "Content-Type": content_type}
        if fuzz.random.random() < 0.05:
            headers["Idempotency-Key"] = "".join(
                c for c in fuzz.string() * 3 if " " <= c <= "~")[:fuzz.random.choice([20, 300])] or "k"
        try:
            response = api.client.open(path, method=method, data=data, headers=headers)
        except UnicodeEncodeError:  # the test client cannot send this header at all; nor could a browser
            continue
        sent += 1
        if method == "DELETE" and response.status_code == 204:  # keep something to aim at
            for kind in ids:
                if f"/{kind}/" in rule.rule:
                    ids[kind] = api.post(f"/{kind}", json=seeds[kind]).get_json()["id"]
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        what = f"{method} {path} {data[:300]!r} -> {response.status_code} (seed {SEED}, request {sent})"
        assert response.status_code < 500, what
        if response.status_code >= 400:
            assert_error_object(response, what)
    print(f"\n{sent} bodies in {time.monotonic() - started:.1f}s: {sorted(statuses.items())}")
    assert any(400 <= s < 500 for s in statuses) and any(s < 300 for s in statuses), statuses


@pytest.fixture
def signed_in(client, make_account):
    owner = make_account(company="Spedycja Test")
    assert client.post("/login", data={"email": owner.email, "password": owner.password}).status_code == 302
    return owner


def test_random_posts_to_the_main_html_forms(app, client, signed_in):
    fuzz = Fuzzer(SEED + 1)
    forms = {
        "/documents/new": cmr_form(),
        "/book/clients/new": {"name": "Klient", "city": "Poznań", "country": "PL", "tax_id": ""},
        "/book/products/new": {"name": "Towar", "packages": "4", "gross_weight_kg": "800,5", "adr.class": "3"},
        "/settings/company": {"name": "Spedycja Test", "country": "PL", "timezone": "Europe/Warsaw",
                              "default_languages.0": "pl", "print_offset_x_mm": "0", "print_offset_y_mm": "0"},
        "/settings/users/invite": {"email": "kolega@example.com", "role": "editor"},
        "/settings/tokens": {"name": "Integracja"},
        "/register": {"email": "nowy@example.com", "password": "bezpieczne-1", "company": "Nowa", "accept_terms": "y"},
    }
    started, sent = time.monotonic(), 0
    while sent < FORM_POSTS:
        path, form = fuzz.random.choice(list(forms.items()))
        data = dict(form)
        for _ in range(fuzz.random.randint(1, 5)):
            key = fuzz.random.choice(list(data)) if fuzz.random.random() < 0.8 else fuzz.random.choice(
                ["goods.7.nature", "goods.x.y", "charges.99.label", "a..b", "goods.0.adr.class.deeper.still",
                 fuzz.string()[:40] or "k"])
            value = fuzz.scalar()
            data[key] = value if isinstance(value, str) else json.dumps(value)
        try:
            response = client.post(path, data=data)
        except UnicodeEncodeError:
            continue
        sent += 1
        assert response.status_code < 500, f"POST {path} {data!r:.500} -> {response.status_code} (seed {SEED})"
