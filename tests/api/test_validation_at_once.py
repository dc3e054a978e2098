"""The API's 422 keeps API.md's error object and names every field problem in one answer:
a tax id's checksum beside a missing name, box 20 beside a bad date, the Convention's
essentials beside both (issue 13 item 2)."""
from __future__ import annotations

import csv
import io

import time_machine

from tests.conftest import sample_document

NOV = "2026-11-21T10:00:00+00:00"
NUMBER = "Enter a number, e.g. 1250.50, with no unit or currency."


def validation_details(response) -> dict:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "validation_error" and body["error"]["message"]
    details = body["error"]["details"]
    assert all(isinstance(m, list) and m and all(isinstance(x, str) for x in m) for m in details.values())
    return details


def test_a_client_with_no_name_a_bad_nip_and_a_bad_email_gets_all_three(api):
    details = validation_details(api.post("/clients", json={"name": "", "country": "PL", "tax_id": "7010847518",
                                                            "email": "nobody"}))
    assert set(details) == {"name", "tax_id", "email"}
    assert details["tax_id"] == ["This NIP is not valid (check digit). A Polish NIP has 10 digits, with or "
                                 "without the PL prefix and dashes."]


def test_a_carrier_patch_names_the_vat_format_beside_the_other_errors(api):
    carrier = api.post("/carriers", json={"name": "DE Carrier", "country": "DE", "tax_id": "DE136695976"}).get_json()
    details = validation_details(api.patch(f"/carriers/{carrier['id']}",
                                           json={"tax_id": "DE136695977", "email": "x", "name": ""}))
    assert set(details) == {"name", "tax_id", "email"}
    assert details["tax_id"] == ["This VAT id is not valid for Germany (check digit). The format is DE followed "
                                 "by 9 digits."]


@time_machine.travel(NOV, tick=False)
def test_a_document_with_many_problems_gets_them_all_in_one_answer(api):
    document = sample_document(
        sender={"name": "", "country": "PL", "tax_id": "7010847518", "email": "x"},
        taking_over={"city": "Poznań", "country": "PL", "date": "2026-02-30"},
        cash_on_delivery={"amount": "12 zł", "currency": "zł"},
        goods=[{"nature": "Furniture", "packages": "33 pallets", "gross_weight_kg": "abc",
                "adr": {"un_number": "12"}}],
        charges=[{"label": "Carriage charges", "sender": "1450.00", "currency": "EUR"},
                 {"label": "Total", "sender": "1400.00", "currency": "EUR"}])
    details = validation_details(api.post("/documents", json=document))
    assert details == {
        "sender.name": ["Required on every CMR (Convention art. 6)."],
        "sender.tax_id": ["This NIP is not valid (check digit). A Polish NIP has 10 digits, with or without the "
                          "PL prefix and dashes."],
        "sender.email": ["Enter a valid e-mail address."],
        "taking_over.date": ["This day does not exist: February 2026 has 28 days."],
        "cash_on_delivery.amount": [NUMBER],
        "cash_on_delivery.currency": ["Use a three-letter currency code, e.g. PLN or EUR."],
        "goods.0.packages": ["Enter a whole number, e.g. 33, with no unit."],
        "goods.0.gross_weight_kg": [NUMBER],
        "goods.0.adr.un_number": ["A UN number has four digits, e.g. 1263."],
        "charges.1.sender": ["The total does not match its rows: 1450.00, not 1400.00. Correct it, or leave it "
                             "blank to have it computed."],
    }
    assert api.get("/documents").get_json()["items"] == []


@time_machine.travel(NOV, tick=False)
def test_box_20_is_not_checked_on_rows_that_are_themselves_wrong(api):
    rows = [{"label": "Carriage charges", "sender": "abc", "currency": "EUR"},
            {"label": "Total", "sender": "1400.00", "currency": "EUR"}]
    details = validation_details(api.post("/documents", json=sample_document(
        charges=rows, taking_over={"city": "Poznań", "country": "PL", "date": "2026-13-01"})))
    assert details == {"charges.0.sender": [NUMBER],
                       "taking_over.date": ["There is no month 13: months run from 01 to 12 (YYYY-MM-DD)."]}


def test_a_decimal_comma_is_not_an_api_number(api):
    details = validation_details(api.post("/products", json={"name": "Paint", "gross_weight_kg": "12,5"}))
    assert details == {"gross_weight_kg": [NUMBER]}


def test_the_list_filter_names_an_impossible_day(api):
    details = validation_details(api.get("/documents?from=2026-02-30"))
    assert details == {"from": ["This day does not exist: February 2026 has 28 days."]}


def test_an_imported_row_gets_every_message_and_the_comma_is_offered(api):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["name", "packages", "gross_weight_kg", "adr.un_number"],
                                  ["", "4 szt.", "12 kg", "12"]])
    response = api.post("/products/import", json=None, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(buffer.getvalue().encode()), "p.csv")})
    assert response.status_code == 200
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {"name": "This field is required.", "packages": "Enter a whole number, e.g. 33, with no unit.",
                      "gross_weight_kg": "Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency.",
                      "adr.un_number": "A UN number has four digits, e.g. 1263."}
