"""KSeF: every VAT invoice as FA(3) XML checked against the official schema, sent in an
online session to a local stand-in of the KSeF endpoints (real cryptography), waiting
while KSeF is away and sent later by `flask ksef send`; an invalid one is never sent."""
from __future__ import annotations

import json

import pytest
import time_machine
from lxml import etree

from tests.billing.conftest import INVOICE_DE, INVOICE_PL
from tests.billing.ksef_standin import KsefStandIn

NOW = "2026-11-21T10:00:00+00:00"
PAID = "2026-11-25T09:00:00+00:00"
NIP = "7010847517"
TOKEN = "20261121-EC-ABCDEF1234-0123456789-AB|nip-7010847517|0123456789abcdef"
INVOICE_CH = {"name": "Alpentransport AG", "address": "Bahnhofstrasse 1", "postal_code": "8001",
              "city": "Zürich", "country": "CH", "tax_id": "CHE-116.281.710"}
FA = {"fa": "http://crd.gov.pl/wzor/2025/06/25/13775/"}


def _closed_port() -> int:
    return 1  # tcpmux: nothing listens there (a free port found now could be taken by another process later)


@pytest.fixture
def standin():
    server = KsefStandIn(token=TOKEN, nip=NIP)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ksef_config(app, standin):
    app.config.update(KSEF_URL=standin.url, KSEF_TOKEN=TOKEN, KSEF_NIP=NIP, KSEF_QR_URL="https://qr-test.ksef.mf.gov.pl")
    return app.config


def _order_and_pay(api, runner, invoice: dict, plan="standard") -> dict:
    with time_machine.travel(NOW, tick=False):
        proforma = api.post("/orders", json={"plan": plan, "period_months": 12,
                                             "invoice": invoice}).get_json()["proforma"]
    with time_machine.travel(PAID, tick=False):
        result = runner.invoke(args=["billing", "book-payment", proforma["number"]])
        assert result.exit_code == 0, result.output
    return next(i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice")


def _xml(api, invoice) -> etree._Element:
    response = api.get(f"/invoices/{invoice['id']}/ksef.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    from ksef_client.documents.fa3 import validate_fa3_xml_xsd
    validate_fa3_xml_xsd(response.data)  # the official FA(3) schema, shipped with ksef-client
    return etree.fromstring(response.data)


def _text(root, path):
    return root.findtext(path, namespaces=FA)


def test_a_domestic_invoice_is_valid_fa3_xml(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    root = _xml(api, invoice)
    assert _text(root, "fa:Podmiot1/fa:DaneIdentyfikacyjne/fa:NIP") == NIP
    assert _text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NIP") == INVOICE_PL["tax_id"]
    assert _text(root, "fa:Fa/fa:P_2") == invoice["number"]
    assert _text(root, "fa:Fa/fa:P_1") == "2026-11-25"
    assert _text(root, "fa:Fa/fa:FaWiersz/fa:P_12") == "23"
    assert _text(root, "fa:Fa/fa:P_15") == invoice["gross"]
    assert _text(root, "fa:Fa/fa:P_13_1") == invoice["net"] and _text(root, "fa:Fa/fa:P_14_1") == invoice["vat"]
    assert _text(root, "fa:Fa/fa:Adnotacje/fa:P_18") == "2"  # no reverse charge
    assert _text(root, "fa:Naglowek/fa:DataWytworzeniaFa") == "2026-11-25T09:00:00Z"
    # Without KSeF settings it waits, marked as not yet in KSeF.
    assert invoice["ksef_status"] == "pending" and invoice["ksef_number"] is None


def test_an_eu_reverse_charge_invoice_is_valid_fa3_xml(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_DE)
    root = _xml(api, invoice)
    buyer = "fa:Podmiot2/fa:DaneIdentyfikacyjne/"
    assert (_text(root, buyer + "fa:KodUE"), _text(root, buyer + "fa:NrVatUE")) == ("DE", "136695976")
    assert _text(root, "fa:Fa/fa:FaWiersz/fa:P_12") == "np II"
    assert _text(root, "fa:Fa/fa:P_13_9") == invoice["net"] and invoice["vat"] == "0.00"
    assert _text(root, "fa:Fa/fa:Adnotacje/fa:P_18") == "1"  # reverse charge
    assert _text(root, "fa:Fa/fa:P_15") == invoice["gross"] == invoice["net"]


def test_a_non_eu_invoice_is_valid_fa3_xml(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_CH)
    root = _xml(api, invoice)
    buyer = "fa:Podmiot2/fa:DaneIdentyfikacyjne/"
    assert (_text(root, buyer + "fa:KodKraju"), _text(root, buyer + "fa:NrID")) == ("CH", "CHE-116.281.710")
    assert _text(root, "fa:Podmiot2/fa:Adres/fa:KodKraju") == "CH"
    assert _text(root, "fa:Fa/fa:P_15") == invoice["gross"]


def test_the_xml_is_only_for_the_company_and_only_for_invoices(make_account, api_for, runner):
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    proforma = next(i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "proforma")
    other = api_for(make_account(plan="free"))
    assert other.get(f"/invoices/{invoice['id']}/ksef.xml").status_code == 404
    refused = api.get(f"/invoices/{proforma['id']}/ksef.xml")
    assert refused.status_code == 409 and "pro-forma" in refused.get_json()["error"]["message"]


def test_sending_stores_the_ksef_number_and_the_pdf_prints_it(make_account, api_for, runner, ksef_config,
                                                             standin, drain, app, client, tmp_path):
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    drain()  # with Redis the queue job runs here; without it the invoice went at once
    invoice = next(i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice")
    assert invoice["ksef_status"] == "sent"
    assert len(standin.received) == 1
    assert invoice["ksef_number"] == standin.received[0]["ksef_number"]
    from ksef_client.utils.ksef_number import validate_ksef_number
    assert validate_ksef_number(invoice["ksef_number"]).is_valid
    # What KSeF received is the XML served to the company, byte for byte.
    assert standin.received[0]["xml"] == api.get(f"/invoices/{invoice['id']}/ksef.xml").data
    with app.app_context():
        from cmr_app.models import BillingDocument
        from cmr_app.extensions import db
        document = db.session.get(BillingDocument, invoice["id"])
        assert document.ksef_url.startswith(f"https://qr-test.ksef.mf.gov.pl/invoice/{NIP}/25-11-2026/")
        url = document.ksef_url
    pdf = client.get(invoice["pdf_url"].replace("http://cmr.test", "")).data
    (tmp_path / "invoice.pdf").write_bytes(pdf)
    from tests.pdf_helpers import pdf_pages_text, squash
    text = squash("".join(pdf_pages_text(pdf)))
    assert invoice["ksef_number"] in text and squash(url) in text
    from renderers.qr import qr_runs
    assert qr_runs(url)[0] >= 21  # the link makes a readable code; drawn beside the number


def test_ksef_down_the_invoice_waits_and_ksef_send_sends_it_later(make_account, api_for, runner, app, standin,
                                                                 drain):
    app.config.update(KSEF_URL=f"http://127.0.0.1:{_closed_port()}", KSEF_TOKEN=TOKEN, KSEF_NIP=NIP,
                      KSEF_QR_URL="https://qr-test.ksef.mf.gov.pl")
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    drain()
    invoice = next(i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice")
    assert invoice["ksef_status"] == "pending" and invoice["ksef_number"] is None
    with app.app_context():
        from cmr_app.services import ksef
        waiting = ksef.queue()
        assert [d.number for d in waiting] == [invoice["number"]]
        assert "Network error" in waiting[0].ksef_error
    app.config["KSEF_URL"] = standin.url  # KSeF is back
    result = runner.invoke(args=["ksef", "send"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sent"] == 1
    invoice = next(i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice")
    assert invoice["ksef_status"] == "sent" and invoice["ksef_number"] == standin.received[0]["ksef_number"]
    again = runner.invoke(args=["ksef", "send"])
    assert json.loads(again.output).get("sent") is None and len(standin.received) == 1


def test_a_wrong_token_is_refused_and_shown_then_sent_after_the_fix(make_account, api_for, runner, app, ksef_config,
                                                                   standin, drain):
    app.config["KSEF_TOKEN"] = "not-the-token"
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    drain()
    with app.app_context():
        from cmr_app.services import ksef
        [document] = ksef.queue()
        assert document.ksef_status == "failed" and "450" in document.ksef_error
    app.config["KSEF_TOKEN"] = TOKEN
    assert json.loads(runner.invoke(args=["ksef", "send"]).output)["sent"] == 1
    assert standin.received and invoice["number"].encode() in standin.received[0]["xml"]


def test_an_invoice_failing_the_schema_is_never_sent_and_admins_see_why(make_account, api_for, runner, app,
                                                                      ksef_config, standin, drain):
    # Seller data saved before NIPs were checked: not a NIP the FA(3) schema accepts.
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.services import billing
        billing.seller().tax_id = "70108475"
        db.session.commit()
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    drain()
    assert runner.invoke(args=["ksef", "send"]).exit_code == 0
    assert standin.received == [] and not any("sessions/online" in r for r in standin.requests)
    with app.app_context():
        from cmr_app.services import ksef
        [document] = ksef.queue()
        assert document.ksef_status == "invalid" and "NIP" in document.ksef_error

    refused = api.get(f"/invoices/{invoice['id']}/ksef.xml")
    assert refused.status_code == 409
    assert invoice["ksef_status"] == "invalid"



def test_admins_see_what_waits_for_ksef_and_why(make_account, api_for, runner, app, client, drain):
    app.config.update(KSEF_URL=f"http://127.0.0.1:{_closed_port()}", KSEF_TOKEN=TOKEN, KSEF_NIP=NIP,
                      KSEF_QR_URL="https://qr-test.ksef.mf.gov.pl")
    api = api_for(make_account(plan="free"))
    waiting = _order_and_pay(api, runner, INVOICE_PL)
    drain()  # the queue's attempt (made at once without Redis) meets a closed port
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.services import billing
        billing.seller().tax_id = "70108475"  # from now on invoices fail the schema
        db.session.commit()
    api2 = api_for(make_account(plan="free"))
    with time_machine.travel("2026-11-26T09:00:00+00:00", tick=False):
        proforma = api2.post("/orders", json={"plan": "standard", "period_months": 12,
                                              "invoice": INVOICE_PL}).get_json()["proforma"]
        assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
    invalid = next(i for i in api2.get("/invoices").get_json()["items"] if i["kind"] == "invoice")
    admin = make_account("ksef-admin@cmr.example", company="CMR Online Operator")
    with app.app_context():
        from cmr_app.models import User
        db.session.get(User, admin.id).is_admin = True
        db.session.commit()
    assert client.post("/login", data={"email": admin.email, "password": admin.password}).status_code == 302
    page = client.get("/admin/ksef").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert waiting["number"] in rows and "not yet in KSeF" in rows and "Network error" in rows
    assert invalid["number"] in rows and "fails the FA(3) schema: never sent" in rows and "NIP" in rows


def test_parallel_senders_send_an_invoice_once(make_account, api_for, runner, app, standin):
    import threading
    app.config.update(KSEF_URL=f"http://127.0.0.1:{_closed_port()}", KSEF_TOKEN=TOKEN, KSEF_NIP=NIP,
                      KSEF_QR_URL="https://qr-test.ksef.mf.gov.pl")
    api = api_for(make_account(plan="free"))
    invoice = _order_and_pay(api, runner, INVOICE_PL)
    app.config["KSEF_URL"] = standin.url
    results = []

    def run():
        from cmr_app.services import ksef
        with app.test_request_context(base_url="http://cmr.test"):
            results.append(ksef.send(invoice["id"], ignore_backoff=True))
    threads = [threading.Thread(target=run) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count("sent") == 1 and results.count(None) == 3
    assert len(standin.received) == 1
