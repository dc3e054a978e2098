"""What Redis and PostgreSQL losing their state or connections does to e-mails: a queue
that loses its jobs loses no e-mail, and a database connection cut mid-transaction
leaves nothing half-saved (neither the invitation without its e-mail nor the reverse)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from tests.billing.conftest import INVOICE_PL
from tests.conftest import PG_URL, REDIS_URL
from tests.outbox.conftest import delivered


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (CMR_TEST_REDIS_URL)")
def test_emails_whose_queued_jobs_are_lost_are_still_delivered_by_mail_retry(
        app, client, make_account, api_for, login, runner, mail_dir, outbox_rows):
    import redis
    from rq import Queue

    from cmr_app import tasks
    owner = login(make_account(company="Spedycja Test"))
    client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
    assert api_for(owner).post("/orders", json={"plan": "standard", "period_months": 12,
                                                "invoice": INVOICE_PL}).status_code == 201
    connection = redis.Redis.from_url(REDIS_URL)
    assert len(Queue(tasks.QUEUE, connection=connection)) == 2  # one delivery job per request

    connection.flushdb()  # Redis restarted without its data
    assert tasks.drain(app) == 0 and delivered(mail_dir) == []
    assert [status for _to, _kind, status, *_ in outbox_rows()] == ["pending", "pending"]

    result = runner.invoke(args=["mail", "retry"])
    assert json.loads(result.output)["sent"] == 2
    assert sorted(m["To"] for m in delivered(mail_dir)) == sorted(["anna@example.com", owner.email])


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CMR_TEST_DATABASE_URL)")
def test_a_database_outage_leaves_nothing_half_saved_and_the_next_requests_work(
        app, client, make_account, login, mailbox, outbox_rows, database_url):
    from cmr_app.models import Invitation, OutboxMail
    owner = login(make_account(company="Spedycja Test"))
    assert client.get("/documents").status_code == 200
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")

    def terminate(pid_filter: str, **params) -> int:
        # Only this test's own database: the server and other databases are left alone.
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND {pid_filter}"),
                params).all())

    # Every connection of the app is cut: the next requests reconnect.
    assert terminate("true") >= 1
    assert client.get("/documents").status_code == 200
    assert client.get("/settings").status_code == 200

    # Cut in the middle of the invitation's transaction, just before it commits.
    def cut_before_commit(session):
        if any(isinstance(o, (Invitation, OutboxMail)) for o in session.new):
            session.flush()
            pid = session.connection().connection.dbapi_connection.info.backend_pid
            terminate("pid = :pid", pid=pid)
    event.listen(Session, "before_commit", cut_before_commit)
    try:
        try:
            failed = client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
        except Exception as error:  # propagated in testing mode: the connection is gone
            assert "terminat" in str(error).lower() or "closed" in str(error).lower()
        else:
            assert failed.status_code == 500
    finally:
        event.remove(Session, "before_commit", cut_before_commit)
    with admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM invitations")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM outbox_mails")).scalar() == 0

    # The next request works and saves both, and the e-mail goes out once.
    client.get("/settings")
    done = client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
    assert done.status_code == 303  # post/redirect/get
    assert [(to, status) for to, _kind, status, *_ in outbox_rows()] in (
        [("anna@example.com", "sent")], [("anna@example.com", "pending")])  # pending: on the queue
    assert len(mailbox.to("anna@example.com")) == 1
    admin.dispose()
