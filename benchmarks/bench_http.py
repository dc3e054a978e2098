"""Speed over HTTP, side by side in one run (issue 11): the app under its production server
(serve.sh: gunicorn) on PostgreSQL with 100,000 documents in one company, a hello-world
Flask app under the same server (the ceiling), and a naive reportlab Flask app that
renders a CMR-like PDF on every request (the peer).

    .venv/bin/python benchmarks/bench_http.py [--database-url URL] [--documents 100000]
        [--duration 10] [--rounds 5] [--concurrency 8] [--workers 2] [--redis-url URL [--issued 2000]]

Needs `hey` (Debian: `apt-get install -y hey`) and a PostgreSQL server (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres): a fresh database is made there
for the run and dropped after it (--keep keeps it). Prints requests per second and the
95th percentile latency of each case, and the issue's targets as ratios:
the same PDF again >= 3x the naive peer; first renders of distinct documents >= 1.5x the
naive peer; list and search p95 <= 50 ms; issuing >= 5% of the hello-world ceiling.

The cases compared as ratios (the ceiling, the peer and the PDFs) are measured in turns,
each `--rounds` times for a share of `--duration`: on a machine shared with others, whose
speed drifts within minutes, one case measured a minute after another compared the drift
as much as the servers.

Loads are driven by hey, except "first downloads of distinct documents" (each request a
different document, which hey cannot do): those, and the naive peer they are compared
with, are driven by a small threaded client in this script.

First downloads come in two kinds. "True cold renders" fetch documents bulk-inserted
into the database, whose PDF nobody has drawn: every request renders. With --redis-url
(a Redis database of the run's own: it is emptied) the app runs as in production, with
Redis and an RQ worker beside it: `--issued` documents are then issued through the API
(POST, the worker rendering each one's PDF as it is issued, as the issue allows), the
run waits for the worker to finish, and "first downloads of documents issued through the
API" fetches each of them once; that figure is the one compared with the 1.5x target.
Without --redis-url there is no worker and the cold renders are compared."""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELLO_APP = '''
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "Hello, World!"
'''

# A CMR-like page drawn with reportlab on every request, as a first attempt would: the
# same font, four copies, the boxes and their labels in three languages and the data.
NAIVE_APP = '''
import io
from flask import Flask, Response
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(TTFont("DejaVu", %(font)r))
app = Flask(__name__)
LABELS = ["Nadawca / Sender / Absender", "Odbiorca / Consignee / Empfänger",
          "Miejsce przeznaczenia / Place of delivery / Auslieferungsort",
          "Miejsce i data załadowania / Place and date of taking over / Ort und Tag der Übernahme",
          "Załączone dokumenty / Documents attached / Beigefügte Dokumente",
          "Cechy i numery / Marks and Nos / Kennzeichen und Nummern", "Ilość sztuk / Number of packages / Anzahl",
          "Sposób opakowania / Method of packing / Art der Verpackung",
          "Rodzaj towaru / Nature of the goods / Bezeichnung des Gutes",
          "Waga brutto / Gross weight / Bruttogewicht", "Objętość / Volume / Umfang",
          "Instrukcje nadawcy / Sender's instructions / Anweisungen des Absenders",
          "Przewoźnik / Carrier / Frachtführer", "Kolejni przewoźnicy / Successive carriers / Nachfolgende Frachtführer",
          "Zastrzeżenia / Carrier's reservations / Vorbehalte", "Postanowienia specjalne / Special agreements",
          "Do zapłacenia / To be paid by / Zu zahlen vom", "Wystawiono w / Established in / Ausgefertigt in",
          "Przyjęto / Goods received / Gut empfangen", "Podpis nadawcy / Signature of sender",
          "Podpis przewoźnika / Signature of carrier", "Podpis odbiorcy / Signature of consignee"]
VALUES = ["Meble Kowalski Sp. z o.o., ul. Głogowska 12, 60-101 Poznań, PL",
          "Möbelhaus Schäfer GmbH, Friedrichstraße 5, 10117 Berlin, DE", "Berlin, DE", "Poznań, PL 2026-11-21",
          "Invoice FV/12/2026", "MK-1", "33", "EUR pallet", "Furniture", "12400.5", "80", "",
          "Trans-Pol Sp.j., Września, PL, PO 12345", "", "", "", "carriage paid", "Poznań 2026-11-21", "", "", "", ""]


@app.get("/pdf")
def pdf():
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for copy in range(4):
        c.setFont("DejaVu", 12)
        c.drawString(40, 810, "CMR %%d/4 — Międzynarodowy samochodowy list przewozowy" %% (copy + 1))
        for i, (label, value) in enumerate(zip(LABELS, VALUES)):
            x, y = 30 + (i %% 2) * 270, 770 - (i // 2) * 68
            c.rect(x, y - 60, 265, 64)
            c.setFont("DejaVu", 6)
            c.drawString(x + 4, y - 4, "%%d %%s" %% (i + 1, label))
            c.setFont("DejaVu", 9)
            c.drawString(x + 4, y - 20, value)
        c.showPage()
    c.save()
    return Response(buffer.getvalue(), mimetype="application/pdf")
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, headers=None) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5)
            return
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server for {url} did not start")
            time.sleep(0.3)


def gunicorn(module: str, chdir: Path, port: int, workers: int, env=None) -> subprocess.Popen:
    # Logging each request as the app does under serve.sh (to /dev/null here): the same server.
    return subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), module, "--chdir", str(chdir),
                             "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                             "--access-logfile", "/dev/null"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hey(url: str, duration: float, concurrency: int, *, token=None, body: Path | None = None) -> dict:
    command = ["hey", "-z", f"{duration}s", "-c", str(concurrency)]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if body:
        command += ["-m", "POST", "-T", "application/json", "-D", str(body)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    p95 = re.search(r"95% in ([\d.]+) secs", out)
    codes = {code: int(n) for code, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)}
    seconds = float(re.search(r"Total:\s+([\d.]+) secs", out).group(1))
    return {"requests": sum(codes.values()), "seconds": seconds, "rps": sum(codes.values()) / seconds,
            "p95_ms": float(p95.group(1)) * 1000 if p95 else float("nan"), "codes": codes}


def threaded(urls, concurrency: int, duration: float, token=None, body: bytes | None = None,
             answers: list | None = None) -> dict:
    """Each URL fetched once (until the time is up), by `concurrency` keep-alive clients;
    with `body`, POSTed as JSON (each answer's JSON appended to `answers`). `urls` may be
    an iterator shared by several calls: each call goes on where the last one stopped."""
    lock, times, codes = threading.Lock(), [], {}
    queue = iter(urls)  # each taken once
    deadline = time.monotonic() + duration

    def client():
        connection = None
        while time.monotonic() < deadline:
            with lock:
                url = next(queue, None)
            if url is None:
                return
            host, path = url.split("://", 1)[1].split("/", 1)
            if connection is None:
                connection = http.client.HTTPConnection(host, timeout=60)
            started = time.perf_counter()
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            connection.request("POST" if body is not None else "GET", "/" + path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            with lock:
                if answers is not None:
                    answers.append(json.loads(content))
                times.append(time.perf_counter() - started)
                codes[str(response.status)] = codes.get(str(response.status), 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests": len(times), "seconds": elapsed, "rps": len(times) / elapsed, "codes": codes,
            "p95_ms": statistics.quantiles(times, n=20)[-1] * 1000 if len(times) > 1 else float("nan")}


def interleaved(cases: dict, duration: float, rounds: int) -> dict:
    """Cases compared with one another, measured in turns: each runs `rounds` times for
    duration/rounds seconds, one after the other, so that a machine shared with others
    (whose speed drifts by tens of per cent within minutes) weighs on each alike. A case's
    figure is its requests over its seconds, summed over the rounds; its p95, the median
    of the rounds'."""
    runs: dict[str, list] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, run in cases.items():
            runs[name].append(run(duration / rounds))
    figures = {}
    for name, results in runs.items():
        codes: dict[str, int] = {}
        for result in results:
            for code, n in result["codes"].items():
                codes[code] = codes.get(code, 0) + n
        requests, seconds = sum(r["requests"] for r in results), sum(r["seconds"] for r in results)
        figures[name] = {"rps": requests / seconds if seconds else float("nan"), "codes": codes,
                         "p95_ms": statistics.median(r["p95_ms"] for r in results)}
    return figures


def seed(url: str, count: int) -> dict:
    """Migrates, registers a Pro account (its monthly limit lifted for the run), issues one
    document through the service and bulk-inserts `count` more in earlier months."""
    from sqlalchemy import text

    from cmr_app import clock, create_app
    from cmr_app.extensions import db
    from cmr_app.services import accounts, documents, tokens
    from cmr_app.services.search import document_search_text
    from tests.conftest import sample_document
    app = create_app({"DATABASE_URL": url, "MAIL_URL": "file://" + tempfile.mkdtemp(), "SECRET_KEY": "bench"})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from cmr_app.services.catalogue import sync_default_catalogue
        sync_default_catalogue()
        db.session.execute(text("UPDATE plans SET documents_per_month = 100000000, edited_by_admin = true "
                                "WHERE code = 'pro'"))
        db.session.commit()
    with app.test_request_context():
        user = accounts.register(f"bench-{uuid.uuid4().hex[:6]}@example.com", "benchmark-1", "Bench",
                                 plan_code="pro", send_activation=False)
        accounts.mark_verified(user)
        first = documents.issue_document(user, sample_document())
        _, secret = tokens.create_token(user, "bench")
        company_id, user_id, first_id = user.company_id, user.id, first.id
        data = sample_document()
        # The numbers differ; the rest of the text is the same but for the number.
        rest = document_search_text("", data)
        created = clock.now() - timedelta(days=45)
        db.session.execute(text(
            "INSERT INTO documents (company_id, number, status, data, public_token, fingerprint, issued_on,"
            " search_text, created_by_id, created_at, updated_at, version, cancel_reason)"
            " SELECT :company, 'S' || g || '/10/2026', 'issued', CAST(:data AS jsonb), 'bench-' || g,"
            " '0123456789ab', :issued, 's' || g || '/10/2026 ' || :rest || ' w' || (g % 997), :user,"
            " :created, :created, 1, '' FROM generate_series(1, :count) AS g"),
            {"company": company_id, "data": json.dumps(data), "issued": created.date(), "rest": rest,
             "user": user_id, "created": created, "count": count})
        db.session.commit()
        ids = [r[0] for r in db.session.execute(text(
            "SELECT id FROM documents WHERE company_id = :c ORDER BY id DESC LIMIT 2000"), {"c": company_id})]
    with app.app_context():
        db.engine.dispose()
    # As autovacuum would after a bulk load: planner statistics, GIN pending list merged.
    engine = __import__("sqlalchemy").create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE documents")
    engine.dispose()
    return {"token": secret, "first_id": first_id, "ids": ids, "number": f"S{count // 2}/10/2026"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server; a fresh database is made on it")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per case")
    parser.add_argument("--rounds", type=int, default=5,
                        help="cases compared as ratios are measured in this many turns each")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of every server")
    parser.add_argument("--redis-url", help="run the app with this Redis database (emptied) and an RQ worker")
    parser.add_argument("--issued", type=int, default=2000,
                        help="with --redis-url: documents issued through the API, then downloaded once each")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not shutil.which("hey"):
        raise SystemExit("bench_http.py needs `hey`, the HTTP load generator: apt-get install -y hey")

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    server = make_url(args.database_url)
    name = f"cmr_bench_http_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    servers: list[subprocess.Popen] = []
    work = Path(tempfile.mkdtemp())
    try:
        started = time.monotonic()
        seeded = seed(url, args.documents)
        print(f"seeded {args.documents:,} documents in one company in {time.monotonic() - started:.0f} s")

        app_port, hello_port, naive_port = free_port(), free_port(), free_port()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("CMR_")},
               "CMR_DATABASE_URL": url, "CMR_SECRET_KEY": "bench", "CMR_MAIL_URL": f"file://{work}",
               "CMR_BASE_URL": f"http://127.0.0.1:{app_port}", "BIND": f"127.0.0.1:{app_port}",
               "WEB_CONCURRENCY": str(args.workers)}
        if args.redis_url:
            import redis
            redis.Redis.from_url(args.redis_url).flushdb()
            env["CMR_REDIS_URL"] = args.redis_url
            # The production worker (worker.sh: SimpleWorker, cmr then cmr-low, nice 10).
            servers.append(subprocess.Popen([str(ROOT / "worker.sh"), "--quiet"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers.append(subprocess.Popen([str(ROOT / "serve.sh"), "--access-logfile", "/dev/null"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        (work / "hello.py").write_text(HELLO_APP)
        (work / "naive.py").write_text(NAIVE_APP % {"font": str(ROOT / "renderers/fonts/DejaVuSansCondensed.ttf")})
        servers.append(gunicorn("hello:app", work, hello_port, args.workers))
        servers.append(gunicorn("naive:app", work, naive_port, args.workers))
        api = f"http://127.0.0.1:{app_port}/api/v1"
        auth = {"Authorization": f"Bearer {seeded['token']}"}
        app_server, hello_server, naive_server = servers[-3:]
        wait_for(api + "/account", app_server, auth)
        wait_for(f"http://127.0.0.1:{hello_port}/", hello_server)
        wait_for(f"http://127.0.0.1:{naive_port}/pdf", naive_server)
        body = work / "document.json"
        from tests.conftest import sample_document
        body.write_text(json.dumps(sample_document()))

        d, c, token = args.duration, args.concurrency, seeded["token"]
        search_number = seeded["number"].replace("/", "%2F")
        # Every worker loads its fonts and opens its connections before anything is timed.
        for warm in (f"http://127.0.0.1:{naive_port}/pdf", f"{api}/documents/{seeded['first_id']}/pdf",
                     f"{api}/documents", f"{api}/documents/{seeded['ids'][-1]}/pdf"):
            threaded([warm] * (4 * args.workers), args.workers, 60, token)
        issued_ids: list[int] = []
        if args.redis_url:
            answers: list = []
            started = time.monotonic()
            threaded([f"{api}/documents"] * args.issued, c, 3600, token, body.read_bytes(), answers)
            issued_ids = [a["id"] for a in answers if "id" in a]
            from rq import Queue
            from cmr_app.tasks import QUEUES
            queues = [Queue(name, connection=redis.Redis.from_url(args.redis_url)) for name in QUEUES]
            from cmr_app.services.pdf_cache import PRERENDER_PENDING
            pending = redis.Redis.from_url(args.redis_url)
            while any(len(queue) or queue.started_job_registry.count for queue in queues) \
                    or pending.scard(PRERENDER_PENDING):
                if servers[0].poll() is not None:
                    raise SystemExit("the RQ worker stopped")
                time.sleep(0.5)
            print(f"issued {len(issued_ids):,} documents through the API; the worker had rendered their "
                  f"PDFs {time.monotonic() - started:.0f} s after the first was issued")
        # Throughput with `c` clients; latency (p95) with one client per worker, so that it
        # measures the request rather than the queue in front of a saturated server.
        lc = args.workers
        print(f"each case: {d:g} s (the cases compared as ratios in {args.rounds} turns each); throughput "
              f"with {c} clients, latency (list, search) with {lc}; {args.workers} gunicorn workers per "
              f"server; {os.cpu_count()} cores")
        # Compared as ratios: measured in turns (interleaved). Throughput driven by hey ...
        figures = interleaved({
            "hello": lambda t: hey(f"http://127.0.0.1:{hello_port}/", t, c),
            "naive_pdf": lambda t: hey(f"http://127.0.0.1:{naive_port}/pdf", t, c),
            "pdf_again": lambda t: hey(f"{api}/documents/{seeded['first_id']}/pdf", t, c, token=token),
        }, d, args.rounds)
        # ... and by the threaded client, each document fetched once over all the rounds.
        naive_urls = iter([f"http://127.0.0.1:{naive_port}/pdf?n={i}" for i in range(1_000_000)])
        distinct_urls = iter([f"{api}/documents/{i}/pdf" for i in seeded["ids"]])
        issued_urls = iter([f"{api}/documents/{i}/pdf" for i in issued_ids])
        figures.update(interleaved({
            "naive_pdf_threaded": lambda t: threaded(naive_urls, c, t),
            "pdf_distinct": lambda t: threaded(distinct_urls, c, t, token),
            **({"pdf_issued": lambda t: threaded(issued_urls, c, t, token)} if issued_ids else {}),
        }, d, args.rounds))
        figures.update({
            "list": hey(f"{api}/documents", d, lc, token=token),
            "search_none": hey(f"{api}/documents?q=zzqx-nothing", d, lc, token=token),
            "search_number": hey(f"{api}/documents?q={search_number}", d, lc, token=token),
            # Last and alone: with Redis, each document issued queues its rendering, which the
            # worker does on the same cores while this runs.
            "issue": hey(f"{api}/documents", d, c, token=token, body=body),
        })
        rows = [("hello-world Flask (ceiling)", "hello"), ("naive reportlab PDF (peer)", "naive_pdf"),
                ("PDF of one document, again and again", "pdf_again"),
                ("naive reportlab PDF, threaded client", "naive_pdf_threaded"),
                ("PDF, true cold renders (never drawn)", "pdf_distinct"),
                *([("PDF, first downloads of issued documents", "pdf_issued")] if issued_ids else []),
                ("list, first page", "list"), ("search with no match", "search_none"),
                ("search for one number", "search_number"), ("documents issued (POST)", "issue")]
        print(f"\n{'case':<44}{'req/s':>9}{'p95 ms':>9}  status codes")
        for label, key in rows:
            f = figures[key]
            print(f"{label:<44}{f['rps']:>9.1f}{f['p95_ms']:>9.1f}  {f['codes']}")

        def ratio(a, b):
            return figures[a]["rps"] / figures[b]["rps"] if figures[b]["rps"] else float("nan")

        checks = [
            ("the same PDF again / naive peer", ratio("pdf_again", "naive_pdf"), ">= 3", lambda v: v >= 3),
            ("first downloads of distinct documents / naive peer"
             + (" (issued, worker)" if issued_ids else " (cold)"),
             ratio("pdf_issued" if issued_ids else "pdf_distinct", "naive_pdf_threaded"), ">= 1.5", lambda v: v >= 1.5),
            ("list p95 (ms)", figures["list"]["p95_ms"], "<= 50", lambda v: v <= 50),
            ("search with no match p95 (ms)", figures["search_none"]["p95_ms"], "<= 50", lambda v: v <= 50),
            ("search for one number p95 (ms)", figures["search_number"]["p95_ms"], "<= 50", lambda v: v <= 50),
            ("issuing / hello-world ceiling", ratio("issue", "hello"), ">= 0.05", lambda v: v >= 0.05),
        ]
        print(f"\n{'target':<52}{'measured':>10}  {'wanted':<8} met")
        for label, value, wanted, ok in checks:
            print(f"{label:<52}{value:>10.3f}  {wanted:<8} {'yes' if ok(value) else 'NO'}")
        if issued_ids:
            print(f"{'  (true cold renders / naive peer, for reference)':<52}"
                  f"{ratio('pdf_distinct', 'naive_pdf_threaded'):>10.3f}")
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept the database {name}")
        admin.dispose()


if __name__ == "__main__":
    main()
