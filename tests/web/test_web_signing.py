"""The office's side of the e-CMR: signing links as QR codes on the document page, the
signatures and the steps' times once given."""
from __future__ import annotations

from tests.conftest import sample_document
from tests.ecmr.conftest import drawn_signature


def test_the_document_page_offers_links_as_qr_codes_and_shows_signatures(client, owner, api_for):
    office = api_for(owner)
    doc = office.post("/documents", json=sample_document()).get_json()
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert "Signing link for the sender" in page and "Signing link for the consignee" in page
    response = client.post(f"/documents/{doc['id']}/signing-links", data={"role": "sender"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#signing")
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    sender_box = page.split('id="sign-sender"')[1].split('id="sign-carrier"')[0]
    assert "<svg" in sender_box and "/s/" in sender_box and "Valid until" in sender_box
    url = sender_box.split('value="')[1].split('"')[0]
    assert client.post(url.replace("http://cmr.test", ""),
                       json={"signer_name": "Jan Kowalski", "signature": drawn_signature(),
                             "position": {"lat": 52.40637, "lon": 16.92517, "accuracy_m": 8}}).status_code == 201
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    sender_box = page.split('id="sign-sender"')[1].split('id="sign-carrier"')[0]
    assert "Jan Kowalski" in sender_box and "52.40637, 16.92517" in sender_box and "<svg" not in sender_box
    image = client.get(f"/documents/{doc['id']}/signatures/sender.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/documents/{doc['id']}/signatures/carrier.png").status_code == 404
    # Signed: the content is locked, the edit form is refused with the reason.
    refused = client.get(f"/documents/{doc['id']}/edit", follow_redirects=True).get_data(as_text=True)
    assert "has been signed: its content is locked" in refused
