"""Two app nodes (issue 11, item 5): two gunicorn servers started by serve.sh on
different ports over one PostgreSQL database and one Redis, sharing only CMR_SECRET_KEY,
CMR_DATABASE_URL and CMR_REDIS_URL. A session made on one works on the other, rate limits
are counted together, a queued job is done once with a worker beside each node, and
numbering stays gapless with both nodes issuing at once."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import PG_URL, REDIS_URL, sample_document

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL),
    reason="two nodes need a shared PostgreSQL and Redis: set CMR_TEST_DATABASE_URL and CMR_TEST_REDIS_URL "
           "(CI's PostgreSQL run does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, env: dict, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**env, "CMR_BASE_URL": self.url, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
        self.process = subprocess.Popen([str(ROOT / "serve.sh")], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/api/v1/plans", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the node did not start: " + self.process.stderr.read().decode()[-2000:])
                time.sleep(0.3)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def node_env(app_config, mail_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMR_")}
    env.update({"CMR_DATABASE_URL": app_config["DATABASE_URL"], "CMR_REDIS_URL": app_config["REDIS_URL"],
                "CMR_SECRET_KEY": "one secret for every node", "CMR_MAIL_URL": f"file://{mail_dir}"})
    return env


@pytest.fixture
def nodes(app, node_env):
    started = []
    try:
        for _ in range(2):
            started.append(Node(node_env, _free_port()))
        yield started
    finally:
        for node in started:
            node.stop()


def call(method: str, url: str, *, token: str | None = None, body=None, opener=None, form=None):
    data = headers = None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return response.status, response.read(), response.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


@pytest.fixture
def owner(make_account):
    return make_account()


@pytest.fixture
def token(app, owner):
    from cmr_app.extensions import db
    from cmr_app.models import User
    from cmr_app.services import tokens
    with app.app_context():
        return tokens.create_token(db.session.get(User, owner.id), "nodes")[1]


def test_a_session_made_on_one_node_works_on_the_other(nodes, owner):
    first, second = nodes
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, page, _ = call("GET", first.url + "/login", opener=browser)
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    status, _, landed = call("POST", first.url + "/login", opener=browser,
                             form={"csrf_token": csrf, "email": owner.email, "password": owner.password})
    assert status == 200 and landed.endswith("/documents")
    status, page, landed = call("GET", second.url + "/documents", opener=browser)
    assert status == 200 and landed == second.url + "/documents"
    assert owner.email.encode() in page or b"Spedycja Test" in page


def test_rate_limits_are_counted_across_nodes(nodes, token):
    first, second = nodes
    status, body, _ = call("POST", first.url + "/api/v1/documents", token=token, body=sample_document())
    page = json.loads(body)["public_url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
    # The driver's page allows 60 openings a minute from one address: 30 here, 30 there…
    statuses = [call("GET", f"{node.url}/{page}")[0] for node in (first, second) for _ in range(30)]
    assert set(statuses) == {200}
    # …and the 61st is refused whichever node it reaches.
    assert call("GET", f"{first.url}/{page}")[0] == 429
    assert call("GET", f"{second.url}/{page}")[0] == 429


def test_a_queued_job_is_done_once_with_a_worker_beside_each_node(nodes, token, node_env, mail_dir):
    first, second = nodes
    assert call("PUT", first.url + "/api/v1/account/features/email_documents", token=token,
                body={"enabled": True})[0] == 200
    status, body, _ = call("POST", first.url + "/api/v1/documents", token=token, body=sample_document())
    doc = json.loads(body)
    for n in range(6):
        node = nodes[n % 2]
        status, body, _ = call("POST", f"{node.url}/api/v1/documents/{doc['id']}/email", token=token,
                               body={"to": [f"office{n}@example.com"]})
        assert status == 202, body
    workers = [subprocess.Popen([str(ROOT / "worker.sh"), "--burst"], cwd=ROOT,
                                env={**node.env, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for node in nodes]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    sent = sorted(re.search(rb"^To: (.+)$", p.read_bytes(), re.M).group(1).decode().strip()
                  for p in Path(mail_dir).glob("*.eml"))
    assert sent == [f"office{n}@example.com" for n in range(6)]


def test_numbering_stays_gapless_with_both_nodes_issuing_at_once(nodes, token):
    def issue(n):
        status, body, _ = call("POST", nodes[n % 2].url + "/api/v1/documents", token=token, body=sample_document())
        assert status == 201, body
        return json.loads(body)["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(issue, range(24)))
    sequence = sorted(int(number.split("/")[-1]) for number in numbers)
    assert sequence == list(range(1, 25))
