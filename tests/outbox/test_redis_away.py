"""Redis is an accelerator, not a single point of failure: with REDIS_URL pointing at a
closed port every page still answers, rate limits are still counted (in memory), and
e-mails caused meanwhile wait in the outbox until `flask mail retry` sends them."""
from __future__ import annotations

import json

import pytest

from tests.billing.conftest import INVOICE_PL
from tests.conftest import sample_document
from tests.outbox.conftest import REDIS_AWAY, delivered


@pytest.fixture
def app_config(app_config):
    return {**app_config, "REDIS_URL": REDIS_AWAY}


def test_login_reset_and_the_drivers_page_answer_with_redis_away(client, make_account, api_for, login):
    owner = make_account()
    doc = api_for(owner).post("/documents", json=sample_document()).get_json()
    assert client.get("/login").status_code == 200
    login(owner)
    assert client.get("/documents").status_code == 200
    client.post("/logout")

    response = client.post("/password/forgot", data={"email": owner.email}, follow_redirects=True)
    assert response.status_code == 200
    assert "a link to set a new password is on its way" in response.get_data(as_text=True)

    path = doc["public_url"].replace("http://cmr.test", "")
    page = client.get(path)
    assert page.status_code == 200 and doc["number"] in page.get_data(as_text=True)
    assert client.get(path + ".pdf").data.startswith(b"%PDF")


def test_rate_limits_still_hold_in_memory_with_redis_away(client, make_account):
    owner = make_account()
    # The per-address limit (5 failed a minute) and the per-client one (10 a minute) both
    # count in memory while Redis is away.
    answers = [client.post("/login", data={"email": owner.email, "password": "wrong password"}).status_code
               for _ in range(6)]
    assert answers == [200] * 5 + [429]  # the form again, with its error, then the limit
    others = [client.post("/login", data={"email": f"nobody{i}@example.com", "password": "x"}).status_code
              for i in range(6)]
    # Five more from this client pass (the one refused above by the address limit was not
    # counted against the client); the sixth is over the client's 10 a minute.
    assert others == [200] * 5 + [429]


def test_an_invitation_and_an_order_made_with_redis_away_are_delivered_by_mail_retry(
        client, make_account, api_for, login, runner, mail_dir, outbox_rows):
    owner = login(make_account(company="Spedycja Test"))
    invited = client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"},
                          follow_redirects=True)
    assert "An invitation is on its way to anna@example.com" in invited.get_data(as_text=True)
    order = api_for(owner).post("/orders", json={"plan": "standard", "period_months": 12, "invoice": INVOICE_PL})
    assert order.status_code == 201

    # Saved with what caused them; the queue could not take them, so they wait.
    assert delivered(mail_dir) == []
    assert [(to, kind, status) for to, kind, status, *_ in outbox_rows()] == [
        ("anna@example.com", "invite", "pending"), (owner.email, "proforma_issued", "pending")]

    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sent": 2, "failed": 0, "skipped": 0, "waiting": 0, "failed_total": 0}
    messages = delivered(mail_dir)
    assert sorted(m["To"] for m in messages) == sorted(["anna@example.com", owner.email])
    invitation = next(m for m in messages if m["To"] == "anna@example.com")
    assert "Spedycja Test" in invitation.get_body(("plain",)).get_content()
    proforma = next(m for m in messages if m["To"] == owner.email)
    [pdf] = list(proforma.iter_attachments())
    assert pdf.get_content().startswith(b"%PDF")

    # Run again: nothing is sent twice.
    assert json.loads(runner.invoke(args=["mail", "retry"]).output)["sent"] == 0
    assert len(delivered(mail_dir)) == 2
