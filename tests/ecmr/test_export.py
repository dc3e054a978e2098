"""ECMR.md §4: GET /documents/{id}/ecmr.json, the whole consignment under eFTI / UN/CEFACT
names, valid against the JSON Schema shipped in schemas/, with a record whose hash chain
anyone can recompute."""
from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from jsonschema import Draft202012Validator

from tests.conftest import sample_document
from tests.ecmr.conftest import data_url, photo_bytes

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "ecmr.schema.json"
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))

ADR_LINE = {"marks": "UN1263", "packages": 4, "packing": "drum", "nature": "Paint", "statistical_number": "3208",
            "gross_weight_kg": "705.6", "volume_m3": "1.2",
            "adr": {"class": "3", "un_number": "1263", "packing_group": "II", "proper_shipping_name": "PAINT",
                    "tunnel_code": "D/E"}}


def _full_document(**overrides) -> dict:
    base = sample_document()
    payload = sample_document(
        sender={**base["sender"], "email": "wysylka@kowalski.pl", "phone": "+48 61 000 00 00"},
        goods=base["goods"] + [ADR_LINE],
        cash_on_delivery={"amount": "1250.50", "currency": "EUR"},
        charges=[{"label": "Carriage charges", "sender": "800.00", "currency": "EUR", "consignee": "150.00"}],
        sender_instructions="T1 at Świecko", special_agreements="Tail lift required",
        successive_carriers="Spedition Müller, Frankfurt (Oder)", carrier_reservations="Seal not checked")
    payload.update(overrides)
    return payload


def _path(url: str) -> str:
    return url.replace("http://cmr.test", "")


def _link(api, doc_id, role):
    response = api.post(f"/documents/{doc_id}/signing-links", json={"role": role})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["url"]


def _export(api, doc_id) -> dict:
    response = api.get(f"/documents/{doc_id}/ecmr.json")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


def _valid(exported: dict) -> dict:
    errors = sorted(VALIDATOR.iter_errors(exported), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    return exported


def _recompute(events: list[dict]) -> None:
    """ECMR.md §4, written out here apart from the app: sha256(prev_hash + canonical JSON)."""
    prev = ""
    for event in events:
        body = {k: v for k, v in event.items() if k != "hash"}
        assert body["prev_hash"] == prev
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        assert event["hash"] == prev, f"event {event['seq']} does not follow from the one before"


def test_an_issued_document_exports_under_efti_names_and_validates(api, client):
    with time_machine.travel("2026-11-20T09:00:00+00:00", tick=False):
        doc = api.post("/documents", json=_full_document()).get_json()
    exported = _valid(_export(api, doc["id"]))

    assert exported["$schema"] == "http://cmr.test/api/v1/schemas/ecmr.json"
    c = exported["consignment"]
    assert c["transportContractDocument"] == {
        "id": doc["number"], "typeCode": "730", "formattedIssueDateTime": "2026-11-21",
        "issueLocation": {"name": "Poznań"}, "uRI": doc["public_url"]}
    assert c["consignor"]["name"] == "Meble Kowalski Sp. z o.o."
    assert c["consignor"]["postalAddress"] == {"streetName": "ul. Głogowska 12", "postcode": "60-101",
                                               "cityName": "Poznań", "countryCode": "PL"}
    assert c["consignor"]["taxRegistration"] == [{"id": doc["sender"]["tax_id"]}]
    assert c["consignor"]["definedContactDetails"] == [{"emailAddress": {"uRI": "wysylka@kowalski.pl"},
                                                        "telephone": {"completeNumber": "+48 61 000 00 00"}}]
    assert c["consignee"]["name"] == "Möbelhaus Schäfer GmbH" and c["consignee"]["postalAddress"]["countryCode"] == "DE"
    assert c["carrier"]["name"] == "Trans-Pol Sp.j."
    # eFTI41: the gross weight of the consignment is the sum of its lines (12400.5 + 705.6 kg).
    assert Decimal(str(c["grossWeight"]["value"])) == Decimal("13106.1") and c["grossWeight"]["unitId"] == "KGM"
    assert Decimal(str(c["grossVolume"]["value"])) == Decimal("81.2")
    assert c["numberOfPackages"] == 37
    assert c["natureIdentificationCargo"] == {"identificationText": ["Furniture", "Paint"]}
    # Until the carrier signs, eFTI39 is the date of taking over written in box 4.
    assert c["carrierAcceptanceDateTime"] == "2026-11-21"
    assert c["carrierAcceptanceLocation"] == {"name": "Poznań", "postalAddress": {"cityName": "Poznań", "countryCode": "PL"}}
    assert c["consigneeReceiptLocation"]["postalAddress"] == {"streetName": "Friedrichstraße 5", "cityName": "Berlin",
                                                              "countryCode": "DE"}
    assert "deliveryEvent" not in c and "transportEvent" not in c

    first, paint = c["includedConsignmentItem"]
    assert first == {"sequenceNumber": 1,
                     "natureIdentificationCargo": {"identificationText": ["Furniture"], "statisticalClassificationCode": "9403"},
                     "transportPackage": {"itemQuantity": 33, "typeText": "EUR pallet", "shippingMarks": {"markingText": "MK-1"}},
                     "grossWeight": {"value": 12400.5, "unitId": "KGM"}, "grossVolume": {"value": 80, "unitId": "MTQ"}}
    assert paint["transportDangerousGoods"] == [{"uNDGID": "1263", "properShippingName": "PAINT",
                                                 "hazardClassificationID": "3", "packagingDangerLevelCode": "II",
                                                 "tunnelRestrictionCode": "D/E"}]
    # The ADR line makes the main carriage a dangerous goods transport.
    assert c["mainCarriageTransportMovement"] == [{"modeCode": "3", "dangerousGoodsIndicator": True,
                                                   "usedTransportMeans": {"id": "PO 12345"}}]
    assert c["usedTransportEquipment"] == [{"id": "PO 6789A", "categoryCode": "TE", "sequenceNumber": 1}]
    assert c["cODAmount"] == {"value": 1250.5, "currencyId": "EUR"}
    assert c["paymentArrangementCode"] == "P"
    assert c["applicableServiceCharge"] == [
        {"id": "Carriage charges", "appliedAmount": {"value": 800, "currencyId": "EUR"}, "payingPartyRoleCode": "CZ"},
        {"id": "Carriage charges", "appliedAmount": {"value": 150, "currencyId": "EUR"}, "payingPartyRoleCode": "CN"}]
    assert c["consignorProvidedBorderClearanceInstructions"] == [{"description": "T1 at Świecko"}]
    assert c["contractTermsText"] == "Tail lift required"

    own = exported["cmrOnline"]
    assert own["number"] == doc["number"] and own["checkCode"] == doc["fingerprint"] and own["version"] == 1
    assert own["status"] == "issued" and own["documentsAttached"] == "Invoice FV/12/2026"
    assert own["successiveCarriers"] == "Spedition Müller, Frankfurt (Oder)"
    assert own["carrierReservations"] == "Seal not checked"
    assert own["versions"] == [{"version": 1, "checkCode": doc["fingerprint"], "createdAt": own["createdAt"],
                                "createdBy": own["versions"][0]["createdBy"], "current": True}]
    assert [e["type"] for e in own["events"]] == ["issued"]
    assert own["events"] == api.get(f"/documents/{doc['id']}/events").get_json()["items"]
    _recompute(own["events"])


def test_without_an_adr_line_the_indicator_is_false(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    movement = _valid(_export(api, doc["id"]))["consignment"]["mainCarriageTransportMovement"]
    assert movement == [{"modeCode": "3", "dangerousGoodsIndicator": False, "usedTransportMeans": {"id": "PO 12345"}}]


def test_a_bare_document_leaves_out_what_it_does_not_say(api):
    doc = api.post("/documents", json=sample_document(
        goods=[{"packages": 3}], carrier={}, documents_attached="", payment_instructions="Paid by the buyer",
        established={})).get_json()
    exported = _valid(_export(api, doc["id"]))
    c = exported["consignment"]
    assert c["includedConsignmentItem"] == [{"sequenceNumber": 1, "transportPackage": {"itemQuantity": 3}}]
    assert c["numberOfPackages"] == 3
    assert not {"carrier", "grossWeight", "grossVolume", "natureIdentificationCargo", "paymentArrangementCode",
                "cODAmount", "usedTransportEquipment"} & set(c)
    assert c["mainCarriageTransportMovement"] == [{"modeCode": "3", "dangerousGoodsIndicator": False}]
    assert exported["cmrOnline"]["paymentInstructions"] == "Paid by the buyer"
    assert c["transportContractDocument"]["formattedIssueDateTime"] == exported["cmrOnline"]["issuedOn"]


def test_signed_taken_over_and_delivered_with_reservations_positions_and_photos(api, client, signed_by):
    with time_machine.travel("2026-11-21T07:00:00+00:00", tick=False):
        doc = api.post("/documents", json=_full_document()).get_json()
        api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift and straps"})
        sender, carrier = _link(api, doc["id"], "sender"), _link(api, doc["id"], "carrier")
    with time_machine.travel("2026-11-21T08:15:00+00:00", tick=False):
        assert signed_by(client, sender, "Jan Kowalski").status_code == 201
    with time_machine.travel("2026-11-21T08:40:00+00:00", tick=False):
        response = signed_by(client, carrier, "Piotr Kierowca",
                             reservations=[{"code": "packages_not_checked", "text": ""},
                                           {"code": "other", "text": "Foil torn on 2 pallets"}],
                             position={"lat": 52.4064, "lon": 16.9252, "accuracy_m": 12},
                             captured_at="2026-11-21T08:38:00+00:00", photos=[data_url(photo_bytes())])
        assert response.status_code == 201, response.get_json()

    taken = _valid(_export(api, doc["id"]))
    events = taken["cmrOnline"]["events"]
    assert [e["type"] for e in events] == ["issued", "amended", "signed", "signed", "taken_over"]
    [taken_over] = [e for e in events if e["type"] == "taken_over"]
    c = taken["consignment"]
    # eFTI39: the carrier accepted the goods when the taken-over event was recorded.
    assert c["carrierAcceptanceDateTime"] == taken_over["at"] == "2026-11-21T08:40:00.000+00:00"
    assert c["carrierAcceptanceLocation"]["geographicalCoordinates"] == {"latitude": 52.4064, "longitude": 16.9252}
    assert c["contractTermsText"] == "Tail lift and straps"
    assert c["consignor"]["confirmedDocumentAuthentication"] == [{"actualDateTime": "2026-11-21T08:15:00.000+00:00"}]
    assert c["carrier"]["confirmedDocumentAuthentication"] == [{"actualDateTime": "2026-11-21T08:40:00.000+00:00"}]
    assert "confirmedDocumentAuthentication" not in c["consignee"] and "deliveryEvent" not in c
    sender_event, carrier_event = c["transportEvent"]
    assert sender_event["certifyingParty"][0]["roleCode"] == "CZ"
    assert sender_event["certifyingParty"][0]["authoritativeSignatoryPerson"] == [{"name": "Jan Kowalski"}]
    assert carrier_event == {
        "actualOccurrenceDateTime": "2026-11-21T08:40:00.000+00:00",
        "occurrenceLocation": {"geographicalCoordinates": {"latitude": 52.4064, "longitude": 16.9252}},
        "certifyingParty": [{"name": "Trans-Pol Sp.j.", "roleCode": "CA",
                             "authoritativeSignatoryPerson": [{"name": "Piotr Kierowca"}],
                             "confirmedDocumentAuthentication": [{"actualDateTime": "2026-11-21T08:40:00.000+00:00"}]}],
        "relatedObservation": [{"applicableNote": [{"subjectCode": "packages_not_checked"},
                                                   {"subjectCode": "other", "contentText": "Foil torn on 2 pallets"}]}]}

    own = taken["cmrOnline"]
    assert own["status"] == "taken_over" and own["version"] == 2 and own["takenOverAt"] == taken_over["at"]
    assert [v["current"] for v in own["versions"]] == [False, True]
    carrier_signature = own["signatures"][1]
    assert carrier_signature["role"] == "carrier" and carrier_signature["signerName"] == "Piotr Kierowca"
    assert carrier_signature["capturedAt"] == "2026-11-21T08:38:00.000+00:00"
    assert carrier_signature["position"] == {"lat": 52.4064, "lon": 16.9252, "accuracyM": 12.0}
    auth = {"Authorization": f"Bearer {api.token}"}
    image = client.get(_path(carrier_signature["imageUrl"]), headers=auth)
    assert image.status_code == 200 and hashlib.sha256(image.data).hexdigest() == carrier_signature["imageSha256"]
    [photo] = carrier_signature["photos"]
    served = client.get(_path(photo["url"]), headers=auth)
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == photo["sha256"]
    assert (photo["width"], photo["height"]) == (800, 600)
    # The same digests are in the hashed record.
    signed_carrier = [e for e in events if e["type"] == "signed" and e["role"] == "carrier"][0]
    assert signed_carrier["signature_sha256"] == carrier_signature["imageSha256"]
    assert signed_carrier["photo_sha256"] == [photo["sha256"]]
    _recompute(events)

    with time_machine.travel("2026-11-22T10:05:00+00:00", tick=False):
        consignee = _link(api, doc["id"], "consignee")
        assert signed_by(client, consignee, "Klaus Schäfer",
                         reservations=[{"code": "packaging_damaged", "text": "2 Paletten Folie gerissen"}],
                         position={"lat": 52.52, "lon": 13.405}).status_code == 201
    delivered = _valid(_export(api, doc["id"]))
    c, own = delivered["consignment"], delivered["cmrOnline"]
    [delivered_event] = [e for e in own["events"] if e["type"] == "delivered"]
    # The consignee's signature is the delivery: one moment in eFTI188, the consignee's
    # authentication and the record.
    assert c["deliveryEvent"]["actualOccurrenceDateTime"] == delivered_event["at"] == "2026-11-22T10:05:00.000+00:00"
    assert c["consignee"]["confirmedDocumentAuthentication"] == [{"actualDateTime": delivered_event["at"]}]
    assert c["deliveryEvent"]["occurrenceLocation"] == {"name": "Berlin"}
    assert c["consigneeReceiptLocation"]["geographicalCoordinates"] == {"latitude": 52.52, "longitude": 13.405}
    assert c["deliveryEvent"]["relatedObservation"] == [{"applicableNote": [
        {"subjectCode": "packaging_damaged", "contentText": "2 Paletten Folie gerissen"}]}]
    assert c["carrierAcceptanceDateTime"] == taken_over["at"]
    assert [p["certifyingParty"][0]["roleCode"] for p in c["transportEvent"]] == ["CZ", "CA", "CN"]
    assert own["status"] == "delivered" and own["deliveredAt"] == delivered_event["at"]
    assert [s["role"] for s in own["signatures"]] == ["sender", "carrier", "consignee"]
    assert [e["type"] for e in own["events"]][-2:] == ["signed", "delivered"]
    assert own["events"] == api.get(f"/documents/{doc['id']}/events").get_json()["items"]
    _recompute(own["events"])


def test_a_cancelled_document_exports_as_cancelled(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    with time_machine.travel("2026-11-24T08:00:00+00:00", tick=False):
        assert api.post(f"/documents/{doc['id']}/cancel", json={"reason": "Order called off"}).status_code == 200
    own = _valid(_export(api, doc["id"]))["cmrOnline"]
    assert own["status"] == "cancelled" and own["cancelReason"] == "Order called off"
    assert own["cancelledAt"] == "2026-11-24T08:00:00.000+00:00"
    assert [e["type"] for e in own["events"]] == ["issued", "cancelled"]
    assert own["events"][-1]["reason"] == "Order called off"
    _recompute(own["events"])


def test_a_withdrawn_document_has_nothing_to_export(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    assert api.delete(f"/documents/{doc['id']}").status_code == 204
    response = api.get(f"/documents/{doc['id']}/ecmr.json")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/documents/{doc['id']}/pdf").status_code == 409


def test_another_companys_document_is_not_found(api, api_for, make_account):
    doc = api.post("/documents", json=sample_document()).get_json()
    other = api_for(make_account())
    response = other.get(f"/documents/{doc['id']}/ecmr.json")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert other.get("/documents/999999/ecmr.json").status_code == 404
    assert other.get("/documents/abc/ecmr.json").status_code == 404


def test_the_export_needs_a_token_and_the_schema_does_not(api, client):
    doc = api.post("/documents", json=sample_document()).get_json()
    assert client.get(f"/api/v1/documents/{doc['id']}/ecmr.json").status_code == 401
    served = client.get("/api/v1/schemas/ecmr.json")
    assert served.status_code == 200 and served.mimetype == "application/schema+json"
    assert served.data == SCHEMA_FILE.read_bytes()
    assert served.get_json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(served.get_json())
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/documents/{id}/ecmr.json"]["get"]["responses"]) >= {"200", "404", "409"}
    assert paths["/schemas/ecmr.json"]["get"]["security"] == []


@pytest.mark.parametrize("break_it, where", [
    (lambda d: d["consignment"].pop("consignor"), "consignment"),
    (lambda d: d["consignment"]["consignee"]["postalAddress"].pop("countryCode"), "consignment/consignee/postalAddress"),
    (lambda d: d["consignment"]["grossWeight"].update(value="13106.1"), "consignment/grossWeight/value"),
    (lambda d: d["consignment"]["mainCarriageTransportMovement"][0].update(dangerousGoodsIndicator="true"),
     "consignment/mainCarriageTransportMovement/0/dangerousGoodsIndicator"),
    (lambda d: d["consignment"]["includedConsignmentItem"][1]["transportDangerousGoods"][0].update(uNDGID=1263),
     "consignment/includedConsignmentItem/1/transportDangerousGoods/0/uNDGID"),
    (lambda d: d["consignment"].update(carrierAcceptanceDateTime="21.11.2026"), "consignment/carrierAcceptanceDateTime"),
    (lambda d: d["consignment"].update(grossWeightKg=13106.1), "consignment"),
    (lambda d: d["cmrOnline"]["events"][0].pop("hash"), "cmrOnline/events/0"),
    (lambda d: d["cmrOnline"].update(checkCode="XYZ"), "cmrOnline/checkCode"),
])
def test_the_schema_refuses_a_wrong_type_or_a_missing_element(api, break_it, where):
    doc = api.post("/documents", json=_full_document()).get_json()
    exported = _valid(_export(api, doc["id"]))
    broken = copy.deepcopy(exported)
    break_it(broken)
    errors = list(VALIDATOR.iter_errors(broken))
    assert errors, "the schema let a broken document through"
    assert any("/".join(map(str, e.absolute_path)) == where for e in errors), [
        ("/".join(map(str, e.absolute_path)), e.message) for e in errors]
