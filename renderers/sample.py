"""Sample documents and PDFs: ``python -m renderers.sample OUTDIR``.

The documents here are also the fixtures of the renderer's tests and benchmark.
"""
from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

TOKEN = "q7Hc2xLw0PZr3vKt9YbN5m"   # 22 characters (128 bits), as the app issues them


def sample_document(**overrides) -> dict:
    doc = {
        "number": "12/11/2026",
        "sender": {"name": "Meble Łódzkie Sp. z o.o.", "address": "ul. Żeromskiego 115",
                   "postal_code": "90-542", "city": "Łódź", "country": "PL",
                   "tax_id": "PL7251234567", "email": "biuro@meble-lodzkie.pl",
                   "phone": "+48 42 630 11 22"},
        "consignee": {"name": "Möbelhaus Größner GmbH & Co. KG", "address": "Straße des 17. Juni 4",
                      "postal_code": "10623", "city": "Berlin", "country": "DE",
                      "tax_id": "DE811223344", "email": "", "phone": "+49 30 1234567"},
        "place_of_delivery": {"city": "Berlin", "country": "DE", "address": "Lager 3, Am Wriezener Bahnhof 2"},
        "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
        "documents_attached": "Faktura FV/12/2026, packing list, EUR.1 no. PL/123456",
        "goods": [
            {"marks": "MŁ-01…33", "packages": 33, "packing": "EUR pallet", "nature": "Furniture (oak tables)",
             "statistical_number": "9403", "gross_weight_kg": "12400.5", "volume_m3": "80", "adr": None},
            {"marks": "MŁ-34", "packages": 2, "packing": "Canister", "nature": "Wood stain, flammable",
             "statistical_number": "3208", "gross_weight_kg": "46.2", "volume_m3": "0.1",
             "adr": {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3",
                     "packing_group": "II", "tunnel_code": "D/E"}},
            {"marks": "", "packages": 4, "packing": "Carton", "nature": "Chair cushions",
             "statistical_number": "9404", "gross_weight_kg": "38", "volume_m3": "1.6", "adr": None},
            {"marks": "MŁ-40", "packages": 1, "packing": "Crate", "nature": "Glass table tops",
             "statistical_number": "7007", "gross_weight_kg": "210", "volume_m3": "1.2", "adr": None},
            {"marks": "MŁ-41", "packages": 6, "packing": "Bag", "nature": "Spare fittings",
             "statistical_number": "8302", "gross_weight_kg": "12.75", "volume_m3": "0.2", "adr": None},
        ],
        "sender_instructions": "Customs clearance at destination; T1 not required (EU). Deliver Mon–Fri 7:00–15:00.",
        "payment_instructions": "carriage_paid",
        "cash_on_delivery": {"amount": "1250.00", "currency": "EUR"},
        "carrier": {"name": "Trans-Wiśniewski Spółka Jawna", "address": "ul. Głogowska 210",
                    "postal_code": "60-104", "city": "Poznań", "country": "PL", "tax_id": "PL7792233445",
                    "email": "dyspozytor@trans-wisniewski.pl", "phone": "+48 61 555 66 77",
                    "vehicle_registration": "PO 12345 / PO 6789A"},
        "successive_carriers": "",
        "carrier_reservations": "",
        "special_agreements": "Tail-lift required. No double stacking.",
        "charges": [
            {"label": "carriage_charges", "sender": "1450.00", "currency": "EUR", "consignee": ""},
            {"label": "supplementary_charges", "sender": "60.00", "currency": "EUR", "consignee": ""},
            {"label": "total", "sender": "1510.00", "currency": "EUR", "consignee": ""},
        ],
        "established": {"place": "Poznań", "date": "2026-11-21"},
        "languages": ["pl", "de", "en"],
        "copies": 4,
        "public_url": f"https://cmr.example.com/d/{TOKEN}",
        "short_url": f"cmr.example.com/d/{TOKEN}",
    }
    doc.update(overrides)
    return doc


def large_document() -> dict:
    """40 goods lines and long free texts: the worst case an office will send."""
    doc = sample_document(number="ZX/2026/11/000123")
    base = copy.deepcopy(doc["goods"])
    doc["goods"] = []
    for i in range(40):
        g = copy.deepcopy(base[i % len(base)])
        g["marks"] = f"LOT-{i + 1:03d}"
        g["nature"] = f"{g['nature']} — batch {i + 1}"
        g["gross_weight_kg"] = f"{100 + i * 7.25:.2f}"
        doc["goods"].append(g)
    doc["sender_instructions"] = " ".join(
        f"Instruction {i}: keep the load dry and secured; call the consignee 2 h before arrival "
        f"(+49 30 1234567, ask for Mr Šťastný); present the T2L document no. {1000 + i} at the gate."
        for i in range(1, 13))
    doc["carrier_reservations"] = "Pallets 12–14 wrapped loosely, count not verified (sealed trailer)."
    doc["special_agreements"] = ("Temperature 15–25 °C. Waiting time over 2 h invoiced at 40 € per hour. "
                                 "Delivery window agreed by e-mail of 19.11.2026. ") * 4
    doc["charges"].insert(2, {"label": "Tolls Germany (Maut)", "sender": "86.40", "currency": "EUR", "consignee": ""})
    doc["charges"][-1]["sender"] = "1596.40"     # the total adds the free-text row too
    return doc


def signature_png(seed: int = 0, size=(600, 240)) -> bytes:
    """A drawn signature as the phone's pad sends it: dark strokes on transparency."""
    import math
    from PIL import Image, ImageDraw
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    w, h = size
    points = [(40 + i * (w - 80) / 60, h * (0.5 + 0.3 * math.sin(i * (0.45 + seed * 0.07) + seed)))
              for i in range(61)]
    d.line(points, fill=(11, 31, 68, 255), width=5, joint="curve")
    d.line([(w * 0.15, h * 0.8), (w * 0.7, h * 0.75)], fill=(11, 31, 68, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _chain(events: list[dict]) -> list[dict]:
    """Hashes as ECMR.md §4 makes them: SHA-256 of prev_hash + canonical JSON."""
    import hashlib
    import json
    prev, out = "", []
    for event in events:
        body = {**event, "prev_hash": prev}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        out.append({**body, "hash": prev})
    return out


def signed_document(**overrides) -> dict:
    """The sample consignment taken over and delivered: three signatures, reservations of
    the carrier and the consignee, and the record of its events."""
    doc = sample_document(version=1, fingerprint="7d1c09a4e2b3", status="delivered",
                          timezone="Europe/Warsaw")
    carrier_res = [{"code": "packages_not_checked", "text": ""},
                   {"code": "load_unsecured", "text": "2 pallets leaning, re-strapped at loading"}]
    consignee_res = [{"code": "packaging_damaged", "text": "2 pallets torn foil"}]
    pos_carrier = {"lat": 52.4064, "lon": 16.9252, "accuracy_m": 12}
    pos_consignee = {"lat": 52.5112, "lon": 13.4421, "accuracy_m": 25}
    doc["signatures"] = {
        "sender": {"name": "Jan Kowalski", "signed_at": "2026-11-21T12:30:00+00:00",
                   "timezone": "Europe/Warsaw", "position": None, "image": signature_png(0)},
        "carrier": {"name": "Piotr Kierowca", "signed_at": "2026-11-21T13:58:00+00:00",
                    "timezone": "Europe/Warsaw", "position": pos_carrier, "image": signature_png(1)},
        "consignee": {"name": "Klaus Schäfer", "signed_at": "2026-11-22T09:00:00+00:00",
                      "timezone": "Europe/Berlin", "position": pos_consignee, "image": signature_png(2)},
    }
    doc["reservations"] = {"carrier": carrier_res, "consignee": consignee_res}
    base = {"version": 1, "fingerprint": "7d1c09a4e2b3", "by": "", "role": None, "signer_name": None,
            "captured_at": None, "position": None, "reservations": [], "photos": [], "reason": None}
    doc["record"] = _chain([
        {**base, "seq": 1, "type": "issued", "at": "2026-11-21T08:12:05.120+00:00", "by": "biuro@meble-lodzkie.pl"},
        {**base, "seq": 2, "type": "signed", "at": "2026-11-21T12:30:01.004+00:00", "role": "sender",
         "signer_name": "Jan Kowalski"},
        {**base, "seq": 3, "type": "signed", "at": "2026-11-21T14:00:02.310+00:00", "role": "carrier",
         "signer_name": "Piotr Kierowca", "captured_at": "2026-11-21T13:58:00.000+00:00",
         "position": pos_carrier, "reservations": carrier_res},
        {**base, "seq": 4, "type": "taken_over", "at": "2026-11-21T14:00:02.310+00:00"},
        {**base, "seq": 5, "type": "signed", "at": "2026-11-22T09:00:00.500+00:00", "role": "consignee",
         "signer_name": "Klaus Schäfer", "position": pos_consignee, "reservations": consignee_res},
        {**base, "seq": 6, "type": "delivered", "at": "2026-11-22T09:00:00.500+00:00"},
    ])
    doc.update(overrides)
    return doc


def _logo_png() -> bytes:
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (240, 100), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([4, 4, 236, 96], outline=(20, 60, 140), width=6)
    d.ellipse([20, 20, 80, 80], fill=(20, 60, 140))
    d.text((100, 40), "MEBLE ŁÓDŹ", fill=(20, 60, 140))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def main(argv: list[str]) -> int:
    from . import render_calibration_page, render_cmr

    out = Path(argv[0] if argv else "samples")
    out.mkdir(parents=True, exist_ok=True)
    lt_ru = sample_document(languages=["lt", "ru"], number="LT-77/2026", copies=3)
    lt_ru["sender"] = {"name": "UAB „Šiaulių baldai“", "address": "Žemaitės g. 12", "postal_code": "LT-76351",
                       "city": "Šiauliai", "country": "LT", "tax_id": "LT100001234567"}
    lt_ru["consignee"] = {"name": "ООО «Северная мебель»", "address": "ул. Льва Толстого, д. 7",
                          "postal_code": "197022", "city": "Санкт-Петербург", "country": "RU"}
    # Carriage forward: the consignee pays, so box 20's amounts are in its column; the
    # total is left blank and printed as the rows add up.
    tr_en = sample_document(languages=["tr", "en"], number="TR-2026-0042", payment_instructions="carriage_forward",
                            charges=[{"label": "carriage_charges", "sender": "", "currency": "EUR", "consignee": "1450.00"},
                                     {"label": "other_charges", "sender": "", "currency": "EUR", "consignee": "35.00"}])
    tr_en["sender"] = {"name": "Güneş İhracat Ltd. Şti.", "address": "Atatürk Cad. No: 18, Kağıthane",
                       "postal_code": "34410", "city": "İstanbul", "country": "TR", "phone": "+90 212 555 12 12"}
    cancelled = sample_document(version=2, fingerprint="0391cbd04495", status="cancelled",
                                cancelled_on="2026-11-22",
                                cancel_reason="Order withdrawn by the consignee before loading; "
                                              "goods not handed over to the carrier.")
    hu_en_de = sample_document(languages=["hu", "en", "de"], number="HU-2026/118", version=3, copies=3)
    signed_lt_ru = signed_document(languages=["lt", "ru"], number="LT-77/2026", copies=3,
                                   sender=lt_ru["sender"], consignee=lt_ru["consignee"])
    files = {
        "cmr_signed_pl_de_en.pdf": render_cmr(signed_document(), logo=_logo_png()),
        "cmr_signed_lt_ru.pdf": render_cmr(signed_lt_ru),
        "cmr_signed_blank_mode.pdf": render_cmr(signed_document(), blank_mode=True, copies=3),
        "cmr_pl_de_en.pdf": render_cmr(sample_document(), logo=_logo_png()),
        "cmr_lt_ru.pdf": render_cmr(lt_ru),
        "cmr_tr_en.pdf": render_cmr(tr_en),
        "cmr_40_lines.pdf": render_cmr(large_document(), languages=["pl", "en"], copies=3),
        "cmr_blank_mode.pdf": render_cmr(sample_document(), blank_mode=True, offset_mm=(1.5, -0.5), copies=3),
        "cmr_hu_en_de_v3.pdf": render_cmr(hu_en_de),
        "cmr_cancelled_v2.pdf": render_cmr(cancelled, logo=_logo_png()),
        "cmr_cancelled_blank_mode.pdf": render_cmr(cancelled, blank_mode=True, copies=3),
        "calibration.pdf": render_calibration_page(),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"{out / name}  {len(data) / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
