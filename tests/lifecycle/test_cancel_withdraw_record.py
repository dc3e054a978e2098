"""ECMR.md §2 and §4: cancelling, withdrawing, the hash-chained record and the log of
who opened the public pages."""
from __future__ import annotations

import hashlib
import json

import time_machine

from tests.conftest import sample_document


def _path(doc) -> str:
    return doc["public_url"].replace("http://cmr.test", "")


def recompute(events: list[dict]) -> list[str]:
    """The chain as ECMR.md §4 defines it, written out here independently of the app."""
    hashes, prev = [], ""
    for event in events:
        body = {k: v for k, v in event.items() if k != "hash"}
        assert body["prev_hash"] == prev
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        hashes.append(prev)
    return hashes


def test_cancelling_keeps_the_document_and_marks_it_everywhere(api, client):
    doc = api.post("/documents", json=sample_document()).get_json()
    used = api.get("/account").get_json()["usage"]["used"]
    assert api.post(f"/documents/{doc['id']}/cancel", json={}).status_code == 422  # a reason is required
    with time_machine.travel("2026-11-24T08:00:00+00:00", tick=False):
        response = api.post(f"/documents/{doc['id']}/cancel", json={"reason": "Order called off"})
    assert response.status_code == 200
    cancelled = response.get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Order called off"
    assert cancelled["cancelled_at"].startswith("2026-11-24T08:00:00")
    assert api.get("/account").get_json()["usage"]["used"] == used  # no quota back

    page = client.get(_path(doc)).get_data(as_text=True)
    assert "This CMR is cancelled." in page and "Order called off" in page
    # Content is locked; cancelling twice is a conflict.
    assert api.patch(f"/documents/{doc['id']}", json={"special_agreements": "x"}).status_code == 409
    again = api.post(f"/documents/{doc['id']}/cancel", json={"reason": "again"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    # Status "cancelled" is not set by an edit.
    other = api.post("/documents", json=sample_document()).get_json()
    refused = api.patch(f"/documents/{other['id']}", json={"status": "cancelled"})
    assert refused.status_code == 422 and "status" in refused.get_json()["error"]["details"]


def test_the_list_filters_by_status(api):
    kept = api.post("/documents", json=sample_document()).get_json()
    gone = api.post("/documents", json=sample_document()).get_json()
    api.post(f"/documents/{gone['id']}/cancel", json={"reason": "No truck"})
    assert [d["id"] for d in api.get("/documents?status=cancelled").get_json()["items"]] == [gone["id"]]
    assert [d["id"] for d in api.get("/documents?status=issued").get_json()["items"]] == [kept["id"]]
    bad = api.get("/documents?status=lost")
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["details"]


def test_withdrawing_erases_content_keeps_the_number_and_never_reuses_it(api):
    first = api.post("/documents", json=sample_document()).get_json()
    assert api.delete(f"/documents/{first['id']}").status_code == 204
    stub = api.get(f"/documents/{first['id']}").get_json()
    assert stub["status"] == "withdrawn" and stub["number"] == first["number"]
    assert "sender" not in stub and stub["withdrawn_at"] and stub["pdf_url"] is None
    assert api.get(f"/documents/{first['id']}/pdf").status_code == 409
    assert api.patch(f"/documents/{first['id']}", json={"special_agreements": "x"}).status_code == 409
    assert api.post(f"/documents/{first['id']}/duplicate").status_code == 409
    assert api.delete(f"/documents/{first['id']}").status_code == 409
    second = api.post("/documents", json=sample_document()).get_json()
    assert int(second["number"].split("/")[-1]) == int(first["number"].split("/")[-1]) + 1
    listed = [d["number"] for d in api.get("/documents").get_json()["items"]]
    assert listed == [second["number"], first["number"]]  # no gap in the list
    # The content is gone from every version too; the codes stay for the record.
    versions = api.get(f"/documents/{first['id']}/versions").get_json()["items"]
    assert [v["fingerprint"] for v in versions] == [first["fingerprint"]]
    assert [d["id"] for d in api.get("/documents?q=Kowalski").get_json()["items"]] == [second["id"]]


def test_the_record_is_a_hash_chain_anyone_can_recompute(api):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
    with time_machine.travel("2026-11-21T11:00:00+00:00", tick=False):
        v2 = api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()
    with time_machine.travel("2026-11-21T12:00:00+00:00", tick=False):
        api.post(f"/documents/{doc['id']}/cancel", json={"reason": "Zlecenie anulowane – ß"})
    with time_machine.travel("2026-11-21T13:00:00+00:00", tick=False):
        api.delete(f"/documents/{doc['id']}")
    events = api.get(f"/documents/{doc['id']}/events").get_json()["items"]
    assert [(e["seq"], e["type"], e["version"], e["fingerprint"]) for e in events] == [
        (1, "issued", 1, doc["fingerprint"]), (2, "amended", 2, v2["fingerprint"]),
        (3, "cancelled", 2, v2["fingerprint"]), (4, "withdrawn", 2, v2["fingerprint"])]
    assert events[0]["at"] == "2026-11-21T10:00:00.000+00:00"
    assert events[2]["reason"] == "Zlecenie anulowane – ß"
    assert events[0]["prev_hash"] == ""
    assert recompute(events) == [e["hash"] for e in events]
    # Any change to a past event breaks every hash after it.
    tampered = [dict(e) for e in events]
    tampered[1]["fingerprint"] = "000000000000"
    assert recompute(tampered[:2])[1] != events[1]["hash"]


def test_openings_of_the_public_pages_are_logged_and_listed(api, client, app):
    doc = api.post("/documents", json=sample_document()).get_json()
    client.get(_path(doc), headers={"User-Agent": "BorderPhone/1.0"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    client.get(_path(doc) + f"?code={doc['fingerprint']}", environ_base={"REMOTE_ADDR": "192.0.2.8"})
    client.get(_path(doc) + ".pdf", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    body = api.get(f"/documents/{doc['id']}/views").get_json()
    assert body["total"] == 3
    assert [(v["page"], v["ip"], v["code"]) for v in body["items"]] == [
        ("pdf", "192.0.2.9", None), ("page", "192.0.2.8", doc["fingerprint"]), ("page", "192.0.2.7", None)]
    assert body["items"][2]["user_agent"] == "BorderPhone/1.0"


def test_another_companys_record_is_a_404(api, api_for, make_account):
    doc = api.post("/documents", json=sample_document()).get_json()
    other = api_for(make_account())
    for path in ("/events", "/versions", "/views"):
        assert other.get(f"/documents/{doc['id']}{path}").status_code == 404
    assert other.post(f"/documents/{doc['id']}/cancel", json={"reason": "x"}).status_code == 404
    assert api.get(f"/documents/{doc['id']}").get_json()["status"] == "issued"

