"""SMTP away, then back: every e-mail waits in the outbox with its error, visible to
the sender of a document and to admins, and `flask mail retry` delivers each exactly once
when the server is back; parallel runs do not send anything twice."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from cmr_app import clock
from tests.conftest import sample_document
from tests.parallel import run_together



@pytest.fixture
def app_config(app_config, smtp_port):
    return {**app_config, "MAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}


@pytest.fixture
def drain(app):
    """Runs what the queue holds (with Redis); without Redis the first attempt was inline."""
    from cmr_app import tasks
    return lambda: tasks.drain(app)


def _three_emails(client, make_account, api_for, login):
    owner = make_account(company="Spedycja Test")
    api = api_for(owner)
    api.put("/account/features/email_documents", json={"enabled": True})
    doc = api.post("/documents", json=sample_document(
        consignee={"name": "Schäfer", "city": "Berlin", "country": "DE", "email": "lager@schaefer.de"})).get_json()
    accepted = api.post(f"/documents/{doc['id']}/email")
    assert accepted.status_code == 202
    assert [(e["to"], e["status"]) for e in accepted.get_json()["emails"]] == [("lager@schaefer.de", "pending")]
    assert client.post("/password/forgot", data={"email": owner.email}).status_code == 302
    login(owner)
    assert client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"}).status_code == 303
    return owner, api, doc


def test_emails_wait_while_smtp_is_away_and_go_out_once_when_it_is_back(
        app, client, make_account, api_for, login, runner, drain, start_smtp, outbox_rows):
    owner, api, doc = _three_emails(client, make_account, api_for, login)
    drain()

    rows = outbox_rows()
    assert [(to, status, attempts) for to, _kind, status, attempts, _error in rows] == [
        ("lager@schaefer.de", "pending", 1), (owner.email, "pending", 1), ("anna@example.com", "pending", 1)]
    assert all("Connection refused" in error or "ConnectionRefusedError" in error for *_, error in rows)

    # The document e-mail's failure is not silent: the API and the document page say so.
    [item] = api.get(f"/documents/{doc['id']}/emails").get_json()["items"]
    assert item["status"] == "pending" and "ConnectionRefusedError" in item["last_error"]
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert "waiting to be sent" in page and "Last error: ConnectionRefusedError" in page

    sink = start_smtp()
    # Retried with back-off: right after the failure the rows are not yet due.
    result = runner.invoke(args=["mail", "retry"])
    assert json.loads(result.output)["sent"] == 0 and sink.messages == []

    with time_machine.travel(clock.now() + timedelta(minutes=2), tick=False):
        result = runner.invoke(args=["mail", "retry"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {"sent": 3, "failed": 0, "skipped": 0, "waiting": 0, "failed_total": 0}
        assert json.loads(runner.invoke(args=["mail", "retry"]).output)["sent"] == 0
    drain()
    assert sorted(m["To"] for m in sink.messages) == sorted(["lager@schaefer.de", owner.email, "anna@example.com"])
    [cmr] = sink.to("lager@schaefer.de")
    [pdf] = list(cmr.iter_attachments())
    assert pdf.get_content().startswith(b"%PDF")
    assert "/password/reset/" in sink.to(owner.email)[0].get_body(("plain",)).get_content()
    assert [item["status"] for item in api.get(f"/documents/{doc['id']}/emails").get_json()["items"]] == ["sent"]


def test_mail_retry_now_skips_the_wait(client, make_account, api_for, login, runner, drain, start_smtp):
    _three_emails(client, make_account, api_for, login)
    drain()
    sink = start_smtp()
    result = runner.invoke(args=["mail", "retry", "--now"])
    assert json.loads(result.output)["sent"] == 3 and len(sink.messages) == 3


def test_an_email_that_keeps_failing_is_listed_to_admins_who_send_it_again(
        app, client, make_account, api_for, login, runner, drain, start_smtp, outbox_rows):
    from cmr_app.services import outbox
    owner = login(make_account())
    client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
    drain()
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        runner.invoke(args=["mail", "retry", "--now"])
    assert [(status, attempts) for _to, _k, status, attempts, _e in outbox_rows()] == [
        ("failed", outbox.MAX_ATTEMPTS)]
    # A failed row is not taken by plain retries any more.
    assert json.loads(runner.invoke(args=["mail", "retry", "--now"]).output)["failed_total"] == 1

    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.models import User
        db.session.get(User, owner.id).is_admin = True
        db.session.commit()
    page = client.get("/admin/emails").get_data(as_text=True)
    assert "anna@example.com" in page and "You are invited to Spedycja Test" in page
    assert "ConnectionRefusedError" in page

    sink = start_smtp()
    response = client.post("/admin/emails/retry", data={"id": "all"}, follow_redirects=True)
    assert "1 e-mail will be sent again." in response.get_data(as_text=True)
    drain()
    assert [m["To"] for m in sink.messages] == ["anna@example.com"]
    assert "No e-mail has failed for good." in client.get("/admin/emails").get_data(as_text=True)


def test_parallel_retries_send_each_email_exactly_once(app, make_account, start_smtp):
    from cmr_app import sender
    from cmr_app.extensions import db
    from cmr_app.services import outbox
    owner = make_account()
    with app.app_context():
        for n in range(30):
            outbox.record(f"r{n}@example.com", "Hello", "Body", kind="test", company_id=owner.company_id)
        db.session.commit()
        db.session.info.clear()  # these rows are for the parallel retries below, not for this context
    sink = start_smtp()

    def retry(_):
        with app.app_context():
            return sender.retry_due()
    results = run_together(retry, 4)  # fails if any of the four retries raised
    assert sum(r["sent"] for r in results) == 30
    assert sorted(m["To"] for m in sink.messages) == sorted(f"r{n}@example.com" for n in range(30))
