"""Box 20 adds up and agrees with box 14; the ADR entry is what ADR 5.4.1.1.1 asks for."""
from __future__ import annotations

import time_machine

from tests.conftest import sample_document

NOV = "2026-11-21T10:00:00+00:00"


def charge(label, sender="", consignee="", currency="EUR"):
    return {"label": label, "sender": sender, "currency": currency, "consignee": consignee}


def details(response) -> dict:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    return error["details"]


@time_machine.travel(NOV, tick=False)
def test_a_total_that_does_not_match_its_rows_is_refused_naming_the_cell(api):
    rows = [charge("Carriage charges", "1450.00"), charge("Supplementary charges", "60.00"),
            charge("Tolls Germany (Maut)", "86.40"), charge("Total", "1510.00")]
    found = details(api.post("/documents", json=sample_document(charges=rows)))
    assert list(found) == ["charges.3.sender"]
    assert "1596.40" in found["charges.3.sender"][0]
    assert api.get("/documents").get_json()["items"] == []


@time_machine.travel(NOV, tick=False)
def test_totals_are_per_currency_and_per_payer_column(api):
    rows = [charge("Carriage charges", "1000.00", "200.00"), charge("Deductions", "50.00"),
            charge("Balance", "950.00", "200.00"), charge("Other charges", "", "35.50"),
            charge("Carriage charges", "400", currency="PLN"),
            charge("Total", "950.00", "235.50"), charge("Total", "400.00", currency="PLN")]
    assert api.post("/documents", json=sample_document(charges=rows)).status_code == 201
    rows[5] = charge("Total", "950.00", "200.00")            # the consignee's 35.50 forgotten
    rows[6] = charge("Total", "950.00", currency="PLN")      # the EUR sum under PLN
    found = details(api.post("/documents", json=sample_document(charges=rows)))
    assert set(found) == {"charges.5.consignee", "charges.6.sender"}
    rows[2] = charge("Balance", "1000.00", "200.00")         # the deduction not taken off
    assert "charges.2.sender" in details(api.post("/documents", json=sample_document(charges=rows)))


@time_machine.travel(NOV, tick=False)
def test_totals_may_be_left_blank(api):
    rows = [charge("Carriage charges", "1450.00"), charge("Total")]
    created = api.post("/documents", json=sample_document(charges=rows))
    assert created.status_code == 201


@time_machine.travel(NOV, tick=False)
def test_carriage_forward_with_every_charge_on_the_sender_is_refused(api):
    rows = [charge("Carriage charges", "1450.00"), charge("Total", "1450.00")]
    found = details(api.post("/documents", json=sample_document(
        payment_instructions="carriage_forward", charges=rows)))
    assert list(found) == ["payment_instructions"]
    forward = [charge("Carriage charges", "", "1450.00"), charge("Total", "", "1450.00")]
    assert api.post("/documents", json=sample_document(
        payment_instructions="carriage_forward", charges=forward)).status_code == 201
    assert "payment_instructions" in details(api.post("/documents", json=sample_document(
        payment_instructions="carriage_paid", charges=forward)))


@time_machine.travel(NOV, tick=False)
def test_an_edit_that_breaks_the_total_is_refused(api):
    rows = [charge("Carriage charges", "1450.00"), charge("Total", "1450.00")]
    doc = api.post("/documents", json=sample_document(charges=rows)).get_json()
    rows[0] = charge("Carriage charges", "1500.00")
    found = details(api.patch(f"/documents/{doc['id']}", json={"charges": rows}))
    assert "charges.1.sender" in found


ADR = {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3", "packing_group": "II",
       "tunnel_code": "D/E", "environmentally_hazardous": True}


@time_machine.travel(NOV, tick=False)
def test_the_adr_entry_keeps_its_shipping_name_and_tunnel_code(api):
    goods = [{"nature": "Paint", "packages": 4, "adr": ADR}]
    created = api.post("/documents", json=sample_document(goods=goods))
    assert created.status_code == 201, created.get_json()
    doc = api.get(f"/documents/{created.get_json()['id']}").get_json()
    assert doc["data"]["goods"][0]["adr"] == ADR if "data" in doc else doc["goods"][0]["adr"] == ADR


@time_machine.travel(NOV, tick=False)
def test_the_adr_entry_is_validated(api):
    bad = {"un_number": "12634", "class": "10", "packing_group": "IV", "tunnel_code": "F"}
    found = details(api.post("/documents", json=sample_document(goods=[{"nature": "Paint", "adr": bad}])))
    assert {"goods.0.adr.un_number", "goods.0.adr.class", "goods.0.adr.packing_group",
            "goods.0.adr.tunnel_code"} <= set(found)
    assert "4.1" in found["goods.0.adr.class"][0]
    for value in ("1", "4.1", "6.2", "9"):
        ok = api.post("/documents", json=sample_document(goods=[{"nature": "x", "adr": {"class": value}}]))
        assert ok.status_code == 201, (value, ok.get_json())
