"""The CMR form's picker lookup over 100,000 clients in one company (issue 13 item 1): what
a clerk waits for after each keystroke.

    .venv/bin/python benchmarks/bench_lookup.py [--database-url URL] [--clients 100000] [--rounds 20]

Seeds the clients (SQLAlchemy core, in batches; the search indexes are kept as usual),
one document naming one of them as consignee, then times GET /documents/lookup/clients
through the app for queries a clerk types: a name's first letters (few and many
matches), one letter, nothing (the picker opened by a click), a city and a number, a tax
id, a word found nowhere, and the same with role=consignee. Prints p50 and p95 per query
and over all. Default database: a fresh SQLite file; pass a PostgreSQL URL to measure
there (the database must exist and be empty; it is migrated)."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from cmr_app import clock, create_app  # noqa: E402
from cmr_app.extensions import db  # noqa: E402
from cmr_app.services.search import fold  # noqa: E402

CITIES = (("Poznań", "PL"), ("Berlin", "DE"), ("Łódź", "PL"), ("Utrecht", "NL"), ("Wien", "AT"))
QUERIES = ("kowal", "klient 0421", "k", "", "łódź 04217", "7000031337", "nobody-by-this-name")
PASSWORD = "benchmark-pass-1"


def seed(company_id: int, count: int) -> None:
    from cmr_app.models import Client
    now = clock.now()
    named = {7: "Zakłady Mięsne Kowalski", count // 2: "Kowalski i Syn", count - 10: "Meble Kowalski Sp. z o.o."}
    for start in range(0, count, 10_000):
        rows = []
        for i in range(start, min(start + 10_000, count)):
            name = named.get(i, f"Klient {i:06d}")
            city, country = CITIES[i % len(CITIES)]
            tax_id, address, postal = f"{7000000000 + i}", f"ul. Długa {i % 300 + 1}", f"{i % 100:02d}-100"
            rows.append({"company_id": company_id, "name": name, "address": address, "postal_code": postal,
                         "city": city, "country": country, "tax_id": tax_id, "email": "", "phone": "",
                         "created_at": now, "search_text": fold(name, city, country, tax_id, address, postal)})
        db.session.execute(insert(Client), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after a big import
        db.session.execute(text("ANALYZE clients"))
        db.session.commit()


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="lookups per query (after one warm-up)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"DATABASE_URL": url, "MAIL_URL": "file://" + tempfile.mkdtemp(), "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from cmr_app.services.catalogue import sync_default_catalogue
        sync_default_catalogue()
    from cmr_app.services import accounts, documents
    with app.test_request_context():
        user = accounts.register("bench-lookup@example.com", PASSWORD, "Bench", plan_code="pro",
                                 send_activation=False)
        accounts.mark_verified(user)
        started = time.perf_counter()
        seed(user.company_id, args.clients)
        print(f"database: {url.split('://')[0]}; {args.clients:,} clients seeded in "
              f"{time.perf_counter() - started:.1f} s")
        documents.issue_document(user, {
            "sender": {"name": "Meble Kowalski Sp. z o.o.", "country": "PL"},
            "consignee": {"name": "Klient 000003", "city": "Wien", "country": "AT"},
            "place_of_delivery": {"city": "Graz", "country": "AT"},
            "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
            "goods": [{"packages": 1, "nature": "Furniture", "gross_weight_kg": "100"}],
            "languages": ["pl", "de"], "copies": 4})
    client = app.test_client()
    response = client.post("/login", data={"email": "bench-lookup@example.com", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    every: list[float] = []
    times = []
    for n in range(args.rounds + 1):  # what any signed-in request costs, for comparison
        started = time.perf_counter()
        assert client.get("/documents/lookup/products?q=x").status_code == 200
        times.append(time.perf_counter() - started)
    print(f"an empty product lookup (the request alone): p50 {percentile(times[1:], .5):.2f} ms")
    for role in ("", "consignee"):
        for q in QUERIES:
            path = "/documents/lookup/clients"
            params = {"q": q, **({"role": role} if role else {})}
            times = []
            for n in range(args.rounds + 1):
                started = time.perf_counter()
                response = client.get(path, query_string=params)
                took = time.perf_counter() - started
                assert response.status_code == 200, response.get_data(as_text=True)[:200]
                if n:
                    times.append(took)
            every += times
            found = len(response.get_json()["items"])
            print(f"q={q!r:24} {('role=' + role) if role else '':15} {found:2} found  "
                  f"p50 {percentile(times, .5):7.2f} ms  p95 {percentile(times, .95):7.2f} ms")
    print(f"all lookups: p50 {percentile(every, .5):.2f} ms, p95 {percentile(every, .95):.2f} ms, "
          f"mean {statistics.mean(every) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
