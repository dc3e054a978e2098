"""The e-CMR as one JSON document (ECMR.md §4): the consignment under the element names
of the eFTI common data set (Delegated Regulation (EU) 2024/2024, the DTLF data model)
and of the UN/CEFACT model it is drawn from, in camelCase as in the eFTI reference
implementation's XML; what has no eFTI element stays in our own `cmrOnline` block.
docs/ecmr-mapping.md says where each field comes from and goes to; the JSON Schema is
schemas/ecmr.schema.json."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from flask import current_app, url_for

from ..models import Document
from . import lifecycle, record, signatures

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "ecmr.schema.json"
FORMAT = "cmr-online/ecmr"
FORMAT_VERSION = "1.0"

# Code lists named by the eFTI model: UN/EDIFACT 1001 (document name: 730 road
# consignment note), UN/ECE Recommendation 19 (transport mode: 3 road), UN/EDIFACT 4237
# (payment arrangement: P prepaid, C collect), UN/EDIFACT 3035 (party function: CZ
# consignor, CA carrier, CN consignee), UN/EDIFACT 8053 (equipment category: TE trailer),
# UN/ECE Recommendation 20 (units: KGM kilogram, MTQ cubic metre).
ROAD_CONSIGNMENT_NOTE = "730"
ROAD = "3"
PAYMENT_ARRANGEMENT = {"carriage_paid": "P", "carriage_forward": "C"}
PARTY_ROLE = {"sender": "CZ", "carrier": "CA", "consignee": "CN"}
TRAILER = "TE"


def schema_url() -> str:
    return current_app.config["BASE_URL"] + url_for("api.ecmr_schema")


def _number(value) -> int | float | None:
    """A decimal string of the document as a JSON number (exact for the 3 decimals kept)."""
    if value in (None, ""):
        return None
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _measure(value, unit: str) -> dict | None:
    number = _number(value)
    return None if number is None else {"value": number, "unitId": unit}


def _amount(value, currency: str) -> dict | None:
    number = _number(value)
    if number is None:
        return None
    return {"value": number, **({"currencyId": currency} if currency else {})}


def _compact(data: dict) -> dict:
    """Leaves out what is empty: an absent element, as in the eFTI XML, not a blank one."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


def _address(part: dict, *, street: bool = True) -> dict:
    return _compact({"streetName": part.get("address", "") if street else "",
                     "postcode": part.get("postal_code", ""), "cityName": part.get("city", ""),
                     "countryCode": part.get("country", "")})


def _party(part: dict, signature=None) -> dict:
    contact = _compact({"emailAddress": _compact({"uRI": part.get("email", "")}),
                        "telephone": _compact({"completeNumber": part.get("phone", "")})})
    return _compact({
        "name": part.get("name", ""),
        "postalAddress": _address(part),
        "taxRegistration": [{"id": part["tax_id"]}] if part.get("tax_id") else [],
        "definedContactDetails": [contact] if contact else [],
        "confirmedDocumentAuthentication": [{"actualDateTime": _iso(signature.signed_at)}] if signature else [],
    })


def _coordinates(position: dict | None) -> dict | None:
    if not position:
        return None
    return {"latitude": position["lat"], "longitude": position["lon"]}


def _observations(reservations: list) -> list:
    notes = [_compact({"subjectCode": r.get("code", ""), "contentText": r.get("text", "")}) for r in reservations or []]
    return [{"applicableNote": notes}] if notes else []


def _dangerous_goods(line: dict) -> list:
    adr = line.get("adr") or {}
    goods = _compact({"uNDGID": adr.get("un_number", ""), "properShippingName": adr.get("proper_shipping_name", ""),
                      "hazardClassificationID": adr.get("class", ""),
                      "packagingDangerLevelCode": adr.get("packing_group", ""),
                      "tunnelRestrictionCode": adr.get("tunnel_code", "")})
    return [goods] if goods else []


def _item(index: int, line: dict) -> dict:
    package = _compact({"itemQuantity": line.get("packages"), "typeText": line.get("packing", ""),
                        "shippingMarks": _compact({"markingText": line.get("marks", "")})})
    cargo = _compact({"identificationText": [line["nature"]] if line.get("nature") else [],
                      "statisticalClassificationCode": line.get("statistical_number", "")})
    return _compact({"sequenceNumber": index, "natureIdentificationCargo": cargo, "transportPackage": package,
                     "grossWeight": _measure(line.get("gross_weight_kg"), "KGM"),
                     "grossVolume": _measure(line.get("volume_m3"), "MTQ"),
                     "transportDangerousGoods": _dangerous_goods(line)})


def _total(lines: list, key: str):
    values = [Decimal(str(line[key])) for line in lines if line.get(key) not in (None, "")]
    return sum(values, Decimal(0)) if values else None


def _vehicles(registration: str) -> tuple[str, list[str]]:
    """'PO 12345 / PO 6789A': the motor vehicle first, then its trailers (box 16's usage)."""
    plates = [p.strip() for p in re.split(r"[/,;+]", registration or "") if p.strip()]
    return (plates[0], plates[1:]) if plates else ("", [])


def _charges(lines: list) -> list:
    result = []
    for charge in lines:
        for payer, key in (("CZ", "sender"), ("CN", "consignee")):
            amount = _amount(charge.get(key), charge.get("currency", ""))
            if amount is not None:
                result.append(_compact({"id": charge.get("label", ""), "appliedAmount": amount,
                                        "payingPartyRoleCode": payer}))
    return result


def _signature_event(signature, party: dict) -> dict:
    certifying = _compact({"name": party.get("name", ""), "roleCode": PARTY_ROLE[signature.role],
                           "authoritativeSignatoryPerson": [{"name": signature.signer_name}],
                           "confirmedDocumentAuthentication": [{"actualDateTime": _iso(signature.signed_at)}]})
    location = _compact({"geographicalCoordinates": _coordinates(signature.position)})
    return _compact({"actualOccurrenceDateTime": _iso(signature.signed_at), "occurrenceLocation": location,
                     "certifyingParty": [certifying], "relatedObservation": _observations(signature.reservations)})


def _signature_record(doc: Document, signature) -> dict:
    """What a signature is, beyond the eFTI elements: its image and photos with their
    SHA-256 (the same digests the record's `signed` event carries)."""
    base = current_app.config["BASE_URL"]
    position = signature.position or None
    return _compact({
        "role": signature.role, "signerName": signature.signer_name, "version": signature.version,
        "signedAt": _iso(signature.signed_at), "capturedAt": _iso(signature.captured_at),
        "position": _compact({"lat": position["lat"], "lon": position["lon"],
                              "accuracyM": position.get("accuracy_m")}) if position else None,
        "reservations": [{"code": r.get("code", ""), "text": r.get("text", "")} for r in signature.reservations or []],
        "imageUrl": base + url_for("api.signature_image", doc_id=doc.id, role=signature.role),
        "imageSha256": signature.image_sha256,
        "photos": [{"url": signatures.photo_url(doc, p), "sha256": p.sha256, "width": p.width, "height": p.height}
                   for p in signatures.photos_of(signature)],
    })


def _consignment(doc: Document, signed: dict) -> dict:
    data = doc.data
    goods = data.get("goods") or []
    taking_over, delivery = data.get("taking_over") or {}, data.get("place_of_delivery") or {}
    carrier_data, established = data.get("carrier") or {}, data.get("established") or {}
    vehicle, trailers = _vehicles(carrier_data.get("vehicle_registration", ""))
    dangerous = any(_dangerous_goods(line) for line in goods)
    sender_sig, carrier_sig, consignee_sig = (signed.get(r) for r in ("sender", "carrier", "consignee"))
    # eFTI39 is the date the carrier accepted the goods: the moment of taking over once
    # sender and carrier have signed, the date written in box 4 until then.
    acceptance = _iso(doc.taken_over_at) or taking_over.get("date")
    natures = [line["nature"] for line in goods if line.get("nature")]
    cod = data.get("cash_on_delivery") or {}
    delivery_event = None
    if doc.delivered_at is not None:
        delivery_event = _compact({
            "actualOccurrenceDateTime": _iso(doc.delivered_at),
            "occurrenceLocation": _compact({"name": delivery.get("city", "")}),
            "relatedObservation": _observations(consignee_sig.reservations if consignee_sig else [])})
    return _compact({
        "transportContractDocument": _compact({
            "id": doc.number, "typeCode": ROAD_CONSIGNMENT_NOTE,
            "formattedIssueDateTime": established.get("date") or doc.issued_on.isoformat(),
            "issueLocation": _compact({"name": established.get("place", "")}),
            "uRI": current_app.config["BASE_URL"] + url_for("public.driver_page", token=doc.public_token)}),
        "consignor": _party(data.get("sender") or {}, sender_sig),
        "consignee": _party(data.get("consignee") or {}, consignee_sig),
        "carrier": _party(carrier_data, carrier_sig),
        "carrierAcceptanceDateTime": acceptance,
        "carrierAcceptanceLocation": _compact({
            "name": taking_over.get("city", ""),
            "postalAddress": _address(taking_over, street=False),
            "geographicalCoordinates": _coordinates(carrier_sig.position if carrier_sig else None)}),
        # Where the phones were when the carrier and the consignee signed: eFTI139/140, eFTI155/156.
        "consigneeReceiptLocation": _compact({
            "name": delivery.get("city", ""), "postalAddress": _address(delivery),
            "geographicalCoordinates": _coordinates(consignee_sig.position if consignee_sig else None)}),
        "deliveryEvent": delivery_event,
        "grossWeight": _measure(_total(goods, "gross_weight_kg"), "KGM"),
        "grossVolume": _measure(_total(goods, "volume_m3"), "MTQ"),
        "numberOfPackages": _number(_total(goods, "packages")),
        "natureIdentificationCargo": {"identificationText": natures} if natures else None,
        "includedConsignmentItem": [_item(i, line) for i, line in enumerate(goods, start=1)],
        "mainCarriageTransportMovement": [_compact({
            "modeCode": ROAD, "dangerousGoodsIndicator": dangerous,
            "usedTransportMeans": _compact({"id": vehicle})})],
        "usedTransportEquipment": [{"id": plate, "categoryCode": TRAILER, "sequenceNumber": i}
                                   for i, plate in enumerate(trailers, start=1)],
        "cODAmount": _amount(cod.get("amount"), cod.get("currency", "")),
        "paymentArrangementCode": PAYMENT_ARRANGEMENT.get(data.get("payment_instructions", "")),
        "applicableServiceCharge": _charges(data.get("charges") or []),
        "consignorProvidedBorderClearanceInstructions": (
            [{"description": data["sender_instructions"]}] if data.get("sender_instructions") else []),
        "contractTermsText": data.get("special_agreements", ""),
        "transportEvent": [_signature_event(signed[role], data.get(role) or {})
                           for role in ("sender", "carrier", "consignee") if role in signed],
    })


def _cmr_online(doc: Document, signed: dict) -> dict:
    data = doc.data
    payment = data.get("payment_instructions", "")
    return _compact({
        "format": FORMAT, "formatVersion": FORMAT_VERSION,
        "documentId": doc.id, "number": doc.number, "status": doc.status,
        "version": doc.version, "checkCode": doc.fingerprint,
        "publicUrl": current_app.config["BASE_URL"] + url_for("public.driver_page", token=doc.public_token),
        "issuedOn": doc.issued_on.isoformat(), "createdAt": _iso(doc.created_at),
        "takenOverAt": _iso(doc.taken_over_at), "deliveredAt": _iso(doc.delivered_at),
        "cancelledAt": _iso(doc.cancelled_at), "cancelReason": doc.cancel_reason,
        "labelLanguages": data.get("languages") or [],
        "takingOverDate": (data.get("taking_over") or {}).get("date"),
        "documentsAttached": data.get("documents_attached", ""),
        "successiveCarriers": data.get("successive_carriers", ""),
        "carrierReservations": data.get("carrier_reservations", ""),
        "paymentInstructions": payment if payment and payment not in PAYMENT_ARRANGEMENT else "",
        "versions": [{"version": v.version, "checkCode": v.fingerprint, "createdAt": _iso(v.created_at),
                      "createdBy": v.created_by, "current": v.version == doc.version}
                     for v in lifecycle.versions(doc)],
        "signatures": [_signature_record(doc, signed[role]) for role in ("sender", "carrier", "consignee")
                       if role in signed],
        # Verbatim, as GET /documents/{id}/events returns them: the hashes are computed
        # over these exact keys and values, so they are not renamed.
        "events": [record.event_dict(e) for e in record.events(doc)],
    })


def export(doc: Document) -> dict:
    """The whole consignment. A withdrawn document has no content left: 409, as its PDF."""
    lifecycle.require_printable(doc)
    signed = signatures.signed_roles(doc)
    return {"$schema": schema_url(), "consignment": _consignment(doc, signed), "cmrOnline": _cmr_online(doc, signed)}
