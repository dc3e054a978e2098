"""Fixtures in the flaskr manner: app, client, runner, plus a mailbox and account factories.

The suite runs on SQLite by default. With CMR_TEST_DATABASE_URL set to a PostgreSQL
server URL (postgresql+psycopg://postgres@127.0.0.1/postgres) it creates its own database
there; with CMR_TEST_REDIS_URL set, rate limits and jobs use that Redis."""
from __future__ import annotations

import email
import email.policy
import os
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cmr_app import create_app
from cmr_app.extensions import db

PG_URL = os.environ.get("CMR_TEST_DATABASE_URL")
# CMR_TEST_NOW=2027-03-15T12:00:00+00:00 runs the whole suite as if it were that moment:
# a test that silently depends on today's real date shows itself.
TEST_NOW = os.environ.get("CMR_TEST_NOW")
REDIS_URL = os.environ.get("CMR_TEST_REDIS_URL")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _moved_clock():
    if not TEST_NOW:
        yield
        return
    import time_machine
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database made once per session: an SQLite file to copy, or a
    PostgreSQL database to truncate between tests."""
    if PG_URL:
        server = make_url(PG_URL)
        name = f"cmr_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "template.sqlite"
        _migrate(f"sqlite:///{path}")
        yield path


def insert_old_company(conn, stamp) -> None:
    """Company 1 as the early schema (0003) stored it, for migration tests."""
    conn.execute(text(
        "INSERT INTO companies (id, name, first_name, last_name, tax_id, address, postal_code, city, country,"
        " timezone, plan_code, registered_at, logo_mime, numbering_pattern, numbering_start,"
        " default_languages, print_offset_x_mm, print_offset_y_mm, support_access, enabled_features)"
        " VALUES (1, 'Old Co', '', '', '', '', '', '', 'PL', 'Europe/Warsaw', 'free', :t, '',"
        " '{seq}/{MM}/{YYYY}', 1, 'pl,en,de', 0, 0, false, '[]')"), {"t": stamp})


@pytest.fixture
def empty_database(tmp_path):
    """A database with no schema yet, for migration tests (upgrade step by step)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    server = make_url(PG_URL)
    name = f"cmr_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if PG_URL:
        engine = create_engine(database_template)
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        return database_template
    path = tmp_path / "test.sqlite"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def app_config(database_url, mail_dir):
    config = {"DATABASE_URL": database_url, "TESTING": True, "MAIL_URL": f"file://{mail_dir}",
              "SECRET_KEY": "test-secret", "BASE_URL": "http://cmr.test",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
              # The fake payment provider is for development and tests only (API.md);
              # tests of a deployment without it set this to None.
              "PAYMENT_PROVIDER": "fake"}
    if REDIS_URL:
        import redis
        redis.Redis.from_url(REDIS_URL).flushdb()
        config["REDIS_URL"] = REDIS_URL
    return config


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        from cmr_app.services.catalogue import sync_default_catalogue
        sync_default_catalogue()
        complete_seller()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        if "cmr_autocommit_engine" in app.extensions:  # the PDF download's (extensions.py)
            app.extensions["cmr_autocommit_engine"].dispose()


SELLER_BANK = {"bank_name": "mBank S.A.", "bank_account": "PL61109010140000071219812874", "bank_swift": "BREXPLPW"}


def complete_seller() -> None:
    """The operator's bank account (IBAN and BIC): without it no pro-forma is issued."""
    from cmr_app.services import billing
    row = billing.seller()
    for key, value in SELLER_BANK.items():
        setattr(row, key, value)
    db.session.commit()


@pytest.fixture
def client(app):
    # Like a browser set to English: the phone pages (/d/, /s/) otherwise speak the
    # document's first label language, which is what a request without the header gets.
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Mailbox:
    """What the app sent through the file:// mail backend. With Redis configured, e-mails
    wait on the RQ queue: reading the mailbox first runs the queued jobs, as a worker would."""
    def __init__(self, folder: Path, app):
        self.folder, self.app = folder, app

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        from cmr_app import tasks
        tasks.drain(self.app)
        files = sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    def last_body(self, address: str) -> str:
        messages = self.to(address)
        assert messages, f"no e-mail to {address}"
        return messages[-1].get_body(("plain",)).get_content()

    def link(self, address: str, fragment: str) -> str:
        for word in self.last_body(address).split():
            if fragment in word:
                return word
        raise AssertionError(f"no link with {fragment!r} in the e-mail to {address}")


@pytest.fixture
def mailbox(mail_dir, app):
    return Mailbox(mail_dir, app)


@pytest.fixture
def make_account(app):
    """make_account(email, plan="pro", company=..., verified=True) -> the new owner as a
    plain record (id, company_id, email, password). Registration switches on the plan's
    features; features=False switches them off again, the known start most tests build on."""
    def make(email_address: str = None, *, plan: str | None = "pro", company: str = "Spedycja Test",
             verified: bool = True, password: str = "correct horse 1", features: bool = False):
        from cmr_app.services import accounts
        email_address = email_address or f"owner-{uuid.uuid4().hex[:8]}@example.com"
        with app.test_request_context():
            user = accounts.register(email_address, password, company, plan_code=plan,
                                     send_activation=False)
            if verified:
                accounts.mark_verified(user)
            if not features:
                user.company.enabled_features = []
                db.session.commit()
            return SimpleNamespace(id=user.id, company_id=user.company_id, email=user.email,
                                   password=password)
    return make


@pytest.fixture
def make_member(app):
    """A user of the owner's company with the given role, already verified."""
    def make(owner, role: str, email: str | None = None):
        from cmr_app import clock
        from cmr_app.models import User
        from cmr_app.services import accounts
        with app.app_context():
            user = User(company_id=owner.company_id, email=email or f"{role}-{uuid.uuid4().hex}@example.com",
                        password_hash=accounts.hash_password("correct horse 1"), role=role,
                        email_verified_at=clock.now())
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user
    return make


class Api:
    """A JSON client acting with one user's bearer token."""
    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _headers(self, extra=None):
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api_for(app, client):
    def make(user) -> Api:
        from cmr_app.models import User
        from cmr_app.services import tokens
        with app.app_context():
            _, secret = tokens.create_token(db.session.get(User, user.id), "tests")
        return Api(client, secret)
    return make


@pytest.fixture
def api(make_account, api_for):
    return api_for(make_account())


def sample_document(**overrides) -> dict:
    doc = {
        "sender": {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12",
                   "postal_code": "60-101", "city": "Poznań", "country": "PL", "tax_id": "7010847517"},
        "consignee": {"name": "Möbelhaus Schäfer GmbH", "address": "Friedrichstraße 5",
                      "postal_code": "10117", "city": "Berlin", "country": "DE"},
        "place_of_delivery": {"city": "Berlin", "country": "DE", "address": "Friedrichstraße 5"},
        "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
        "documents_attached": "Invoice FV/12/2026",
        "goods": [{"marks": "MK-1", "packages": 33, "packing": "EUR pallet", "nature": "Furniture",
                   "statistical_number": "9403", "gross_weight_kg": "12400.5", "volume_m3": "80"}],
        "payment_instructions": "carriage_paid",
        "carrier": {"name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL",
                    "vehicle_registration": "PO 12345 / PO 6789A"},
        "established": {"place": "Poznań", "date": "2026-11-21"},
        "languages": ["pl", "en", "de"], "copies": 4,
    }
    doc.update(overrides)
    return doc


# Browser tests: the app served on a free local port, and Debian's Chromium through Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def live_server(app):
    import threading
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
