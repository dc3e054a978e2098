"""The forms name every problem in one answer, each beside its input and saying what is
wrong with that value, keep what was typed, and mark the inputs that must be filled
(issue 13 item 2)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from webhelpers import cmr_form, documents_in_db, input_value

NUMBER = "Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency."
WHOLE = "Enter a whole number, e.g. 33, with no unit."
ESSENTIAL = "Required on every CMR (Convention art. 6)."


def block(html: str, name: str, end: str = "</div>") -> str:
    """The markup from the input named `name` to the end of its field."""
    match = re.search(r'name="' + re.escape(name) + r'".*?' + end, html, re.S)
    assert match, f"no input {name}"
    return match.group(0)


def test_every_problem_of_the_cmr_form_is_named_in_one_answer_beside_its_field(app, client, owner, usage):
    typed = {"sender.name": "", "sender.tax_id": "7010847518", "consignee.email": "nobody",
             "place_of_delivery.country": "", "taking_over.date": "2026-02-30",
             "cash_on_delivery.amount": "12 zł", "cash_on_delivery.currency": "zł",
             "goods.0.packages": "abc", "goods.1.gross_weight_kg": "800 kg", "goods.1.adr.un_number": "12",
             "charges.6.sender": "1400", "charges.6.currency": "EUR"}
    response = client.post("/documents/new", data=cmr_form(**typed))
    assert response.status_code == 422
    html = response.get_data(as_text=True)

    expected = {
        "sender.name": ESSENTIAL,
        "sender.tax_id": "This NIP is not valid (check digit). A Polish NIP has 10 digits, with or without "
                         "the PL prefix and dashes.",
        "consignee.email": "Enter a valid e-mail address.",
        "place_of_delivery.country": ESSENTIAL,
        "taking_over.date": "This day does not exist: February 2026 has 28 days.",
        "cash_on_delivery.amount": NUMBER,
        "cash_on_delivery.currency": "Use a three-letter currency code, e.g. PLN or EUR.",
        "goods.0.packages": WHOLE,
        "goods.1.gross_weight_kg": NUMBER,
        "goods.1.adr.un_number": "A UN number has four digits, e.g. 1263.",
    }
    for name, message in expected.items():
        assert message in block(html, name), name
    # Box 20 is checked although other fields failed: same answer, not the next submit.
    assert "The total does not match its rows: 1500.00, not 1400" in block(html, "charges.6.sender", "</td>")
    assert "11 fields need your attention" in html
    assert "Not in the expected format" not in html and "YYYY-MM-DD" not in html

    for name, value in typed.items():   # nothing typed is lost
        if name != "place_of_delivery.country":   # a select, left on "—"
            assert input_value(html, name) == value, name
    assert re.search(r'name="consignee\.country".*?<option value="DE" selected>', html, re.S)
    assert input_value(html, "goods.0.nature") == "Furniture"
    assert documents_in_db(app, owner.company_id) == [] and usage(owner) == 0


@pytest.mark.parametrize("typed, message", [
    ("2026-02-30", "This day does not exist: February 2026 has 28 days."),
    ("2027-04-31", "This day does not exist: April 2027 has 30 days."),
    ("2026-11-00", "This day does not exist: November 2026 has 30 days."),
    ("2026-13-01", "There is no month 13: months run from 01 to 12 (YYYY-MM-DD)."),
    ("21.11.2026", "Enter a date as YYYY-MM-DD, e.g. 2026-11-21."),
])
def test_a_date_that_cannot_be_read_says_why(client, owner, typed, message):
    html = client.post("/documents/new", data=cmr_form(**{"established.date": typed})).get_data(as_text=True)
    assert message in block(html, "established.date")
    assert input_value(html, "established.date") == typed


def test_the_29th_of_february_of_a_leap_year_is_a_day(app, client, owner):
    assert client.post("/documents/new", data=cmr_form(**{"established.date": "2028-02-29"})).status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert doc.data["established"]["date"] == "2028-02-29"


@pytest.mark.parametrize("typed", ["12 zł", "abc", "1.250,50", "EUR 40"])
def test_a_money_value_that_is_not_a_number_says_it_must_be_one(client, owner, typed):
    response = client.post("/documents/new", data=cmr_form(**{"cash_on_delivery.amount": typed,
                                                               "cash_on_delivery.currency": "PLN"}))
    assert response.status_code == 422
    assert NUMBER in block(response.get_data(as_text=True), "cash_on_delivery.amount")


@pytest.mark.parametrize("typed, stored", [("1 250,50", "1250.5"), ("1250.5", "1250.5"), ("80", "80")])
def test_a_decimal_comma_or_point_is_a_number(app, client, owner, typed, stored):
    response = client.post("/documents/new", data=cmr_form(**{"cash_on_delivery.amount": typed,
                                                               "cash_on_delivery.currency": "PLN"}))
    assert response.status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert Decimal(doc.data["cash_on_delivery"]["amount"]) == Decimal(stored)


def test_the_polish_page_names_the_month_in_polish(client, owner):
    client.post("/language/pl")
    html = client.post("/documents/new", data=cmr_form(**{"taking_over.date": "2026-02-30",
                                                          "goods.0.gross_weight_kg": "12 zł"})).get_data(as_text=True)
    assert "Taki dzień nie istnieje: luty 2026 ma 28 dni." in block(html, "taking_over.date")
    assert "Wpisz liczbę, np. 1250,50 lub 1250.50, bez jednostki i waluty." in block(html, "goods.0.gross_weight_kg")


def test_a_client_form_names_the_missing_name_the_bad_nip_and_the_bad_email_at_once(app, client, owner):
    typed = {"name": "", "address": "ul. Głogowska 12", "postal_code": "60-101", "city": "Poznań",
             "country": "PL", "tax_id": "701-084-75-18", "email": "biuro(at)kowalski.pl", "phone": ""}
    response = client.post("/book/clients/new", data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." in block(html, "name")
    assert "This NIP is not valid (check digit). A Polish NIP has 10 digits" in block(html, "tax_id")
    assert "Enter a valid e-mail address." in block(html, "email")
    assert "3 fields need your attention" in html
    assert all(input_value(html, name) == value for name, value in typed.items() if name != "country")
    assert re.search(r'<option value="PL" selected>', html)


@pytest.mark.parametrize("country, tax_id, message", [
    ("DE", "DE136695977", "This VAT id is not valid for Germany (check digit). The format is DE followed by "
                          "9 digits."),
    ("NL", "NL12345678", "This VAT id is not valid for Netherlands. The format is NL followed by 9 digits, "
                         "the letter B and 2 digits."),
    ("CZ", "CZ1234", "This VAT id has the wrong length for Czechia. The format is CZ followed by 8, 9, or 10 "
                     "digits."),
    ("FR", "DE136695976", "This VAT id belongs to another country than the address. A VAT id of France is FR "
                          "followed by 2 letters or digits and 9 digits."),
])
def test_a_carrier_with_a_bad_vat_id_is_told_the_format_of_its_country(client, owner, country, tax_id, message):
    response = client.post("/book/carriers/new", data={"name": "", "country": country, "tax_id": tax_id,
                                                       "vehicle_registration": "B-XY 123"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in block(html, "tax_id")
    assert "This field is required." in block(html, "name")
    assert input_value(html, "tax_id") == tax_id


def test_a_product_form_names_every_bad_number_at_once(client, owner):
    typed = {"name": "", "nature": "Paint", "packages": "4 szt.", "gross_weight_kg": "12 kg",
             "volume_m3": "abc", "adr.un_number": "12"}
    html = client.post("/book/products/new", data=typed).get_data(as_text=True)
    assert "This field is required." in block(html, "name")
    assert WHOLE in block(html, "packages")
    assert NUMBER in block(html, "gross_weight_kg") and NUMBER in block(html, "volume_m3")
    assert "A UN number has four digits, e.g. 1263." in block(html, "adr.un_number")
    assert all(input_value(html, name) == value for name, value in typed.items())


REQUIRED_ON_A_CMR = ("sender.name", "sender.country", "consignee.name", "consignee.country", "taking_over.city",
                     "taking_over.country", "taking_over.date", "place_of_delivery.city",
                     "place_of_delivery.country")


def control(html: str, name: str) -> str:
    return re.search(r'<(?:input|select)[^>]*name="' + re.escape(name) + r'"[^>]*>', html).group(0)


def label(html: str, name: str) -> str:
    fid = "f-" + name.replace(".", "-")
    return re.search(r'<label for="' + re.escape(fid) + r'">.*?</label>', html, re.S).group(0)


def test_the_cmr_form_marks_what_every_cmr_must_carry(client, owner):
    html = client.get("/documents/new").get_data(as_text=True)
    assert '<span class="req">*</span> marks a required field' in html
    for name in REQUIRED_ON_A_CMR:
        assert 'required aria-required="true"' in control(html, name), name
        assert '<span class="req" aria-hidden="true">*</span>' in label(html, name), name
    for name in ("sender.address", "sender.tax_id", "carrier.name", "established.date", "goods.0.gross_weight_kg"):
        assert "required" not in control(html, name), name
        assert 'class="req"' not in label(html, name), name
    goods = re.search(r'<fieldset class="box goods".*?</legend>\s*<p class="hint">[^<]*</p>', html, re.S).group(0)
    assert 'class="req"' in goods and "at least one line with its nature of the goods (9)" in goods


@pytest.mark.parametrize("kind, required, optional", [("clients", "name", "city"), ("carriers", "name", "tax_id"),
                                                      ("products", "name", "gross_weight_kg")])
def test_the_address_book_forms_mark_the_name(client, owner, kind, required, optional):
    html = client.get(f"/book/{kind}/new").get_data(as_text=True)
    assert "marks a required field" in html
    assert 'required aria-required="true"' in control(html, required)
    assert "required" not in control(html, optional)


@pytest.mark.parametrize("lang, legend", [("pl", "oznacza pole wymagane"), ("de", "kennzeichnet ein Pflichtfeld")])
def test_the_required_legend_is_translated(client, owner, lang, legend):
    client.post(f"/language/{lang}")
    assert legend in client.get("/documents/new").get_data(as_text=True)
    assert legend in client.get("/book/clients/new").get_data(as_text=True)


def test_the_document_list_filter_names_an_impossible_day(client, owner):
    html = client.get("/documents?from=2026-02-30").get_data(as_text=True)
    assert "This day does not exist: February 2026 has 28 days." in html


def test_the_summary_lists_the_problems_in_the_order_of_the_form(client, owner):
    form = cmr_form(**{"sender.name": "", "sender.tax_id": "7010847518", "goods.1.gross_weight_kg": "x",
                       "cash_on_delivery.amount": "y", "consignee.country": ""})
    html = client.post("/documents/new", data=form).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S).group(0)
    links = re.findall(r'<a href="#f-([^"]+)">', summary)
    assert links == ["sender-name", "sender-tax_id", "consignee-country", "goods-1-gross_weight_kg",
                     "cash_on_delivery-amount"]


def test_box_20_and_box_14_errors_are_tied_to_their_inputs(client, owner):
    html = client.post("/documents/new", data=cmr_form(**{
        "payment_instructions": "carriage_forward", "charges.6.sender": "1400", "charges.6.currency": "EUR"}))\
        .get_data(as_text=True)
    total = control(html, "charges.6.sender")
    assert 'aria-invalid="true" aria-describedby="f-charges-6-sender-error"' in total
    assert 'id="f-charges-6-sender-error"' in html
    payment = re.search(r'<select id="f-payment_instructions"[^>]*>', html).group(0)
    assert 'aria-invalid="true" aria-describedby="f-payment_instructions-error"' in payment
    assert 'id="f-payment_instructions-error"' in html
