"""Saving a document costs the same with 100 and with 100,000 documents in the company:
the quota check is one guarded UPDATE of a counter row, never a COUNT over documents.

    .venv/bin/python benchmarks/bench_quota.py [--database-url URL] [--saves 300]

Prints the median save time with 100 and with 100,000 existing documents and the ratio
(target ≤ 1.15). Default database: a fresh SQLite file; pass a PostgreSQL URL to measure
there (the database must exist and be empty; it is migrated)."""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from cmr_app import clock, create_app  # noqa: E402
from cmr_app.extensions import db  # noqa: E402
from cmr_app.models import Document, User  # noqa: E402

PAYLOAD = {"sender": {"name": "Meble Kowalski", "city": "Poznań", "country": "PL"},
           "consignee": {"name": "Möbelhaus Schäfer", "city": "Berlin", "country": "DE"},
           "place_of_delivery": {"city": "Berlin", "country": "DE"},
           "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
           "goods": [{"packages": 33, "packing": "EUR pallet", "nature": "Furniture", "gross_weight_kg": "12400.5"}],
           "languages": ["pl", "de", "en"], "copies": 4}


def seed(company_id: int, user_id: int, count: int) -> None:
    """Bulk-inserts `count` old documents (earlier months, so this month's quota is free)."""
    now = clock.now() - timedelta(days=400)
    rows = [{"company_id": company_id, "number": f"OLD/{i}", "status": "issued", "data": PAYLOAD,
             "public_token": secrets.token_urlsafe(32), "fingerprint": "0" * 12,
             "issued_on": now.date(), "search_text": f"old/{i} meble kowalski poznań",
             "created_by_id": user_id, "created_at": now, "updated_at": now} for i in range(count)]
    for start in range(0, count, 5000):
        db.session.execute(insert(Document), rows[start:start + 5000])
    db.session.commit()


def measure(app, existing: int, saves: int) -> float:
    from cmr_app.services import accounts, documents
    with app.test_request_context():
        user = accounts.register(f"bench-{existing}-{secrets.token_hex(3)}@example.com", "benchmark-1",
                                 "Bench", plan_code="pro", send_activation=False)
        user_id, company_id = user.id, user.company_id
        seed(company_id, user_id, existing)
    times = []
    with app.test_request_context():
        user = db.session.get(User, user_id)
        for _ in range(saves):
            started = time.perf_counter()
            documents.issue_document(user, PAYLOAD)
            times.append(time.perf_counter() - started)
    return statistics.median(times[saves // 10:]) * 1000  # skip the warm-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--saves", type=int, default=300, help="at most 2000: Pro's monthly limit")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"DATABASE_URL": url, "MAIL_URL": "file://" + tempfile.mkdtemp()})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from cmr_app.services.catalogue import sync_default_catalogue
        sync_default_catalogue()
    print(f"database: {url.split('://')[0]}")
    small = measure(app, 100, args.saves)
    print(f"save with     100 documents: median {small:.2f} ms")
    large = measure(app, 100_000, args.saves)
    print(f"save with 100,000 documents: median {large:.2f} ms")
    print(f"ratio: {large / small:.2f} (target <= 1.15)")


if __name__ == "__main__":
    main()
