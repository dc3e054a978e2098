"""Billing documents as an accountant expects them: the pro-forma with the seller's IBAN
and BIC (none issued while the seller data is incomplete), cancelling an unpaid
pro-forma, a new order replacing the open one, and `GET /invoices` items with `id`."""
from __future__ import annotations

import io

import pytest
import time_machine
from pypdf import PdfReader

from tests.billing.conftest import INVOICE_DE, INVOICE_PL
from tests.pdf_helpers import pdf_pages_text, squash

NOW = "2026-11-21T10:00:00+00:00"


def _order(api, plan="standard", period=12, invoice=INVOICE_PL, **extra):
    with time_machine.travel(NOW, tick=False):
        return api.post("/orders", json={"plan": plan, "period_months": period, "invoice": invoice, **extra})


def _items(api):
    return api.get("/invoices").get_json()["items"]


def test_no_pro_forma_while_the_seller_has_no_bank_account(app, make_account, api_for):
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.services import billing
        billing.seller().bank_swift = ""
        db.session.commit()
    api = api_for(make_account(plan="free"))
    refused = _order(api)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "seller_incomplete" and error["details"]["missing"] == ["bank_swift"]
    assert _items(api) == []


def test_the_pro_forma_shows_iban_and_bic_the_due_date_once_and_no_date_of_sale(make_account, api_for, client):
    api = api_for(make_account(plan="free"))
    proforma = _order(api).get_json()["proforma"]
    pdf = client.get(proforma["pdf_url"].replace("http://cmr.test", "")).data
    text = "".join(pdf_pages_text(pdf))
    assert "PL61 1090 1014 0000 0712 1981 2874" in text and "BREXPLPW" in text
    assert text.count("2026-11-28") == 1  # due 7 days after issue, printed once
    assert "Date of sale" not in text and "Data sprzedaży" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata["/CreationDate"].startswith("D:20261121")


def test_a_reverse_charge_invoice_shows_the_seller_nip_with_pl(make_account, api_for, runner, client):
    api = api_for(make_account(plan="free"))
    proforma = _order(api, invoice=INVOICE_DE).get_json()["proforma"]
    with time_machine.travel("2026-11-23T09:00:00+00:00", tick=False):
        assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
    invoice = next(i for i in _items(api) if i["kind"] == "invoice")
    pdf = client.get(invoice["pdf_url"].replace("http://cmr.test", "")).data
    text = squash("".join(pdf_pages_text(pdf)))
    assert "PL7010847517" in text
    assert PdfReader(io.BytesIO(pdf)).metadata["/CreationDate"].startswith("D:20261123")


def test_a_card_paid_invoice_has_no_transfer_block(make_account, api_for, client, app):
    api = api_for(make_account(plan="free"))
    order = _order(api, payment_method="card").get_json()
    with app.test_request_context(base_url="http://cmr.test"):
        from cmr_app.extensions import db
        from cmr_app.models import Order
        from cmr_app.services import billing
        billing.book_payment(db.session.get(Order, order["id"]), order["proforma"]["gross"], provider="fake",
                             external_id="T-card")
    invoice = next(i for i in _items(api) if i["kind"] == "invoice")
    text = "".join(pdf_pages_text(client.get(invoice["pdf_url"].replace("http://cmr.test", "")).data))
    assert "karta / card" in text
    assert "IBAN" not in text and "Transfer title" not in text and "BREXPLPW" not in text


def test_an_unpaid_pro_forma_can_be_cancelled_and_then_not_paid(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    proforma = _order(api).get_json()["proforma"]
    [item] = _items(api)
    assert item["id"] and item["number"] == proforma["number"]
    done = api.post(f"/invoices/{item['id']}/cancel")
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    again = api.post(f"/invoices/{item['id']}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.get_json()["error"]["message"]
    result = runner.invoke(args=["billing", "book-payment", proforma["number"]])
    assert result.exit_code != 0 and "cannot be paid" in result.output
    pdf = api.client.get(proforma["pdf_url"].replace("http://cmr.test", "")).data
    assert "CANCELLED – do not pay" in "".join(pdf_pages_text(pdf))
    assert api.get("/account").get_json()["subscription"] is None


def test_a_paid_pro_forma_or_an_invoice_cannot_be_cancelled_nor_another_companys(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    proforma = _order(api).get_json()["proforma"]
    assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
    items = {i["kind"]: i for i in _items(api)}
    paid = api.post(f"/invoices/{items['proforma']['id']}/cancel")
    assert paid.status_code == 409 and "paid" in paid.get_json()["error"]["message"]
    assert api.post(f"/invoices/{items['invoice']['id']}/cancel").status_code == 409
    other = api_for(make_account(plan="free"))
    assert other.post(f"/invoices/{items['proforma']['id']}/cancel").status_code == 404


def test_a_new_order_for_another_plan_cancels_the_open_one(make_account, api_for):
    api = api_for(make_account(plan="free"))
    first = _order(api, plan="standard").get_json()["proforma"]
    second = _order(api, plan="pro")
    assert second.status_code == 201
    assert second.get_json()["cancelled_proformas"] == [first["number"]]
    statuses = {i["number"]: i["status"] for i in _items(api)}
    assert statuses[first["number"]] == "cancelled" and statuses[second.get_json()["proforma"]["number"]] == "pending"


def test_the_same_order_again_says_why_not(make_account, api_for):
    api = api_for(make_account(plan="free"))
    first = _order(api).get_json()["proforma"]
    again = _order(api)
    assert again.status_code == 409
    assert first["number"] in again.get_json()["error"]["message"]
    assert len(_items(api)) == 1


def test_the_renderer_refuses_totals_that_are_not_the_sum_of_the_lines():
    from renderers.invoice import render_billing_document
    data = {"kind": "invoice", "number": "FV/1/11/2026", "issue_date": "2026-11-21",
            "lines": [{"description": "x", "quantity": "1", "net_price": "100.00", "net": "100.00",
                       "vat_rate": "23", "vat": "23.00", "gross": "123.00"}],
            "totals": {"net": "100.00", "vat": "23.00", "gross": "124.00"}}
    with pytest.raises(ValueError, match="gross"):
        render_billing_document(data)
    data["totals"]["gross"] = "123.00"
    assert render_billing_document(data).startswith(b"%PDF")


def test_an_invoice_issued_before_ksef_gets_its_xml_but_is_not_queued(make_account, api_for, runner, app):
    api = api_for(make_account(plan="free"))
    proforma = _order(api).get_json()["proforma"]
    assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
    invoice = next(i for i in _items(api) if i["kind"] == "invoice")
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.models import BillingDocument
        document = db.session.get(BillingDocument, invoice["id"])
        document.ksef_status = document.ksef_xml = None  # as the migration leaves older invoices
        db.session.commit()
    assert api.get(f"/invoices/{invoice['id']}/ksef.xml").status_code == 200
    with app.app_context():
        from cmr_app.services import ksef
        assert ksef.queue() == [] and ksef.due_ids(ignore_backoff=True) == []


def test_a_pro_forma_and_an_invoice_made_as_midnight_strikes_name_one_day(app, make_account, api_for, monkeypatch):
    """The clock read once per document: its number's month, its dates and its time of
    issue agree even when the month ends between two lines of the code that makes it."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from cmr_app import clock
    from cmr_app.extensions import db
    from cmr_app.models import BillingDocument, Order
    from cmr_app.services import billing

    midnight = datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc)  # 1 December 00:00 in Warsaw
    reads = {"count": 0, "cross_after": None}
    real_now = clock.now

    def stepping():  # every read a millisecond later; midnight falls after read `cross_after`
        reads["count"] += 1
        step = reads["count"] - reads["cross_after"]
        return midnight + timedelta(milliseconds=step - (1 if step <= 0 else 0))

    def consistent(doc: BillingDocument) -> None:
        issued = doc.issued_at if doc.issued_at.tzinfo else doc.issued_at.replace(tzinfo=timezone.utc)  # SQLite
        local = issued.astimezone(ZoneInfo("Europe/Warsaw"))
        day = local.date()
        assert doc.data["issue_date"] == day.isoformat(), (doc.number, doc.data["issue_date"], local)
        assert doc.number.endswith(f"/{day:%m}/{day:%Y}"), (doc.number, local)
        if doc.kind == "invoice":
            assert doc.data["paid_date"] == doc.data["sale_date"] == day.isoformat()

    for cross_after in range(1, 9):  # every place the month can end among the reads
        api = api_for(make_account(plan="free"))
        reads.update(count=0, cross_after=cross_after)
        monkeypatch.setattr(clock, "now", stepping)
        order = api.post("/orders", json={"plan": "standard", "period_months": 12, "invoice": INVOICE_PL})
        monkeypatch.setattr(clock, "now", real_now)
        assert order.status_code == 201, order.get_json()
        order = order.get_json()
        reads.update(count=0, cross_after=cross_after)
        monkeypatch.setattr(clock, "now", stepping)
        with app.test_request_context(base_url="http://cmr.test"):
            billing.book_payment(db.session.get(Order, order["id"]), order["proforma"]["gross"], provider="fake",
                                 external_id=f"T-{cross_after}")
        monkeypatch.setattr(clock, "now", real_now)
        with app.app_context():
            documents = db.session.scalars(db.select(BillingDocument).where(BillingDocument.order_id == order["id"])
                                           .order_by(BillingDocument.id)).all()
            assert [d.kind for d in documents] == ["proforma", "invoice"]
            for doc in documents:
                consistent(doc)
