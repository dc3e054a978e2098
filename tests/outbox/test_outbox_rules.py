"""The outbox's rules: an e-mail exists only if what caused it was saved, a header
cannot be broken by what users type, and `jobs daily` sends what waited."""
from __future__ import annotations

import json

import pytest

from tests.billing.conftest import INVOICE_PL
from tests.conftest import REDIS_URL


def test_a_line_break_in_the_company_name_does_not_break_the_invitation(app, client, make_account, login, mailbox):
    owner = make_account(company="Spedycja Test")
    # Registration refuses line breaks now (inputs.py); a name saved before that may have one.
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.models import Company
        db.session.get(Company, owner.company_id).name = "Spedycja\r\nTest"
        db.session.commit()
    login(owner)
    response = client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
    assert response.status_code == 303
    [message] = mailbox.to("anna@example.com")
    assert message["Subject"] == "You are invited to Spedycja Test on CMR Online"


def test_a_refused_order_records_no_email(make_account, api_for, outbox_rows):
    api = api_for(make_account(plan="free"))
    refused = api.post("/orders", json={"plan": "standard", "period_months": 12,
                                        "invoice": {**INVOICE_PL, "tax_id": "123"}})
    assert refused.status_code == 422
    assert outbox_rows() == []


def test_jobs_daily_sends_what_waited(app, client, make_account, login, runner, mail_dir, outbox_rows):
    from cmr_app.extensions import db
    from cmr_app.services import outbox
    owner = make_account()
    with app.app_context():
        outbox.record("anna@example.com", "Waiting", "Body", kind="test", company_id=owner.company_id)
        db.session.commit()
        db.session.info.clear()  # as if the hand-over had failed: only the row is left
    result = runner.invoke(args=["jobs", "daily"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mail"]["sent"] == 1
    assert [status for _to, _k, status, *_ in outbox_rows()] == ["sent"]
    assert [p for p in mail_dir.glob("*.eml")] != []


@pytest.mark.skipif(bool(REDIS_URL), reason="the inline path: without Redis")
def test_without_redis_the_email_goes_out_inline_before_the_answer_returns(client, make_account, login,
                                                                          mail_dir, outbox_rows):
    login(make_account())
    client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "viewer"})
    assert [(to, status) for to, _k, status, *_ in outbox_rows()] == [("anna@example.com", "sent")]
    assert len(list(mail_dir.glob("*.eml"))) == 1
