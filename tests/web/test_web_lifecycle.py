"""The document's lifecycle in the office's interface: essentials named at once, the
versions, the history and the openings on the document page, cancelling, the status filter."""
from __future__ import annotations

from tests.conftest import sample_document
from tests.web.webhelpers import cmr_form, documents_in_db


def test_the_web_form_names_every_missing_essential_at_once(app, client, owner, usage):
    blank = {k: ("" if not k.startswith(("languages", "copies", "charges")) else v) for k, v in cmr_form().items()}
    blank["sender.tax_id"] = "123"  # a format error beside the missing essentials
    blank["sender.country"] = "PL"
    response = client.post("/documents/new", data=blank)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for label in ("1 Sender · Name", "2 Consignee · Name", "2 Consignee · Country",
                  "4 Taking over the goods · City", "4 Taking over the goods · Date",
                  "3 Place of delivery · City", "3 Place of delivery · Country", "6–12 Goods",
                  "1 Sender · Tax id (NIP / VAT)"):
        assert label in html, label
    assert "Required on every CMR (Convention art. 6)." in html
    assert documents_in_db(app, owner.company_id) == [] and usage(owner) == 0


def test_the_office_sees_versions_history_and_openings_on_the_document_page(app, client, owner, api_for):
    office = api_for(owner)
    doc = office.post("/documents", json=sample_document()).get_json()
    edited = office.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()
    client.get(doc["public_url"].replace("http://cmr.test", ""), headers={"User-Agent": "BorderPhone/1.0"})
    html = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert "Versions and check codes" in html
    assert doc["fingerprint"] in html and edited["fingerprint"] in html
    history = html.split('id="history"')[1].split("</section>")[0]
    assert "Issued" in history and "Changed" in history and owner.email in history
    views = html.split('id="views"')[1].split("</section>")[0]
    assert "BorderPhone/1.0" in views and "Driver's page" in views

    cancelled = client.post(f"/documents/{doc['id']}/cancel", data={"reason": "Order called off"},
                            follow_redirects=True).get_data(as_text=True)
    assert f"CMR {doc['number']} is cancelled" in cancelled and "Order called off" in cancelled
    assert 'id="cancelled-note"' in cancelled
    assert doc["number"] in client.get("/documents?status=cancelled").get_data(as_text=True)
    assert doc["number"] not in client.get("/documents?status=issued").get_data(as_text=True)
    # Locked against edits: the edit form sends the user back with the reason.
    refused = client.get(f"/documents/{doc['id']}/edit", follow_redirects=True).get_data(as_text=True)
    assert "is cancelled and cannot be changed" in refused


def test_cancelling_without_a_reason_is_refused_and_nothing_changes(app, client, owner, api_for):
    doc = api_for(owner).post("/documents", json=sample_document()).get_json()
    page = client.post(f"/documents/{doc['id']}/cancel", data={"reason": "  "},
                       follow_redirects=True).get_data(as_text=True)
    assert "Say why the CMR is cancelled" in page
    [kept] = documents_in_db(app, owner.company_id)
    assert kept.status == "issued"


def test_settings_say_exactly_what_numbering_promises(client, owner):
    html = client.get("/settings").get_data(as_text=True)
    assert "no gaps" not in html
    assert "a withdrawn CMR keeps its number and stays in the list marked withdrawn" in html
