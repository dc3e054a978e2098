"""The admin's billing pages: promo codes, booking payments against open pro-formas, the
refused provider notifications and the seller data printed on pro-formas (PLANS.md,
MISSION.md §4–5)."""
from __future__ import annotations

import io
import json
import re

import pytest
import time_machine

from cmr_app.extensions import db
from tests.billing.conftest import INVOICE_PL
from tests.conftest import Api

NOW = "2026-11-21T10:00:00+00:00"
BILLING_URLS = ["/admin/promo-codes", "/admin/payments", "/admin/seller"]
GOOD_IBAN = "PL61 1090 1014 0000 0712 1981 2874"
BAD_IBAN = "PL61 1090 1014 0000 0712 1981 2875"


def promo_form(**overrides) -> dict:
    data = {"code": "SPRING10", "kind": "percent", "value": "10", "valid_from": "2026-03-01",
            "valid_to": "2026-05-31", "max_uses": "100"}
    data.update(overrides)
    return data


def seller_form(**overrides) -> dict:
    data = {"name": "Savesta Consulting sp. z o.o.", "address": "ul. Szczęśliwicka 2/26",
            "postal_code": "02-352", "city": "Warszawa", "country": "PL", "tax_id": "7010847517",
            "bank_name": "Santander Bank Polska", "bank_account": GOOD_IBAN, "bank_swift": "WBKPPLPP",
            "invoice_place": "Warszawa", "payment_days": "14"}
    data.update(overrides)
    return data


@pytest.fixture
def empty_seller(app):
    """A fresh deployment: the seller's bank data not entered yet."""
    from cmr_app.extensions import db
    from cmr_app.services import billing
    with app.app_context():
        row = billing.seller()
        row.bank_name = row.bank_account = row.bank_swift = ""
        db.session.commit()


@pytest.fixture
def own_api(app, api_for):
    """An API client of its own, so the admin's session cookie never rides along."""
    def make(user) -> Api:
        return Api(app.test_client(), api_for(user).token)
    return make


@pytest.fixture
def ordered(make_account, own_api):
    """A company on Free with a Standard order for 12 months: its API client and pro-forma."""
    def make():
        api = own_api(make_account(plan="free"))
        response = api.post("/orders", json={"plan": "standard", "period_months": 12, "invoice": INVOICE_PL})
        assert response.status_code == 201, response.get_json()
        return api, response.get_json()["proforma"]
    return make


def _text(response) -> str:
    return response.get_data(as_text=True)


def _errors(response) -> list[str]:
    """The messages the form shows next to its fields."""
    return re.findall(r'class="error"[^>]*>([^<]*)<', _text(response))


def _promos(app):
    from cmr_app.services import billing
    with app.app_context():
        return [(p.code, p.kind, str(p.value), p.max_uses) for p in billing.list_promos()]


# Access

@pytest.mark.parametrize("url", BILLING_URLS)
def test_anonymous_visitors_get_404(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code == 404


@pytest.mark.parametrize("url", BILLING_URLS)
def test_signed_in_non_admins_get_404(client, make_account, login, url):
    login(make_account())
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code == 404


def test_non_admins_cannot_create_promo_codes_book_payments_or_change_the_seller(
        app, client, make_account, login, ordered):
    api, proforma = ordered()
    login(make_account())
    assert client.post("/admin/promo-codes", data=promo_form()).status_code == 404
    assert client.post("/admin/payments", data={"proforma": proforma["number"],
                                                "amount": proforma["gross"]}).status_code == 404
    assert client.post("/admin/seller", data=seller_form(name="Someone Else")).status_code == 404
    assert _promos(app) == []
    assert api.get("/account").get_json()["subscription"] is None


def test_the_admin_menu_links_the_billing_pages(client, admin):
    page = _text(client.get("/admin/plans"))
    for url in BILLING_URLS:
        assert f'href="{url}"' in page
    for url in BILLING_URLS:
        assert client.get(url).status_code == 200, url


# Promo codes

def test_an_admin_creates_a_promo_code(app, client, admin):
    response = client.post("/admin/promo-codes", data=promo_form(code=" spring10 "))
    assert response.status_code == 302
    assert _promos(app) == [("SPRING10", "percent", "10.00", 100)]
    page = _text(client.get("/admin/promo-codes"))
    assert "Promo code SPRING10 created." in page
    assert "SPRING10" in page and "0 / 100" in page
    # An amount without limits: no dates, no maximum.
    assert client.post("/admin/promo-codes", data=promo_form(
        code="WELCOME50", kind="amount", value="49,50", valid_from="", valid_to="", max_uses="")).status_code == 302
    assert ("WELCOME50", "amount", "49.50", None) in _promos(app)
    page = _text(client.get("/admin/promo-codes"))
    assert "49.50" in page and "0 / ∞" in page


def test_a_duplicate_code_and_a_percent_over_100_are_refused_with_field_errors(app, client, admin):
    assert client.post("/admin/promo-codes", data=promo_form()).status_code == 302
    duplicate = client.post("/admin/promo-codes", data=promo_form(code="Spring10", value="20"))
    assert duplicate.status_code == 422
    assert "This code already exists." in _text(duplicate)
    too_much = client.post("/admin/promo-codes", data=promo_form(code="HALFPLUS", value="150"))
    assert too_much.status_code == 422
    page = _text(too_much)
    assert "Enter a positive amount (a percent at most 100)." in page
    assert 'value="HALFPLUS"' in page  # what was typed stays in the form
    assert _promos(app) == [("SPRING10", "percent", "10.00", 100)]


@pytest.mark.parametrize("overrides, message", [
    ({"code": ""}, "This field is required."),
    ({"code": "NO SPACES"}, "Use letters, digits, - and _ (at most 40)."),
    ({"code": "X" * 41}, "Field cannot be longer than 40 characters."),
    ({"kind": "bogus"}, "Not a valid choice."),
    ({"value": "ten"}, "Enter a number, e.g. 10 or 49.50."),
    ({"value": "-5"}, "Enter an amount greater than zero."),
    ({"value": "1e400"}, "The amount is too large."),
    ({"value": "NaN"}, "Enter a number, e.g. 10 or 49.50."),
    ({"kind": "amount", "value": "10.005"}, "At most two decimal places."),
    ({"valid_from": "2026-13-01"}, "Enter a date as YYYY-MM-DD."),
    ({"valid_from": "2026-06-01", "valid_to": "2026-05-31"}, "The end is before the start."),
    ({"max_uses": "0"}, "Number must be between 1 and 2147483647."),
    ({"max_uses": "many"}, "Enter a whole number."),
    ({"max_uses": "99999999999"}, "Number must be between 1 and 2147483647."),
])
def test_bad_promo_input_gets_inline_errors_never_a_500(app, client, admin, overrides, message):
    response = client.post("/admin/promo-codes", data=promo_form(**overrides))
    assert response.status_code == 422
    assert _errors(response) == [message]
    assert _promos(app) == []


# Payments

def test_booking_an_open_proforma_issues_the_invoice_and_activates_the_plan(app, client, make_admin, login,
                                                                            ordered):
    with time_machine.travel(NOW, tick=False):  # signed in inside: the session cookie is dated
        admin = login(make_admin())
        api, proforma = ordered()
        number = proforma["number"]
        page = _text(client.get("/admin/payments"))
        assert number in page and "Spedycja Test" in page
        assert f'value="{proforma["gross"]}"' in page  # the amount prefilled with the gross
        assert proforma["pdf_url"].removeprefix("http://cmr.test") in page
        form = {"proforma": number, "amount": proforma["gross"]}
        response = client.post("/admin/payments", data=form)
        assert response.status_code == 302
        page = _text(client.get("/admin/payments"))
        assert "VAT invoice FV/1/11/2026 issued" in page
        assert "No pro-forma is waiting for payment." in page
        assert "FV/1/11/2026" in page.split("Recent VAT invoices")[1]
        account = api.get("/account").get_json()
        assert account["subscription"]["status"] == "active"
        assert account["subscription"]["plan"] == "standard"

        # The same form again (a second tab, a double click): nothing changes.
        again = client.post("/admin/payments", data=form, follow_redirects=True)
        assert again.status_code == 200
        assert "already booked (VAT invoice FV/1/11/2026)" in _text(again)
        invoices = [i["number"] for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"]
        assert invoices == ["FV/1/11/2026"]

    from cmr_app.models import Payment
    from sqlalchemy import select
    with app.app_context():
        payments = db.session.scalars(select(Payment)).all()
        assert [(p.provider, p.external_id, p.booked_by_id, str(p.amount)) for p in payments] == [
            ("admin", f"admin:{number}:{admin.id}", admin.id, proforma["gross"])]


def test_a_wrong_amount_books_nothing(client, admin, ordered):
    api, proforma = ordered()
    number = proforma["number"]
    response = client.post("/admin/payments", data={"proforma": number, "amount": "1,00"})
    assert response.status_code == 409
    page = _text(response)
    assert "does not match" in page and 'class="flash error"' in page
    assert 'value="1,00"' in page  # what the admin typed stays in that row
    garbage = client.post("/admin/payments", data={"proforma": number, "amount": "lots"})
    assert garbage.status_code == 422 and "Nothing was booked" in _text(garbage)
    unknown = client.post("/admin/payments", data={"proforma": "PF/99/11/2026", "amount": proforma["gross"]})
    assert unknown.status_code == 404 and "There is no pro-forma PF/99/11/2026." in _text(unknown)
    assert api.get("/account").get_json()["subscription"] is None
    assert [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"] == []
    assert number in _text(client.get("/admin/payments"))


def test_an_amount_with_more_than_two_decimal_places_books_nothing(client, admin, ordered):
    from decimal import Decimal
    api, proforma = ordered()
    almost = str(Decimal(proforma["gross"]) - Decimal("0.005"))  # 602.695 for 602.70: rounds to it
    response = client.post("/admin/payments", data={"proforma": proforma["number"], "amount": almost})
    assert response.status_code == 422
    assert "Nothing was booked" in _text(response) and "At most two decimal places." in _text(response)
    assert api.get("/account").get_json()["subscription"] is None
    assert [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"] == []


def test_identical_refused_notifications_are_counted_on_one_row(client, admin, ordered):
    api, proforma = ordered()
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"],
                       "transaction_id": "FORGED-2"}).encode()
    for _ in range(3):
        assert client.post("/payments/fake/notify", data=body, headers={"X-Signature": "0" * 64}).status_code == 400
    log = _text(client.get("/admin/payments")).split("Refused payment notifications")[1]
    assert log.count("FORGED-2") == 2  # once shown, once in the full-payload tooltip: one row
    assert "3 times, last" in log


def test_a_refused_provider_notification_appears_in_the_log(client, admin, ordered):
    api, proforma = ordered()
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"],
                       "transaction_id": "FORGED-1"}).encode()
    response = client.post("/payments/fake/notify", data=body,
                           headers={"X-Signature": "0" * 64, "Content-Type": "application/json"})
    assert response.status_code == 400
    page = _text(client.get("/admin/payments"))
    log = page.split("Refused payment notifications")[1]
    assert "bad signature" in log and "FORGED-1" in log and "fake" in log
    assert api.get("/account").get_json()["subscription"] is None


def test_the_payments_page_warns_while_the_bank_account_is_empty(client, admin, empty_seller):
    assert "bank account is empty" in _text(client.get("/admin/payments"))
    assert client.post("/admin/seller", data=seller_form()).status_code == 302
    assert "bank account is empty" not in _text(client.get("/admin/payments"))


# Seller data

def test_seller_data_with_a_bad_iban_is_refused_and_a_good_one_is_printed_on_the_next_proforma(
        app, client, admin, ordered, empty_seller):
    from pypdf import PdfReader
    refused = client.post("/admin/seller", data=seller_form(bank_account=BAD_IBAN))
    assert refused.status_code == 422
    assert "This IBAN is not valid (check digits)." in _text(refused)
    from cmr_app.services import billing
    with app.app_context():
        assert billing.seller().bank_account == ""

    assert client.post("/admin/seller", data=seller_form()).status_code == 302
    page = _text(client.get("/admin/seller"))
    assert "Seller data saved" in page and GOOD_IBAN in page
    with app.app_context():
        row = billing.seller()
        assert (row.bank_account, row.bank_name, row.payment_days) == (
            "PL61109010140000071219812874", "Santander Bank Polska", 14)

    api, proforma = ordered()
    pdf = client.get(proforma["pdf_url"].removeprefix("http://cmr.test"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert GOOD_IBAN in text and "Santander Bank Polska" in text and "WBKPPLPP" in text


def test_the_seller_page_says_what_a_pro_forma_still_needs(app, client, admin, empty_seller):
    page = _text(client.get("/admin/seller"))
    assert "no pro-forma can be issued: bank_account, bank_swift" in page
    assert client.post("/admin/seller", data=seller_form()).status_code == 302
    assert "no pro-forma can be issued" not in _text(client.get("/admin/seller"))


@pytest.mark.parametrize("overrides, field_message", [
    ({"name": ""}, "This field is required."),
    ({"tax_id": "7010847518"}, "This NIP is not valid (check digit). A Polish NIP has 10 digits, with or without "
                               "the PL prefix and dashes."),
    ({"country": "Poland"}, "Two letters, e.g. PL."),
    ({"payment_days": "91"}, "Number must be between 0 and 90."),
    ({"payment_days": "soon"}, "Enter a whole number."),
    ({"name": "N" * 201}, "Field cannot be longer than 200 characters."),
    ({"bank_account": "X" * 60}, "Field cannot be longer than 50 characters."),
    ({"bank_swift": "BANK"}, "This BIC (SWIFT code) is not valid: 8 or 11 letters and digits."),
])
def test_bad_seller_data_is_refused_inline(app, client, admin, overrides, field_message, empty_seller):
    response = client.post("/admin/seller", data=seller_form(**overrides))
    assert response.status_code == 422
    assert _errors(response) == [field_message]
    from cmr_app.services import billing
    with app.app_context():
        assert billing.seller().bank_account == ""


def test_zero_payment_days_are_accepted(app, client, admin):
    assert client.post("/admin/seller", data=seller_form(payment_days="0")).status_code == 302
    from cmr_app.services import billing
    with app.app_context():
        assert billing.seller().payment_days == 0


# CSRF

def test_the_billing_forms_carry_and_need_a_csrf_token(app, client, admin, ordered):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/promo-codes", data=promo_form()).status_code == 400
    assert client.post("/admin/seller", data=seller_form()).status_code == 400
    api, proforma = ordered()
    assert client.post("/admin/payments", data={"proforma": proforma["number"],
                                                "amount": proforma["gross"]}).status_code == 400
    assert _promos(app) == [] and api.get("/account").get_json()["subscription"] is None

    page = _text(client.get("/admin/promo-codes"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/admin/promo-codes", data=promo_form(csrf_token=token)).status_code == 302
    payments = _text(client.get("/admin/payments"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', payments.split("book-form")[1]).group(1)
    booked = client.post("/admin/payments", data={"csrf_token": token, "proforma": proforma["number"],
                                                  "amount": proforma["gross"]})
    assert booked.status_code == 302
    assert api.get("/account").get_json()["subscription"]["status"] == "active"
