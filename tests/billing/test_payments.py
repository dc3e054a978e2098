"""Booking payments: by admins (CLI), through the fake provider's signed callback; twice,
in parallel and forged (PLANS.md, MISSION.md §4)."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from tests.billing.conftest import INVOICE_PL

NOW = "2026-11-21T10:00:00+00:00"


@pytest.fixture
def ordered(make_account, api_for):
    """A company on its trial with a Standard order for 12 months: its pro-forma."""
    with time_machine.travel(NOW, tick=False):
        api = api_for(make_account(plan="free"))
        proforma = api.post("/orders", json={"plan": "standard", "period_months": 12,
                                             "invoice": INVOICE_PL}).get_json()["proforma"]
    return api, proforma


def test_admin_books_a_payment_and_the_plan_starts(ordered, runner, smtp, drain):
    api, proforma = ordered
    with time_machine.travel("2026-11-25T09:00:00+00:00", tick=False):
        result = runner.invoke(args=["billing", "book-payment", proforma["number"]])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {"invoice": "FV/1/11/2026", "booked": True}
        again = runner.invoke(args=["billing", "book-payment", proforma["number"]])
        assert json.loads(again.output) == {"invoice": "FV/1/11/2026", "booked": False}
        account = api.get("/account").get_json()
    assert account["subscription"]["status"] == "active"
    assert account["subscription"]["period_start"] == "2026-11-25T09:00:00+00:00"
    assert account["subscription"]["period_end"] == "2027-11-25T09:00:00+00:00"
    kinds = [(i["kind"], i["number"], i["status"]) for i in api.get("/invoices").get_json()["items"]]
    assert ("invoice", "FV/1/11/2026", "paid") in kinds and ("proforma", proforma["number"], "paid") in kinds
    drain()
    owner = account["user"]["email"]
    paid_mail = [m for m in smtp.to(owner) if "FV/1/11/2026" in m["Subject"]]
    assert len(paid_mail) == 1
    assert "/billing/" in paid_mail[0].get_body(("plain",)).get_content()
    # After the trial the paid plan stays in force.
    with time_machine.travel("2027-01-10T09:00:00+00:00", tick=False):
        assert api.get("/account").get_json()["plan"]["code"] == "standard"
        assert api.put("/account/features/templates", json={"enabled": True}).status_code == 200


def test_a_wrong_amount_books_nothing(ordered, runner):
    api, proforma = ordered
    result = runner.invoke(args=["billing", "book-payment", proforma["number"], "--amount", "600.00"])
    assert result.exit_code != 0 and "does not match" in result.output
    assert api.get("/account").get_json()["subscription"] is None
    assert runner.invoke(args=["billing", "book-payment", "PF/99/11/2026"]).exit_code != 0


def _notify(client, body: bytes, signature: str):
    return client.post("/payments/fake/notify", data=body, headers={"X-Signature": signature,
                                                                    "Content-Type": "application/json"})


def _signed(app, proforma_number: str, amount: str, transaction="T-1"):
    from cmr_app.services.payments import provider
    body = json.dumps({"order": proforma_number, "amount": amount, "transaction_id": transaction}).encode()
    with app.app_context():
        return body, provider("fake").sign(body)


def test_forged_and_wrong_callbacks_book_nothing_and_are_logged(app, client, ordered):
    api, proforma = ordered
    body, signature = _signed(app, proforma["number"], proforma["gross"])
    assert _notify(client, body, "0" * 64).status_code == 400
    assert _notify(client, body.replace(b"T-1", b"T-2"), signature).status_code == 400
    wrong_body, wrong_signature = _signed(app, proforma["number"], "1.00")
    assert _notify(client, wrong_body, wrong_signature).status_code == 409
    assert api.get("/account").get_json()["subscription"] is None
    with app.app_context():
        from cmr_app.services.payments import refused_events
        problems = [e.problem for e in refused_events()]
    assert len(problems) == 3 and any("signature" in p for p in problems)


def test_the_same_notification_twice_books_once(app, client, ordered):
    api, proforma = ordered
    body, signature = _signed(app, proforma["number"], proforma["gross"])
    with time_machine.travel("2026-11-23T10:00:00+00:00", tick=False):
        first, second = _notify(client, body, signature), _notify(client, body, signature)
    assert first.status_code == second.status_code == 200
    assert first.get_json()["invoice"] == second.get_json()["invoice"] == "FV/1/11/2026"
    invoices = [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"]
    assert len(invoices) == 1


def test_the_fake_checkout_pays_through_a_signed_callback(app, client, ordered, make_account):
    api, proforma = ordered
    token = proforma["pdf_url"].rsplit("/", 1)[1].removesuffix(".pdf")
    page = client.get(f"/pay/fake/{token}")
    assert page.status_code == 200 and proforma["gross"] in page.get_data(as_text=True)
    response = client.post(f"/pay/fake/{token}", data={"action": "pay"})
    assert response.status_code == 302
    assert api.get("/account").get_json()["subscription"]["plan"] == "standard"


def test_invoice_numbers_have_no_gaps_under_concurrent_bookings(app, make_account, api_for):
    proformas = []
    for _ in range(12):
        api = api_for(make_account(plan="free"))
        proformas.append(api.post("/orders", json={"plan": "pro", "period_months": 12,
                                                   "invoice": INVOICE_PL}).get_json()["proforma"])
    payloads = [_signed(app, p["number"], p["gross"], f"T-{i}") for i, p in enumerate(proformas)]
    payloads += payloads[:4]  # some notifications arrive twice, at the same moment

    def send(item):
        return app.test_client().post("/payments/fake/notify", data=item[0],
                                      headers={"X-Signature": item[1]})
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(send, payloads))
    assert [r.status_code for r in responses] == [200] * 16
    numbers = {r.get_json()["invoice"] for r in responses}
    month = {n.split("/", 2)[2] for n in numbers}
    assert len(month) == 1
    assert sorted(int(n.split("/")[1]) for n in numbers) == list(range(1, 13))


def test_deleting_the_account_keeps_the_operators_invoices(app, ordered, runner):
    api, proforma = ordered
    with time_machine.travel("2026-11-23T10:00:00+00:00", tick=False):
        runner.invoke(args=["billing", "book-payment", proforma["number"]])
    user_id = api.get("/account").get_json()["user"]["id"]
    from sqlalchemy import select
    from cmr_app.extensions import db
    from cmr_app.models import BillingDocument, Company, Document, User
    from cmr_app.services import accounts
    api.post("/documents", json={"sender": {"name": "A"}})
    with app.test_request_context():
        owner = db.session.get(User, user_id)
        company_id = owner.company_id
        accounts.delete_company(owner)
        assert db.session.get(Company, company_id) is None
        assert db.session.scalars(select(Document).execution_options(all_tenants=True)).all() == []
        kept = db.session.scalars(select(BillingDocument)).all()
        assert {d.number for d in kept} == {proforma["number"], "FV/1/11/2026"}
        assert all(d.company_id is None for d in kept)  # detached from the deleted company
        assert kept[0].data["buyer"]["tax_id"] == "7010847517"  # the invoice itself is unchanged
    assert api.get("/account").status_code == 401


def _almost(gross: str) -> str:
    """602.695 for 602.70: what rounding half-up used to turn into the amount due."""
    from decimal import Decimal
    return str(Decimal(gross) - Decimal("0.005"))


def test_a_notification_with_more_than_two_decimal_places_books_nothing(app, client, ordered):
    api, proforma = ordered
    body, signature = _signed(app, proforma["number"], _almost(proforma["gross"]))
    response = _notify(client, body, signature)
    assert response.status_code == 409
    assert "more than two decimal places" in response.get_json()["error"]["message"]
    assert api.get("/account").get_json()["subscription"] is None
    assert [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"] == []
    with app.app_context():
        from cmr_app.services.payments import refused_events
        assert ["more than two decimal places" in e.problem for e in refused_events()] == [True]


def test_a_notification_in_another_currency_books_nothing(app, client, ordered):
    api, proforma = ordered
    from cmr_app.services.payments import provider
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"], "currency": "EUR",
                       "transaction_id": "T-EUR"}).encode()
    with app.app_context():
        signature = provider("fake").sign(body)
    assert _notify(client, body, signature).status_code == 400
    assert api.get("/account").get_json()["subscription"] is None


@pytest.mark.parametrize("amount", ["almost", "NaN", "1e999", "six hundred"])
def test_the_cli_refuses_amounts_that_are_not_exactly_due(ordered, runner, amount):
    api, proforma = ordered
    typed = _almost(proforma["gross"]) if amount == "almost" else amount
    result = runner.invoke(args=["billing", "book-payment", proforma["number"], "--amount", typed])
    assert result.exit_code != 0
    assert ("more than two decimal places" if amount == "almost" else "not a number") in result.output
    assert api.get("/account").get_json()["subscription"] is None


def test_the_cli_takes_the_exact_amount_with_trailing_zeros(ordered, runner):
    api, proforma = ordered
    result = runner.invoke(args=["billing", "book-payment", proforma["number"], "--amount", proforma["gross"] + "0"])
    assert result.exit_code == 0, result.output
    assert api.get("/account").get_json()["subscription"]["plan"] == "standard"


def test_refused_notifications_are_rate_limited_and_counted_not_stored_again(app, client, ordered):
    api, proforma = ordered
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"],
                       "transaction_id": "FORGED"}).encode()
    statuses = [_notify(client, body, "").status_code for _ in range(30)]
    assert statuses == [400] * 20 + [429] * 10
    with app.app_context():
        from cmr_app.services.payments import refused_events
        events = refused_events()
    assert [(e.repeats, "FORGED" in e.payload) for e in events] == [(20, True)]
    assert api.get("/account").get_json()["subscription"] is None


def test_accepted_notifications_are_not_rate_limited(app, client, ordered):
    api, proforma = ordered
    body, signature = _signed(app, proforma["number"], proforma["gross"])
    with time_machine.travel("2026-11-23T10:00:00+00:00", tick=False):
        statuses = {_notify(client, body, signature).status_code for _ in range(25)}
    assert statuses == {200}


def test_the_refused_notification_log_keeps_only_the_newest_rows(app, client, ordered, monkeypatch):
    from cmr_app.services import payments
    monkeypatch.setattr(payments, "MAX_REFUSED_EVENTS", 5)
    api, proforma = ordered
    huge = "x" * 50_000
    for i in range(8):
        body = json.dumps({"order": proforma["number"], "amount": proforma["gross"],
                           "transaction_id": f"FORGED-{i}", "junk": huge}).encode()
        assert _notify(client, body, "0" * 64).status_code == 400
    with app.app_context():
        events = payments.refused_events()
    assert [json.loads(e.payload[:e.payload.index(', "junk"')] + "}")["transaction_id"] for e in events] == [
        f"FORGED-{i}" for i in range(7, 2, -1)]
    assert all(len(e.payload) == payments.PAYLOAD_KEPT for e in events)
