"""ECMR.md §1–2: the essentials at issue, versions and the check code on paper."""
from __future__ import annotations

import re

import time_machine

from tests.conftest import sample_document

ESSENTIAL_PATHS = {"sender.name", "sender.country", "consignee.name", "consignee.country",
                   "taking_over.city", "taking_over.country", "taking_over.date",
                   "place_of_delivery.city", "place_of_delivery.country", "goods"}


def _path(doc) -> str:
    return doc["public_url"].replace("http://cmr.test", "")


def test_an_empty_document_is_refused_naming_every_missing_essential(api):
    before = api.get("/account").get_json()["usage"]["used"]
    response = api.post("/documents", json={})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]) == ESSENTIAL_PATHS
    assert api.get("/account").get_json()["usage"]["used"] == before


def test_essentials_are_named_together_with_other_errors(api):
    payload = sample_document(sender={"name": "", "country": "XX"}, place_of_delivery={"city": "Berlin"})
    details = api.post("/documents", json=payload).get_json()["error"]["details"]
    assert "sender.country" in details and "sender.name" in details
    assert "place_of_delivery.country" in details


def test_a_goods_line_needs_a_description_or_packages(api):
    bare = sample_document(goods=[{"marks": "MK", "gross_weight_kg": "10"}])
    assert set(api.post("/documents", json=bare).get_json()["error"]["details"]) == {"goods"}
    assert api.post("/documents", json=sample_document(goods=[{"packages": 3}])).status_code == 201
    assert api.post("/documents", json=sample_document(goods=[{"nature": "Steel"}])).status_code == 201


def test_a_refusal_takes_no_number(api):
    first = api.post("/documents", json=sample_document()).get_json()
    assert api.post("/documents", json=sample_document(consignee={"name": "X"})).status_code == 422
    second = api.post("/documents", json=sample_document()).get_json()
    assert int(second["number"].split("/")[-1]) == int(first["number"].split("/")[-1]) + 1


def test_a_party_from_the_address_book_counts_as_given(api):
    client_id = api.post("/clients", json={"name": "Kowalski", "city": "Poznań", "country": "PL"}).get_json()["id"]
    payload = sample_document(sender={}, sender_client_id=client_id)
    created = api.post("/documents", json=payload)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["sender"]["name"] == "Kowalski"
    nameless = api.post("/clients", json={"name": "No country"}).get_json()["id"]
    refused = api.post("/documents", json=sample_document(sender={}, sender_client_id=nameless))
    assert set(refused.get_json()["error"]["details"]) == {"sender.country"}


def test_an_edit_cannot_remove_an_essential(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    response = api.patch(f"/documents/{doc['id']}", json={"taking_over": {"city": "Poznań", "country": "PL"}})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"taking_over.date"}
    assert api.get(f"/documents/{doc['id']}/versions").get_json()["items"][-1]["version"] == 1


def test_every_change_of_content_is_a_new_version_with_its_own_code(api, make_account):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
    assert doc["version"] == 1
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        edited = api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()
    assert edited["version"] == 2 and edited["fingerprint"] != doc["fingerprint"]
    assert edited["number"] == doc["number"] and edited["public_url"] == doc["public_url"]
    # A status mark alone, or saving the same content, is no new version.
    api.patch(f"/documents/{doc['id']}", json={"status": "in_transit"})
    api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"})
    items = api.get(f"/documents/{doc['id']}/versions").get_json()["items"]
    assert [(v["version"], v["fingerprint"], v["current"]) for v in items] == [
        (1, doc["fingerprint"], False), (2, edited["fingerprint"], True)]
    assert items[0]["created_at"].startswith("2026-11-21T10:00:00")
    assert items[1]["created_at"].startswith("2026-11-22T09:00:00")
    assert items[0]["created_by"].endswith("@example.com")


def test_the_public_page_judges_a_check_code_from_paper(api, client):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        new = api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()

    current = client.get(_path(doc) + f"?code={new['fingerprint'].upper()}").get_data(as_text=True)
    assert "This paper copy is current." in current
    assert f"Check code {new['fingerprint']} is version 2" in current

    old = client.get(_path(doc) + f"?code={doc['fingerprint'][:6]} {doc['fingerprint'][6:]}").get_data(as_text=True)
    assert "This paper copy is out of date." in old
    # Dates in the company's time zone (Warsaw).
    assert re.search(rf"Check code {doc['fingerprint']} is version 1 of 11/21/26, 11:00\W*AM\. "
                     rf"The CMR was changed since: version 2 of 11/22/26, 10:00\W*AM is in force", old), old

    forged = client.get(_path(doc) + "?code=0123456789ab").get_data(as_text=True)
    assert "This check code does not belong to this CMR." in forged
    assert "This paper copy is" not in forged

    plain = client.get(_path(doc)).get_data(as_text=True)
    assert "This paper copy" not in plain and "does not belong" not in plain
    # Every version is listed with its code, the current one marked.
    assert doc["fingerprint"] in plain and new["fingerprint"] in plain


def test_the_pdf_prints_the_version_beside_the_check_code(api):
    from tests.pdf_helpers import pdf_pages_text
    doc = api.post("/documents", json=sample_document()).get_json()
    edited = api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()
    text = "\n".join(pdf_pages_text(api.get(f"/documents/{doc['id']}/pdf").data))
    assert edited["fingerprint"] in text and doc["fingerprint"] not in text
    assert re.search(rf"\b2\b\W+{edited['fingerprint']}", text), text[-600:]
