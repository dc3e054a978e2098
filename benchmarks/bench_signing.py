"""The signing page on a phone: load time and page weight (ECMR issue: under 300 ms on
this machine, under 150 KB).

    .venv/bin/python benchmarks/bench_signing.py [--loads 20]

Serves the app (SQLite in a temporary folder) on a local port, opens a signing link in
Debian's Chromium with a 390×844 phone viewport and a cold cache each time, and prints
the median and 95th percentile of the time to the load event (Navigation Timing) and
the bytes of every response the page needed (HTML, CSS, scripts)."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmr_app import create_app  # noqa: E402


def seed(app) -> str:
    from flask_migrate import upgrade
    from cmr_app.extensions import db
    from cmr_app.models import User
    from cmr_app.services import accounts, documents, signatures
    from cmr_app.services.catalogue import sync_default_catalogue
    with app.app_context():
        upgrade()
        sync_default_catalogue()
    with app.test_request_context():
        owner = accounts.register("bench@example.com", "benchmark-1", "Bench", plan_code="pro", send_activation=False)
        accounts.mark_verified(owner)
        user = db.session.get(User, owner.id)
        doc = documents.issue_document(user, {
            "sender": {"name": "Meble Kowalski", "city": "Poznań", "country": "PL"},
            "consignee": {"name": "Möbelhaus Schäfer", "city": "Berlin", "country": "DE"},
            "place_of_delivery": {"city": "Berlin", "country": "DE"},
            "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
            "carrier": {"name": "Trans-Pol", "country": "PL", "vehicle_registration": "PO 12345 / PO 6789A"},
            "goods": [{"packages": 33, "packing": "EUR pallet", "nature": "Furniture", "gross_weight_kg": "12400.5"}]
            * 5})
        link = signatures.create_link(user, doc, "carrier")
        return "/s/" + link.token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "BASE_URL": "http://127.0.0.1"})
    path = seed(app)
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{path}"

    from playwright.sync_api import sync_playwright
    times, weights, ttfb = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for i in range(args.loads + 2):
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            page = context.new_page()
            sizes: list[int] = []
            page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
            page.goto(url, wait_until="load")
            nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
            took = nav["loadEventEnd"]
            ttfb.append(nav["responseStart"] - nav["requestStart"])
            if i >= 2:  # the first loads warm the server (templates, imports)
                times.append(took)
                weights.append(sum(sizes))
            context.close()
        browser.close()
    server.shutdown()
    times.sort()
    print(f"signing page, phone viewport, cold cache, {args.loads} loads")
    print(f"load event: median {statistics.median(times):.0f} ms, p95 {times[int(len(times) * 0.95) - 1]:.0f} ms"
          " (target < 300 ms)")
    print(f"server time to first byte: median {statistics.median(ttfb[2:]):.0f} ms")
    print(f"page weight: {max(weights) / 1024:.1f} KB (target < 150 KB)")


if __name__ == "__main__":
    main()
