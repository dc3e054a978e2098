"""ECMR.md §3: one-time links per role bound to a version, signatures with what the
signer saw and said, the status that follows, and content locked after the first one."""
from __future__ import annotations

import hashlib
import json

import time_machine

from tests.conftest import sample_document
from tests.ecmr.conftest import data_url, drawn_signature, photo_bytes


def _link(api, doc, role):
    response = api.post(f"/documents/{doc['id']}/signing-links", json={"role": role})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _doc(api, **overrides):
    return api.post("/documents", json=sample_document(**overrides)).get_json()


def _recompute(events):
    prev = ""
    for event in events:
        body = {k: v for k, v in event.items() if k != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + text).encode()).hexdigest()
        assert prev == event["hash"]
    return True


def test_sender_and_carrier_take_over_and_the_consignee_delivers(api, client, signed_by, mailbox):
    with time_machine.travel("2026-11-21T12:00:00+00:00", tick=False):
        doc = _doc(api, sender={**sample_document()["sender"], "email": "wysylka@kowalski.pl"},
                   consignee={**sample_document()["consignee"], "email": "lager@schaefer.de"})
        sender, carrier = _link(api, doc, "sender"), _link(api, doc, "carrier")
    assert sender["url"].startswith("http://cmr.test/s/") and len(sender["url"].rsplit("/", 1)[1]) == 22
    assert sender["role"] == "sender" and sender["expires_at"]

    with time_machine.travel("2026-11-21T12:10:00+00:00", tick=False):
        page = client.get(sender["url"].replace("http://cmr.test", ""))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert doc["number"] in html and doc["fingerprint"] in html and "Furniture" in html

    with time_machine.travel("2026-11-21T12:30:00+00:00", tick=False):
        first = signed_by(client, sender["url"], "Jan Kowalski")
    assert first.status_code == 201
    assert first.get_json()["event"]["type"] == "signed" and first.get_json()["event"]["role"] == "sender"
    assert api.get(f"/documents/{doc['id']}").get_json()["status"] == "issued"
    # The content is locked from the first signature; cancelling stays possible.
    locked = api.patch(f"/documents/{doc['id']}", json={"special_agreements": "x"})
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "conflict"

    with time_machine.travel("2026-11-21T14:00:00+00:00", tick=False):
        second = signed_by(client, carrier["url"], "Piotr Kierowca",
                           reservations=[{"code": "packages_not_checked", "text": ""}],
                           position={"lat": 52.4064, "lon": 16.9252, "accuracy_m": 12},
                           captured_at="2026-11-21T13:58:00+00:00")
    assert second.status_code == 201
    state = api.get(f"/documents/{doc['id']}").get_json()
    assert state["status"] == "taken_over"
    assert {m["To"] for m in mailbox.messages} == {"wysylka@kowalski.pl", "lager@schaefer.de"}
    assert all("taken over" in m["Subject"] for m in mailbox.messages)

    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        consignee = _link(api, doc, "consignee")
        third = signed_by(client, consignee["url"], "Klaus Schäfer",
                          reservations=[{"code": "packaging_damaged", "text": "2 pallets torn foil"}],
                          photos=[data_url(photo_bytes())])
    assert third.status_code == 201
    assert api.get(f"/documents/{doc['id']}").get_json()["status"] == "delivered"
    assert len(mailbox.to("lager@schaefer.de")) == 2

    events = api.get(f"/documents/{doc['id']}/events").get_json()["items"]
    assert [(e["type"], e["role"]) for e in events] == [
        ("issued", None), ("signed", "sender"), ("signed", "carrier"), ("taken_over", None),
        ("signed", "consignee"), ("delivered", None)]
    carrier_event = events[2]
    assert carrier_event["signer_name"] == "Piotr Kierowca"
    assert carrier_event["captured_at"] == "2026-11-21T13:58:00.000+00:00"
    assert carrier_event["at"] == "2026-11-21T14:00:00.000+00:00"
    assert carrier_event["position"] == {"lat": 52.4064, "lon": 16.9252, "accuracy_m": 12.0}
    assert carrier_event["reservations"] == [{"code": "packages_not_checked", "text": ""}]
    assert len(events[4]["photos"]) == 1 and len(events[4]["photo_sha256"]) == 1
    assert _recompute(events)

    listed = api.get(f"/documents/{doc['id']}/signatures").get_json()["items"]
    assert [s["role"] for s in listed] == ["sender", "carrier", "consignee"]
    photo = client.get(listed[2]["photos"][0].replace("http://cmr.test", ""),
                       headers={"Authorization": f"Bearer {api.token}"})
    assert photo.status_code == 200 and photo.data[:2] == b"\xff\xd8"
    assert hashlib.sha256(photo.data).hexdigest() == events[4]["photo_sha256"][0]
    image = client.get(listed[0]["image_url"].replace("http://cmr.test", ""),
                       headers={"Authorization": f"Bearer {api.token}"})
    assert image.data.startswith(b"\x89PNG") and hashlib.sha256(image.data).hexdigest() == events[1]["signature_sha256"]


def test_a_link_is_for_one_signature(api, client, signed_by):
    doc = _doc(api)
    link = _link(api, doc, "sender")
    assert signed_by(client, link["url"], "Jan").status_code == 201
    again = signed_by(client, link["url"], "Someone else")
    assert again.status_code == 410 and again.get_json()["error"]["details"]["reason"] == "used"
    page = client.get(link["url"].replace("http://cmr.test", ""))
    assert page.status_code == 410 and "the signature is recorded" in page.get_data(as_text=True)
    refused = api.post(f"/documents/{doc['id']}/signing-links", json={"role": "sender"})
    assert refused.status_code == 409


def test_the_same_submission_sent_again_gets_the_same_answer(api, client, signed_by):
    doc = _doc(api)
    link = _link(api, doc, "sender")
    first = signed_by(client, link["url"], "Jan", submission_id="phone-1")
    again = signed_by(client, link["url"], "Jan", submission_id="phone-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["event"]["hash"] == first.get_json()["event"]["hash"]
    assert len(api.get(f"/documents/{doc['id']}/events").get_json()["items"]) == 2


def test_a_new_version_voids_the_open_links_and_a_new_link_replaces_the_old(api, client, signed_by):
    doc = _doc(api)
    old = _link(api, doc, "carrier")
    api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"})
    gone = signed_by(client, old["url"], "Piotr")
    assert gone.status_code == 410 and gone.get_json()["error"]["details"]["reason"] == "replaced"
    first, second = _link(api, doc, "carrier"), _link(api, doc, "carrier")
    assert signed_by(client, first["url"], "Piotr").status_code == 410
    assert signed_by(client, second["url"], "Piotr").status_code == 201
    assert api.get(f"/documents/{doc['id']}/signatures").get_json()["items"][0]["version"] == 2


def test_an_expired_link_says_so(api, client, signed_by):
    with time_machine.travel("2026-11-01T10:00:00+00:00", tick=False):
        doc = _doc(api)
        link = _link(api, doc, "sender")
    with time_machine.travel("2026-11-16T10:00:00+00:00", tick=False):
        response = signed_by(client, link["url"], "Jan")
        page = client.get(link["url"].replace("http://cmr.test", ""))
    assert response.status_code == 410 and response.get_json()["error"]["details"]["reason"] == "expired"
    assert page.status_code == 410 and "has expired" in page.get_data(as_text=True)


def test_bad_signatures_are_refused_naming_the_field_and_nothing_is_stored(api, client):
    doc = _doc(api)
    link = _link(api, doc, "carrier")
    path = link["url"].replace("http://cmr.test", "")
    cases = [
        ({"signature": drawn_signature()}, "signer_name"),
        ({"signer_name": "  ", "signature": drawn_signature()}, "signer_name"),
        ({"signer_name": "Piotr"}, "signature"),
        ({"signer_name": "Piotr", "signature": drawn_signature(blank=True)}, "signature"),
        ({"signer_name": "Piotr", "signature": "data:image/png;base64,AAAA"}, "signature"),
        ({"signer_name": "Piotr", "signature": "data:image/png;base64,%%%"}, "signature"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "photos": [data_url(b"not an image")]}, "photos.0"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "photos": [data_url(photo_bytes())] * 6}, "photos"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "reservations": [{"code": "nope"}]},
         "reservations.0.code"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "reservations": [{"code": "other"}]},
         "reservations.0.text"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "position": {"lat": 123, "lon": 0}}, "position"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "captured_at": "yesterday"}, "captured_at"),
        ({"signer_name": "Piotr", "signature": drawn_signature(), "captured_at": "2026-11-21T10:00:00"},
         "captured_at"),
        ({"signer_name": "Piotr\u202e", "signature": drawn_signature()}, "signer_name"),
    ]
    for payload, field in cases:
        response = client.post(path, json=payload)
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["error"]["details"], (field, response.get_json())
    assert client.post(path, data="not json", content_type="application/json").status_code == 422
    assert api.get(f"/documents/{doc['id']}/signatures").get_json()["items"] == []
    assert len(api.get(f"/documents/{doc['id']}/events").get_json()["items"]) == 1
    assert signed_by_ok(client, path)


def signed_by_ok(client, path) -> bool:
    return client.post(path, json={"signer_name": "Piotr", "signature": drawn_signature()}).status_code == 201


def test_an_image_bomb_as_a_photo_is_refused(api, client):
    import io
    import struct
    import zlib
    # A PNG header declaring 20000 x 20000 pixels: refused before any pixel is decoded.
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    doc = _doc(api)
    link = _link(api, doc, "carrier")
    response = client.post(link["url"].replace("http://cmr.test", ""),
                           json={"signer_name": "P", "signature": drawn_signature(),
                                 "photos": [data_url(bomb, "image/png")]})
    assert response.status_code == 422 and "photos.0" in response.get_json()["error"]["details"]
    del io


def test_multipart_with_photo_files_is_accepted(api, client):
    import io
    doc = _doc(api)
    link = _link(api, doc, "carrier")
    response = client.post(link["url"].replace("http://cmr.test", ""), content_type="multipart/form-data", data={
        "signer_name": "Piotr", "signature": drawn_signature(),
        "reservations": json.dumps([{"code": "seal_broken", "text": "seal 123"}]),
        "photos": [(io.BytesIO(photo_bytes()), "a.jpg"), (io.BytesIO(photo_bytes(fmt="PNG")), "b.png")]})
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert len(event["photos"]) == 2 and event["reservations"] == [{"code": "seal_broken", "text": "seal 123"}]


def test_the_consignee_signs_only_after_taking_over_and_cancelled_documents_not_at_all(api, client, signed_by):
    doc = _doc(api)
    consignee = _link(api, doc, "consignee")
    early = signed_by(client, consignee["url"], "Klaus")
    assert early.status_code == 409
    sender = _link(api, doc, "sender")
    assert api.post(f"/documents/{doc['id']}/cancel", json={"reason": "Called off"}).status_code == 200
    assert signed_by(client, sender["url"], "Jan").status_code == 410
    assert api.post(f"/documents/{doc['id']}/signing-links", json={"role": "carrier"}).status_code == 410


def test_links_are_the_companys_own(api, api_for, make_account):
    doc = _doc(api)
    other = api_for(make_account())
    assert other.post(f"/documents/{doc['id']}/signing-links", json={"role": "sender"}).status_code == 404
    assert other.get(f"/documents/{doc['id']}/signatures").status_code == 404
    assert api.post(f"/documents/{doc['id']}/signing-links", json={"role": "driver"}).status_code == 422


def test_the_carrier_shows_the_consignees_link_as_a_qr_code_after_signing(api, client, signed_by):
    doc = _doc(api)
    signed_by(client, _link(api, doc, "sender")["url"], "Jan")
    carrier = _link(api, doc, "carrier")
    signed_by(client, carrier["url"], "Piotr")
    page = client.get(carrier["url"].replace("http://cmr.test", ""))
    html = page.get_data(as_text=True)
    assert page.status_code == 410 and 'id="handover"' in html and "<svg" in html
    [consignee] = [link for link in api.get(f"/documents/{doc['id']}/signing-links").get_json()["items"]]
    assert consignee["role"] == "consignee"


def test_a_phone_with_a_wrong_clock_still_signs_and_the_record_keeps_its_claim(api, client, signed_by):
    with time_machine.travel("2026-11-21T12:00:00+00:00", tick=False):
        doc = _doc(api)
        link = _link(api, doc, "sender")
        response = signed_by(client, link["url"], "Jan", captured_at="2019-01-01T08:00:00+00:00")
    assert response.status_code == 201
    event = response.get_json()["event"]
    assert event["captured_at"] is None and event["at"] == "2026-11-21T12:00:00.000+00:00"
    assert event["phone_clock_rejected"] == "2019-01-01T08:00:00+00:00"


def test_a_body_too_deep_to_parse_is_refused_not_a_500(api, client):
    """The app's JSON reader (inputs) turns the parser's RecursionError into "not JSON"
    for every get_json, the phone's signing page included."""
    link = _link(api, _doc(api), "sender")
    depth = 100_000
    response = client.post(link["url"].replace("http://cmr.test", ""), data="[" * depth + "]" * depth,
                           content_type="application/json")
    assert response.status_code == 422
