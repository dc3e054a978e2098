"""The daily job: trial notices, renewal pro-formas 14 days before the end (exactly once),
payment before the end, lapse at the end, card auto-renewal (PLANS.md, terms §5.9–5.10)."""
from __future__ import annotations

import json
import pytest
import time_machine

from tests.billing.conftest import INVOICE_PL
from tests.parallel import run_together


def daily(runner) -> dict:
    result = runner.invoke(args=["jobs", "daily"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def subscribed(make_account, api_for, runner):
    """Standard for 12 months, paid on 2026-01-10 10:00 UTC: it ends 2027-01-10 10:00 UTC."""
    def make(payment_method="transfer"):
        with time_machine.travel("2026-01-10T10:00:00+00:00", tick=False):
            api = api_for(make_account(plan="free"))
            proforma = api.post("/orders", json={"plan": "standard", "period_months": 12,
                                                 "payment_method": payment_method,
                                                 "invoice": INVOICE_PL}).get_json()["proforma"]
            assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
        return api
    return make


def renewal_mails(smtp, api):
    owner = api.get("/account").get_json()["user"]["email"]
    return [m for m in smtp.to(owner) if "Renew" in m["Subject"]]


def test_renewal_proforma_goes_out_once_14_days_before_the_end(subscribed, runner, smtp, drain):
    api = subscribed()
    with time_machine.travel("2026-12-27T09:59:59+00:00", tick=False):  # 14 days + 1 s before the end
        assert daily(runner)["renewal_proformas"] == 0
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):  # exactly 14 days before
        assert daily(runner)["renewal_proformas"] == 1
        assert daily(runner)["renewal_proformas"] == 0
    with time_machine.travel("2027-01-01T10:00:00+00:00", tick=False):
        assert daily(runner)["renewal_proformas"] == 0
    drain()
    [mail] = renewal_mails(smtp, api)
    [(name, pdf)] = smtp.attachments(mail)
    assert name.startswith("PF-") and pdf.startswith(b"%PDF")
    proformas = [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "proforma"]
    assert len(proformas) == 2


def test_parallel_daily_runs_make_one_renewal(app, subscribed, smtp, drain):
    api = subscribed()

    def run(_):
        # The CLI's output capture is process-wide, so the threads call the job directly.
        from cmr_app.services import jobs
        with app.test_request_context(base_url="http://cmr.test"):
            return jobs.run_daily()
    with time_machine.travel("2027-01-01T10:00:00+00:00", tick=False):
        results = run_together(run, 4)  # fails if any of the four runs raised
    assert sorted(r["renewal_proformas"] for r in results) == [0, 0, 0, 1]
    drain()
    assert len(renewal_mails(smtp, api)) == 1


def test_paid_before_the_end_the_new_period_starts_where_the_old_ends(subscribed, runner):
    api = subscribed()
    with time_machine.travel("2027-01-01T10:00:00+00:00", tick=False):
        daily(runner)
        renewal = next(i for i in api.get("/invoices").get_json()["items"]
                       if i["kind"] == "proforma" and i["status"] == "pending")
        assert runner.invoke(args=["billing", "book-payment", renewal["number"]]).exit_code == 0
        subscription = api.get("/account").get_json()["subscription"]
    assert subscription["period_end"] == "2028-01-10T10:00:00+00:00"
    with time_machine.travel("2027-01-10T10:00:00+00:00", tick=False):
        assert daily(runner)["lapsed"] == 0
        assert api.get("/account").get_json()["plan"]["code"] == "standard"


def test_unpaid_at_the_end_the_account_falls_back_to_free(subscribed, runner, smtp, drain):
    api = subscribed()
    with time_machine.travel("2027-01-01T10:00:00+00:00", tick=False):
        daily(runner)
    with time_machine.travel("2027-01-10T09:59:59+00:00", tick=False):
        assert daily(runner)["lapsed"] == 0
        assert api.get("/account").get_json()["plan"]["code"] == "standard"
    with time_machine.travel("2027-01-10T10:00:00+00:00", tick=False):
        assert api.get("/account").get_json()["plan"]["code"] == "free"
        assert daily(runner)["lapsed"] == 1
        assert daily(runner)["lapsed"] == 0
        account = api.get("/account").get_json()
    assert account["subscription"]["status"] == "lapsed"
    drain()
    owner = account["user"]["email"]
    assert len([m for m in smtp.to(owner) if "ended" in m["Subject"]]) == 1


def test_card_auto_renewal_can_be_cancelled_until_14_days_before(subscribed, runner):
    api = subscribed(payment_method="card")
    assert api.get("/account").get_json()["subscription"]["auto_renew"] is True
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        assert api.put("/account/auto-renew", json={"enabled": False}).status_code == 200
        assert api.put("/account/auto-renew", json={"enabled": True}).status_code == 200
    with time_machine.travel("2026-12-27T10:00:01+00:00", tick=False):
        refused = api.put("/account/auto-renew", json={"enabled": False})
        assert refused.status_code == 409
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 1 and result["lapsed"] == 0
        subscription = api.get("/account").get_json()["subscription"]
    assert subscription["period_end"] == "2028-01-10T10:00:00+00:00"


def test_trial_reminder_and_end_are_sent_once(make_account, runner, smtp, drain):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        owner = make_account(plan="standard")
    # The trial ends at 00:00 on 21 Dec in Warsaw (23:00 UTC on the 20th); the reminder is
    # due from 00:00 on 18 Dec, Warsaw.
    with time_machine.travel("2026-12-17T22:59:00+00:00", tick=False):
        assert daily(runner)["trial_reminder"] == 0
    with time_machine.travel("2026-12-17T23:00:00+00:00", tick=False):
        assert daily(runner)["trial_reminder"] == 1
        assert daily(runner)["trial_reminder"] == 0
    with time_machine.travel("2026-12-20T22:59:00+00:00", tick=False):
        assert daily(runner) == {**daily(runner), "trial_ended": 0}
    with time_machine.travel("2026-12-20T23:00:00+00:00", tick=False):
        assert daily(runner)["trial_ended"] == 1
        assert daily(runner)["trial_ended"] == 0
    drain()
    subjects = [m["Subject"] for m in smtp.to(owner.email)]
    assert subjects == ["Your trial ends in 3 days", "Your trial has ended"]
    assert "December 20, 2026" in smtp.to(owner.email)[0].get_body(("plain",)).get_content()


def test_moving_down_between_paid_plans_waits_for_the_renewal(make_account, api_for, runner):
    with time_machine.travel("2026-01-10T10:00:00+00:00", tick=False):
        api = api_for(make_account(plan="free"))
        proforma = api.post("/orders", json={"plan": "pro", "period_months": 12,
                                             "invoice": INVOICE_PL}).get_json()["proforma"]
        runner.invoke(args=["billing", "book-payment", proforma["number"]])
    with time_machine.travel("2026-06-01T10:00:00+00:00", tick=False):
        account = api.put("/account/plan", json={"plan": "standard"}).get_json()
        assert account["plan"]["code"] == "pro" and account["subscription"]["next_plan"] == "standard"
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        daily(runner)
        renewal = next(i for i in api.get("/invoices").get_json()["items"]
                       if i["kind"] == "proforma" and i["status"] == "pending")
        assert renewal["net"] == "490.00"  # Standard at current prices, same 12 months
        runner.invoke(args=["billing", "book-payment", renewal["number"]])
    with time_machine.travel("2027-01-10T09:59:59+00:00", tick=False):
        assert api.get("/account").get_json()["plan"]["code"] == "pro"  # paid ahead, not yet in force
    with time_machine.travel("2027-01-10T10:00:01+00:00", tick=False):
        account = api.get("/account").get_json()
        assert account["plan"]["code"] == "standard"
        assert account["subscription"]["period_end"] == "2028-01-10T10:00:00+00:00"


def test_moving_to_free_ends_the_paid_plan_at_once(subscribed, runner):
    api = subscribed()
    with time_machine.travel("2026-06-01T10:00:00+00:00", tick=False):
        account = api.put("/account/plan", json={"plan": "free"}).get_json()
        assert account["plan"]["code"] == "free" and account["subscription"]["status"] == "cancelled"
        # The next request reads the paid plan in its first query: the paid year still
        # runs, the cancelled subscription decides.
        assert api.get("/account").get_json()["plan"]["code"] == "free"
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        assert daily(runner)["renewal_proformas"] == 0


def test_the_renewal_pro_forma_waits_while_the_seller_data_is_incomplete(app, subscribed, runner):
    api = subscribed()
    from cmr_app.extensions import db
    from cmr_app.services import billing
    with app.app_context():
        billing.seller().bank_account = ""
        db.session.commit()
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        assert daily(runner)["renewal_proformas"] == 0  # the daily run goes on with everything else
    with app.app_context():
        billing.seller().bank_account = "PL61109010140000071219812874"
        db.session.commit()
    with time_machine.travel("2026-12-28T10:00:00+00:00", tick=False):
        assert daily(runner)["renewal_proformas"] == 1
    assert len([i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "proforma"]) == 2
