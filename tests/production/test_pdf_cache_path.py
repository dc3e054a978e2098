"""The PDF's cache path (issue 11): a client holding the current version gets a 304
without anything being drawn, the ETag follows the company's logo through its stored
hash, the plan catalogue kept between requests follows a change made elsewhere, and
with Redis set a document's PDF is rendered by the queue when it is issued or gets a new
version, so its first download is a hit."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from cmr_app.extensions import db
from tests.conftest import REDIS_URL, sample_document


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, "PNG")
    return out.getvalue()


def _empty_cache(app):
    from cmr_app.services import pdf_cache
    store = pdf_cache.MemoryStore(8 * 1024 * 1024)
    app.extensions["pdf_cache"] = store
    return store


def test_a_client_holding_the_version_gets_a_304_and_nothing_is_drawn(app, api):
    doc = api.post("/documents", json=sample_document()).get_json()
    first = api.get(f"/documents/{doc['id']}/pdf")
    assert first.status_code == 200
    tag = first.headers["ETag"]
    store = _empty_cache(app)  # what this process rendered is forgotten
    again = api.get(f"/documents/{doc['id']}/pdf", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert store.items == {}  # answered from the key alone: nothing rendered, nothing kept
    # A new version: the old tag no longer matches, the new PDF is drawn once and kept.
    api.patch(f"/documents/{doc['id']}", json={"documents_attached": "Invoice FV/13/2026"})
    changed = api.get(f"/documents/{doc['id']}/pdf", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert list(store.items) == [changed.headers["ETag"].strip('"')]


def test_the_logo_uploaded_in_settings_changes_the_etag_through_its_stored_hash(
        app, client, make_account, api_for):
    from cmr_app.models import Company, logo_hash
    owner = make_account()
    api = api_for(owner)
    api.put("/account/features/company_logo", json={"enabled": True})
    doc = api.post("/documents", json=sample_document()).get_json()
    without = api.get(f"/documents/{doc['id']}/pdf").headers["ETag"]
    client.post("/login", data={"email": owner.email, "password": owner.password})
    for colour in ("navy", "red"):
        answer = client.post("/settings/logo", data={"logo": (io.BytesIO(_png(colour)), "logo.png")},
                             content_type="multipart/form-data")
        assert answer.status_code == 303
    with app.app_context():
        company = db.session.get(Company, owner.company_id)
        assert company.logo and company.logo_hash == logo_hash(company.logo)
    red = api.get(f"/documents/{doc['id']}/pdf")
    assert red.status_code == 200 and red.headers["ETag"] != without
    client.post("/settings/logo", data={"remove": "1"})
    with app.app_context():
        assert db.session.get(Company, owner.company_id).logo_hash is None
    assert api.get(f"/documents/{doc['id']}/pdf").headers["ETag"] == without


def test_a_plan_changed_by_another_process_applies_at_the_next_request(app, api, database_url):
    assert api.get("/account").get_json()["usage"]["limit"] != 4321  # the catalogue is now kept
    # Another node (an admin's edit there): its own connection, the plan's change time moved.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        later = conn.execute(text("SELECT max(updated_at) FROM plans")).scalar()
        later = (later if not isinstance(later, str) else __import__("datetime").datetime.fromisoformat(later))
        conn.execute(text("UPDATE plans SET documents_per_month = 4321, updated_at = :at WHERE code = 'pro'"),
                     {"at": later + timedelta(seconds=1)})
    engine.dispose()
    assert api.get("/account").get_json()["usage"]["limit"] == 4321


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (CMR_TEST_REDIS_URL)")
def test_with_redis_the_queue_renders_the_pdf_at_issue_and_at_a_new_version(app, api):
    import redis

    from cmr_app import tasks
    from cmr_app.services import pdf_cache
    server = redis.Redis.from_url(REDIS_URL)

    def cached() -> set[bytes]:
        return set(server.scan_iter(pdf_cache.REDIS_PREFIX + "*"))

    doc = api.post("/documents", json=sample_document()).get_json()
    assert cached() == set()  # queued, not drawn in the request
    assert tasks.drain(app) >= 1
    [key] = cached()
    _empty_cache(app)  # this process drew nothing; the worker's PDF is in Redis
    app.extensions["pdf_cache"] = pdf_cache.RedisStore(REDIS_URL, 60, app.extensions["pdf_cache"])
    first = api.get(f"/documents/{doc['id']}/pdf")
    assert first.status_code == 200 and first.headers["ETag"].strip('"').encode() == \
        key.removeprefix(pdf_cache.REDIS_PREFIX.encode())
    assert server.get(key) == first.data
    # A new version is rendered by the queue too; a save that changes nothing is not queued.
    api.patch(f"/documents/{doc['id']}", json={"documents_attached": "Invoice FV/13/2026"})
    api.patch(f"/documents/{doc['id']}", json={"documents_attached": "Invoice FV/13/2026"})
    assert tasks.drain(app) == 1
    assert len(cached()) == 2
    assert server.get(pdf_cache.REDIS_PREFIX + api.get(f"/documents/{doc['id']}/pdf").headers["ETag"]
                      .strip('"')) is not None


def _worker_env(app_config) -> dict:
    """worker.sh's environment: the test app's, as the README starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMR_")}
    env.update({"CMR_DATABASE_URL": app_config["DATABASE_URL"], "CMR_REDIS_URL": REDIS_URL,
                "CMR_SECRET_KEY": app_config["SECRET_KEY"], "CMR_MAIL_URL": app_config["MAIL_URL"],
                "CMR_BASE_URL": app_config["BASE_URL"]})
    return env


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (CMR_TEST_REDIS_URL)")
def test_pdfs_rendered_ahead_wait_in_one_job_beside_e_mails_and_expire_unstarted(app, app_config, api, mail_dir):
    import redis
    from rq import Queue

    from cmr_app import tasks
    from cmr_app.services import pdf_cache
    server = redis.Redis.from_url(REDIS_URL)
    issued = [api.post("/documents", json=sample_document()).get_json() for _ in range(3)]
    api.put("/account/features/email_documents", json={"enabled": True})
    assert api.post(f"/documents/{issued[0]['id']}/email", json={"to": ["office@example.com"]}).status_code == 202
    low, owed = Queue(tasks.LOW_QUEUE, connection=server), Queue(tasks.QUEUE, connection=server)
    # One job renders the three (the first issue queued it); the e-mail on the owed queue.
    assert (len(low), len(owed)) == (1, 1)
    assert server.scard(pdf_cache.PRERENDER_PENDING) == 3
    # Dropped, the job and the documents waiting, if no worker takes them within the hour.
    assert low.jobs[0].ttl == tasks.LOW_TTL_SECONDS and owed.jobs[0].ttl is None
    assert 0 < server.ttl(pdf_cache.PRERENDER_PENDING) <= tasks.LOW_TTL_SECONDS

    def cached() -> int:
        return len(list(server.scan_iter(pdf_cache.REDIS_PREFIX + "*")))

    def worker():  # the production workers, as the README starts them
        done = subprocess.run([str(ROOT / "worker.sh"), "--burst"], cwd=ROOT, env=_worker_env(app_config),
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    worker()
    assert [b"office@example.com" in p.read_bytes() for p in mail_dir.glob("*.eml")] == [True]
    assert cached() == 3 and len(low) == 0 and server.scard(pdf_cache.PRERENDER_PENDING) == 0
    # The next document issued queues a job again.
    api.post("/documents", json=sample_document())
    assert len(low) == 1 and server.scard(pdf_cache.PRERENDER_PENDING) == 1
    worker()
    assert cached() == 4


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (CMR_TEST_REDIS_URL)")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SCHED_IDLE is Linux's")
def test_worker_sh_renders_ahead_only_with_cpu_nothing_else_wants(app_config):
    """worker.sh: e-mails and the rest owed on a worker at nice 10; renderings ahead on a
    worker of their own at SCHED_IDLE, so a request or an e-mail wanting the processor
    always gets it first. One ending ends the other (a supervisor then restarts both)."""
    script = subprocess.Popen([str(ROOT / "worker.sh")], cwd=ROOT, env=_worker_env(app_config),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # each rq worker names its queues in its process title once it listens
            children = Path(f"/proc/{script.pid}/task/{script.pid}/children").read_text().split()
            titles = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode() for pid in children}
            if len(children) == 2 and all("Listening on " in t for t in titles.values()):
                break
            assert time.monotonic() < deadline, titles
            time.sleep(0.2)
        queue = {t.rsplit("Listening on ", 1)[1]: pid for pid, t in titles.items()}
        # /proc/<pid>/stat after the command's name: nice is the 17th field, policy the 39th.
        stat = {name: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for name, pid in queue.items()}
        assert {name: (int(f[16]), int(f[38])) for name, f in stat.items()} == \
            {"cmr": (10, os.SCHED_OTHER), "cmr-low": (0, os.SCHED_IDLE)}
        os.kill(int(queue["cmr"]), signal.SIGKILL)  # a crash of one
        assert script.wait(timeout=60) != 0
        low = Path(f"/proc/{queue['cmr-low']}/stat")
        assert not low.exists() or low.read_text().rsplit(")", 1)[1].split()[0] == "Z"  # ended with it
    finally:
        if script.poll() is None:
            script.terminate()  # worker.sh stops both workers
            script.wait(timeout=60)
