"""The driver's page reached from the QR code: no login, small, rate-limited, dead when the
document is deleted (CMR_FORM.md, MISSION.md §2)."""
from __future__ import annotations

import io
import re

import pytest
import time_machine
from pypdf import PdfReader

from tests.conftest import sample_document


def _path(doc) -> str:
    return doc["public_url"].replace("http://cmr.test", "")


def test_the_page_shows_the_key_data_without_login(api, client):
    goods = [{"packages": 33, "packing": "EUR pallet", "nature": "Furniture", "gross_weight_kg": "12400.5"},
             {"packages": 4, "packing": "drum", "nature": "Paint", "gross_weight_kg": "800",
              "adr": {"class": "3", "un_number": "1263", "packing_group": "II"}}]
    doc = api.post("/documents", json=sample_document(goods=goods)).get_json()
    response = client.get(_path(doc))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (doc["number"], "Poznań", "Berlin", "Meble Kowalski", "Möbelhaus Schäfer GmbH",
                 "Trans-Pol", "PO 12345 / PO 6789A", "37", "13,200.5", "ADR UN 1263, 3, II", doc["fingerprint"],
                 "Issued"):
        assert text in page, text
    assert len(response.data) < 12_000  # small on a slow connection: no scripts, no framework
    assert "<script" not in page


def test_the_token_is_long_and_random(api):
    tokens = {_path(api.post("/documents", json=sample_document()).get_json()).rsplit("/", 1)[1]
              for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) == 22 for t in tokens)  # 16 random bytes, base64url: 128 bits


def test_pdf_in_the_documents_languages_and_any_other(api, client):
    doc = api.post("/documents", json=sample_document(languages=["pl", "de"])).get_json()
    own = client.get(_path(doc) + ".pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    first = PdfReader(io.BytesIO(own.data)).pages[0].extract_text()
    assert "Nadawca" in first and "Absender" in first
    other = client.get(_path(doc) + ".pdf?languages=lt")
    assert "Siuntėjas" in PdfReader(io.BytesIO(other.data)).pages[0].extract_text()
    assert client.get(_path(doc) + ".pdf?languages=xx").status_code == 400


def test_a_withdrawn_document_says_who_withdrew_it_and_when(api, client):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
    assert client.get(_path(doc)).status_code == 200
    with time_machine.travel("2026-11-23T15:00:00+00:00", tick=False):
        assert api.delete(f"/documents/{doc['id']}").status_code == 204
    company = api.get("/account").get_json()["company"]["name"]
    page = client.get(_path(doc))
    text = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "This CMR was withdrawn by its issuer." in text
    assert f"{company} withdrew CMR {doc['number']} on Nov 23, 2026" in text
    assert "Meble Kowalski" not in text  # the content is gone
    assert client.get(_path(doc) + ".pdf").status_code == 410


def test_a_link_no_document_has_says_so(client):
    for path in ("/d/" + "A" * 22, "/d/" + "A" * 43, "/d/short", "/d/" + "A" * 22 + ".pdf"):
        response = client.get(path)
        assert response.status_code == 404
        assert "No CMR was issued with this link." in response.get_data(as_text=True)


def test_the_page_is_rate_limited(api, client):
    doc = api.post("/documents", json=sample_document()).get_json()
    codes = [client.get(_path(doc)).status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_the_qr_code_on_the_printed_cmr_leads_to_the_drivers_page(api, client, tmp_path):
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    from tests.pdf_helpers import page_png
    doc = api.post("/documents", json=sample_document(copies=3)).get_json()
    pdf = api.get(f"/documents/{doc['id']}/pdf").data
    for page in (1, 2, 3):
        [code] = pyzbar.decode(Image.open(page_png(pdf, page, tmp_path)))
        link = code.data.decode()
        # The QR code carries the copy's check code: scanned, the page judges that paper.
        assert link == f"{doc['public_url']}?code={doc['fingerprint']}"
        driver = client.get(link.replace("http://cmr.test", ""))
        page = driver.get_data(as_text=True)
        assert driver.status_code == 200 and doc["number"] in page
        assert "This paper copy is current." in page
