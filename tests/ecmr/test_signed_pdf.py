"""Issue 9, item 4: the PDF of a signed consignment note, as the office downloads it:
the signatures drawn in boxes 22-24 with name, local time and place; the reservations in
boxes 18 and 24 in the document's label languages; the electronic record page with
every event's hash; a new ETag with every signature."""
from __future__ import annotations

import io

import time_machine
from PIL import Image
from pypdf import PdfReader

from renderers.esign import reservation_label
from renderers.layout import BOXES
from renderers.locales import joined
from tests.conftest import sample_document
from tests.pdf_helpers import page_png, pdf_pages_text, squash

LANGS = ("pl", "en", "de")


def _drawing(seed: int) -> str:
    """A signature as the pad sends it; each signer's strokes differ."""
    import base64
    from PIL import ImageDraw
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    points = [(40 + i * 50, 60 + ((i * (seed + 2)) % 5) * 30) for i in range(11)]
    ImageDraw.Draw(image).line(points, fill=(11, 31, 68, 255), width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _link(api, doc, role):
    response = api.post(f"/documents/{doc['id']}/signing-links", json={"role": role})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["url"]


def _pdf(api, doc, **headers):
    response = api.get(f"/documents/{doc['id']}/pdf?copies=3", headers=headers)
    assert response.status_code == 200, response.status_code
    return response.data, response.headers["ETag"]


def _ink(pdf: bytes, tmp_path, name: str) -> dict[str, int]:
    """Dark pixels inside each of boxes 22-24 on the first copy (80 dpi)."""
    folder = tmp_path / name
    folder.mkdir()
    image = Image.open(page_png(pdf, 1, folder, dpi=80)).convert("L")
    scale = 80 / 25.4
    ink = {}
    for key in ("22", "23", "24"):
        box = BOXES[key]
        region = image.crop((int(box.x0 * scale) + 2, int(box.y0 * scale) + 2,
                             int(box.x1 * scale) - 2, int(box.y1 * scale) - 2))
        ink[key] = sum(region.histogram()[:100])
    return ink


def _images_on_first_page(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of the images the first page draws, also inside the form
    XObjects it places (the values sheet holds them)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    found = []

    def walk(resources):
        for ref in ((resources or {}).get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject["/Subtype"] == "/Image":
                found.append((int(xobject["/Width"]), int(xobject["/Height"])))
            elif "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    walk(page["/Resources"].get_object())
    return found


def test_the_signed_pdf_shows_signatures_reservations_and_the_record(api, client, signed_by, tmp_path):
    with time_machine.travel("2026-11-21T08:00:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
        sender, carrier = _link(api, doc, "sender"), _link(api, doc, "carrier")
        unsigned, tag0 = _pdf(api, doc)
    assert len(pdf_pages_text(unsigned)) == 3                       # no record page yet

    with time_machine.travel("2026-11-21T12:30:00+00:00", tick=False):
        assert signed_by(client, sender, "Jan Kowalski", signature=_drawing(0)).status_code == 201
        _, tag1 = _pdf(api, doc, **{"If-None-Match": tag0})
    with time_machine.travel("2026-11-21T14:00:00+00:00", tick=False):
        assert signed_by(client, carrier, "Piotr Kierowca", signature=_drawing(1),
                         reservations=[{"code": "packages_not_checked", "text": ""},
                                       {"code": "load_unsecured", "text": "2 pallets leaning"}],
                         position={"lat": 52.4064, "lon": 16.9252, "accuracy_m": 12},
                         captured_at="2026-11-21T13:58:00+00:00").status_code == 201
        _, tag2 = _pdf(api, doc)
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        consignee = _link(api, doc, "consignee")
        assert signed_by(client, consignee, "Klaus Schäfer", signature=_drawing(2),
                         reservations=[{"code": "packaging_damaged", "text": "2 pallets torn foil"}],
                         position={"lat": 52.5112, "lon": 13.4421, "accuracy_m": 25}).status_code == 201
        pdf, tag3 = _pdf(api, doc)
    # Every signature makes a new PDF: the cache never answers with the unsigned one.
    assert len({tag0, tag1, tag2, tag3}) == 4

    texts = [squash(t) for t in pdf_pages_text(pdf)]
    assert len(texts) == 4                                          # three copies, the record
    for copy in texts[:3]:
        for expected in ("Jan Kowalski", "21.11.2026 13:30 UTC+1",          # Europe/Warsaw, November
                         "Piotr Kierowca", "21.11.2026 14:58 UTC+1",        # captured on the phone
                         "52.40640 N, 16.92520 E ±12 m",
                         "Klaus Schäfer", "22.11.2026 10:00 UTC+1", "52.51120 N, 13.44210 E ±25 m",
                         reservation_label("packages_not_checked", LANGS),
                         reservation_label("load_unsecured", LANGS) + ": 2 pallets leaning",
                         reservation_label("packaging_damaged", LANGS) + ": 2 pallets torn foil"):
            assert squash(expected) in copy, expected

    # The signatures are drawn: images inside the values, and ink in each box.
    signed_ink, bare_ink = _ink(pdf, tmp_path, "signed"), _ink(unsigned, tmp_path, "bare")
    for key in ("22", "23", "24"):
        assert signed_ink[key] > bare_ink[key] + 150, (key, signed_ink[key], bare_ink[key])
    images = _images_on_first_page(pdf)      # each drawing its own image (distinct pads)
    assert len(images) == 3 and all(w > 100 and h > 30 for w, h in images), images

    # The record page: title, number, version and check code, every event and its hash.
    events = api.get(f"/documents/{doc['id']}/events").get_json()["items"]
    assert [e["type"] for e in events] == ["issued", "signed", "signed", "taken_over", "signed", "delivered"]
    record = texts[-1]
    assert squash(joined("record_title", LANGS)) in record
    assert squash(doc["number"]) in record and squash(f"1 · {doc['fingerprint']}") in record
    for event in events:
        assert event["hash"][:32] in record and event["hash"][32:] in record
        assert squash(joined(f"event_{event['type']}", LANGS)) in record
    for event in events[1:]:
        assert "↑" + event["prev_hash"][:32] in record

    # The anonymous copy behind the public link keeps the record without the office's e-mails.
    public = client.get(doc["public_url"].replace("http://cmr.test", "").split("?")[0] + ".pdf")
    assert public.status_code == 200
    public_record = squash(pdf_pages_text(public.data)[-1])
    assert events[0]["by"] and squash(events[0]["by"]) in record
    assert squash(events[0]["by"]) not in public_record and events[-1]["hash"][:32] in public_record
