"""Orders and pro-formas: amounts to the grosz, promo codes, invoice data (PLANS.md)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import io

import pytest
from pypdf import PdfReader
import time_machine

from tests.billing.conftest import INVOICE_DE, INVOICE_PL

NOW = "2026-11-21T10:00:00+00:00"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def owner_api(make_account, api_for):
    with time_machine.travel(NOW, tick=False):
        return api_for(make_account(plan="free"))


@pytest.fixture
def promos(runner):
    for args in (["--code", "JESIEN15", "--percent", "15"],
                 ["--code", "STO", "--amount", "100"],
                 ["--code", "DUZO", "--amount", "2000"],
                 ["--code", "STARY", "--percent", "20", "--valid-to", "2026-11-20"],
                 ["--code", "PRZYSZLY", "--percent", "20", "--valid-from", "2026-11-22"],
                 ["--code", "RAZ", "--percent", "10", "--max-uses", "1"]):
        result = runner.invoke(args=["promo", "create", *args])
        assert result.exit_code == 0, result.output


def order(api, **fields):
    payload = {"plan": "standard", "period_months": 12, "invoice": INVOICE_PL, **fields}
    return api.post("/orders", json=payload)


@pytest.mark.parametrize("plan, months, promo, invoice, expected", [
    # plan, period, promo, buyer -> (net, vat, gross)
    ("standard", 12, None, INVOICE_PL, ("490.00", "112.70", "602.70")),
    ("standard", 24, None, INVOICE_PL, ("882.00", "202.86", "1084.86")),
    ("standard", 24, "JESIEN15", INVOICE_PL, ("749.70", "172.43", "922.13")),
    ("standard", 12, "JESIEN15", INVOICE_PL, ("416.50", "95.80", "512.30")),
    ("pro", 12, "STO", INVOICE_PL, ("1090.00", "250.70", "1340.70")),
    ("pro", 24, "STO", INVOICE_PL, ("2042.00", "469.66", "2511.66")),
    ("standard", 12, "DUZO", INVOICE_PL, ("0.00", "0.00", "0.00")),
    ("standard", 12, None, INVOICE_DE, ("490.00", "0.00", "490.00")),
    ("pro", 24, "jesien15", INVOICE_DE, ("1820.70", "0.00", "1820.70")),
])
def test_order_amounts_to_the_grosz(owner_api, promos, plan, months, promo, invoice, expected):
    with time_machine.travel(NOW, tick=False):
        response = order(owner_api, plan=plan, period_months=months, promo_code=promo, invoice=invoice)
    assert response.status_code == 201, response.get_json()
    proforma = response.get_json()["proforma"]
    assert (proforma["net"], proforma["vat"], proforma["gross"]) == expected
    assert proforma["number"] == "PF/1/11/2026" and proforma["currency"] == "PLN"


@pytest.mark.parametrize("promo, message_field", [
    ("NIEMA", "promo_code"), ("STARY", "promo_code"), ("PRZYSZLY", "promo_code"),
    ("JESIEN15 STO", "promo_code"), (["JESIEN15", "STO"], "promo_code"),
])
def test_unusable_or_second_promo_codes_are_refused(owner_api, promos, promo, message_field):
    with time_machine.travel(NOW, tick=False):
        response = order(owner_api, promo_code=promo)
    assert response.status_code == 422
    assert message_field in response.get_json()["error"]["details"]
    assert owner_api.get("/invoices").get_json()["items"] == []


def test_an_exhausted_code_is_refused(owner_api, promos):
    with time_machine.travel(NOW, tick=False):
        assert order(owner_api, promo_code="RAZ").status_code == 201
        second = order(owner_api, promo_code="RAZ")
    assert second.status_code == 422
    assert "used up" in second.get_json()["error"]["details"]["promo_code"][0]


def test_invoice_data_is_checked(owner_api):
    bad_nip = order(owner_api, invoice={**INVOICE_PL, "tax_id": "7010847518"})
    assert bad_nip.status_code == 422 and "invoice.tax_id" in bad_nip.get_json()["error"]["details"]
    no_nip = order(owner_api, invoice={**INVOICE_PL, "tax_id": ""})
    assert "invoice.tax_id" in no_nip.get_json()["error"]["details"]
    bad_vat = order(owner_api, invoice={**INVOICE_DE, "tax_id": "DE136695977"})
    assert bad_vat.status_code == 422
    missing = order(owner_api, invoice={"name": "X"})
    assert {"invoice.address", "invoice.city", "invoice.postal_code"} <= set(
        missing.get_json()["error"]["details"])
    assert order(owner_api, plan="free").status_code == 422
    assert order(owner_api, period_months=6).status_code == 422


def test_only_the_owner_orders(app, owner_api, api_for):
    from types import SimpleNamespace
    from cmr_app.extensions import db
    from cmr_app.models import User
    with app.app_context():
        owner = db.session.get(User, owner_api.get("/account").get_json()["user"]["id"])
        editor = User(company_id=owner.company_id, email="ed@example.com", password_hash="x", role="editor")
        db.session.add(editor)
        db.session.commit()
        editor_id = editor.id
    assert order(api_for(SimpleNamespace(id=editor_id))).status_code == 403


def test_max_uses_hold_when_many_order_at_once(app, make_account, api_for, runner):
    assert runner.invoke(args=["promo", "create", "--code", "TRZY", "--percent", "5",
                               "--max-uses", "3"]).exit_code == 0
    tokens = [api_for(make_account()).token for _ in range(10)]

    def place(token):
        return app.test_client().post("/api/v1/orders", headers={"Authorization": f"Bearer {token}"},
                                      json={"plan": "pro", "period_months": 12, "promo_code": "TRZY",
                                            "invoice": INVOICE_PL})
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = [r.status_code for r in pool.map(place, tokens)]
    assert codes.count(201) == 3 and codes.count(422) == 7
    with app.app_context():
        from cmr_app.services import billing
        assert billing.find_promo("TRZY").used == 3


def test_the_proforma_pdf_and_the_email(owner_api, smtp, drain, client):
    with time_machine.travel(NOW, tick=False):
        order(owner_api, period_months=24, promo_code=None).get_json()
    drain()
    owner_email = owner_api.get("/account").get_json()["user"]["email"]
    [message] = smtp.to(owner_email)
    assert "PF/1/11/2026" in message["Subject"]
    [(filename, pdf)] = smtp.attachments(message)
    assert filename == "PF-1-11-2026.pdf" and pdf.startswith(b"%PDF")
    body = message.get_body(("plain",)).get_content()
    # the amount as the reader's locale writes money (English here), not "1084.86 PLN"
    assert "please pay PLN 1,084.86 by" in body.replace("\xa0", " "), body
    listed = owner_api.get("/invoices").get_json()["items"]
    assert [(i["kind"], i["number"], i["status"]) for i in listed] == [("proforma", "PF/1/11/2026", "pending")]
    response = client.get(listed[0]["pdf_url"].replace("http://cmr.test", ""))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "PF/1/11/2026" in text
    assert "1084,86" in text.replace(" ", "").replace("\xa0", "")
    assert "Nie jest fakturą VAT" in text
