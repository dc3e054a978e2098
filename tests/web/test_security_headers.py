"""Security headers (ASVS V14.4): a Content-Security-Policy without inline script on every
page, no framing, nosniff, a Referrer-Policy, HSTS only on https, and no copy of a
company's data kept by any cache (signed-in pages, API answers, billing PDFs)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine

from tests.billing.conftest import INVOICE_PL
from tests.conftest import sample_document

TEMPLATES = Path(__file__).resolve().parents[2] / "cmr_app" / "templates"


def csp(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def assert_html_protected(response):
    policy = csp(response)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_public_pages_have_the_policy_and_may_be_cached(client, api):
    for path in ("/login", "/register", "/pricing", "/password/forgot"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_html_protected(response)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        assert "Strict-Transport-Security" not in response.headers  # BASE_URL is http here
    doc = api.post("/documents", json=sample_document()).get_json()
    driver = client.get(doc["public_url"].replace("http://cmr.test", ""))
    assert_html_protected(driver)
    assert_html_protected(client.get("/no-such-page"))


def test_signed_in_pages_are_never_stored(client, owner):
    for path in ("/documents", "/documents/new", "/book/clients", "/book/clients/new", "/settings",
                 "/documents/templates"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_html_protected(response)
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_every_api_answer_is_never_stored(api, client):
    created = api.post("/documents", json=sample_document())
    for response in (created, api.get("/documents"), api.get("/account"), api.get("/nothing"),
                     api.get(f"/documents/{created.get_json()['id']}/pdf"),
                     client.get("/api/v1/documents")):
        assert response.headers["Cache-Control"] == "private, no-store", response.status_code
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_billing_pdfs_are_never_stored(make_account, api_for, client):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        owner_api = api_for(make_account(plan="free"))
        assert owner_api.post("/orders", json={"plan": "standard", "period_months": 12,
                                               "invoice": INVOICE_PL}).status_code == 201
    [proforma] = owner_api.get("/invoices").get_json()["items"]
    response = client.get(proforma["pdf_url"].replace("http://cmr.test", ""))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("base_url, hsts", [("https://cmr.example", True), ("http://cmr.test", False)])
def test_hsts_only_when_the_site_is_https(app_config, base_url, hsts):
    from cmr_app import create_app
    app = create_app({**app_config, "BASE_URL": base_url})
    response = app.test_client().get("/login")
    assert ("Strict-Transport-Security" in response.headers) is hsts
    if hsts:
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_no_template_carries_inline_script_or_style():
    """The policy forbids them; a template that slipped one in would break in the browser."""
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            attrs, body = match.groups()
            if body.strip() and 'type="application/json"' not in attrs:
                problems.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            problems.append(f"{path.name}: on* handler")
        if re.search(r"\sstyle\s*=|<style\b", text):
            problems.append(f"{path.name}: inline style")
        if "javascript:" in text:
            problems.append(f"{path.name}: javascript: URL")
    assert problems == []


def test_static_files_stay_cacheable_for_a_signed_in_user(client, owner):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
