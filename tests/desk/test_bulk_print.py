"""Bulk print (issue 13, item 8): the chosen documents as one PDF, every copy of each, in
the order chosen; at most 200 at once; another company's document is a 404."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests.conftest import sample_document
from tests.pdf_helpers import pdf_pages_text


def _issue(api, consignee: str, copies: int = 3) -> dict:
    doc = sample_document(copies=copies)
    doc["consignee"] = {**doc["consignee"], "name": consignee}
    response = api.post("/documents", json=doc)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_one_pdf_with_every_copy_of_each_in_the_order_chosen(api):
    first = _issue(api, "Alpha Logistik GmbH")
    second = _issue(api, "Beta Spedition GmbH", copies=4)
    response = api.post("/documents/print", json={"ids": [second["id"], first["id"], second["id"]]})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = pdf_pages_text(response.data)
    # 4 copies of the second (chosen first; its repeat dropped), then 3 of the first.
    assert len(pages) == 7
    assert all("Beta Spedition" in p and second["number"] in p for p in pages[:4])
    assert all("Alpha Logistik" in p and first["number"] in p for p in pages[4:])
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"] == "/None"
    # 7.0 is the whole number 7 in JSON (as the description's "integer" reads it).
    assert len(pdf_pages_text(api.post("/documents/print", json={"ids": [float(first["id"])]}).data)) == 3


def test_bad_choices_are_refused_with_the_reason(api, api_for, make_account):
    doc = _issue(api, "Alpha Logistik GmbH")
    for body, field_message in (({"ids": []}, "Choose at least one document."),
                                ({"ids": list(range(1, 202))}, "At most 200 documents at once; you chose 201."),
                                ({"ids": ["1"]}, "Document ids are whole numbers."),
                                ({"ids": [True]}, "Document ids are whole numbers."),
                                ({"ids": [1.5]}, "Document ids are whole numbers."),
                                ({}, "Choose at least one document.")):
        response = api.post("/documents/print", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["details"]["ids"] == [field_message]
    other = api_for(make_account())
    foreign = _issue(other, "Gamma Transporte GmbH")
    refused = api.post("/documents/print", json={"ids": [doc["id"], foreign["id"]]})
    assert refused.status_code == 404
    assert str(foreign["id"]) in refused.get_json()["error"]["message"]


def test_a_withdrawn_document_is_named_not_printed(api):
    kept = _issue(api, "Alpha Logistik GmbH")
    gone = _issue(api, "Beta Spedition GmbH")
    assert api.delete(f"/documents/{gone['id']}", json={"reason": "entered twice"}).status_code == 204
    refused = api.post("/documents/print", json={"ids": [kept["id"], gone["id"]]})
    assert refused.status_code == 409
    assert gone["number"] in refused.get_json()["error"]["message"]


def test_ticked_on_the_list_printed_as_one_pdf_in_list_order(client, make_account, api_for):
    owner = make_account()
    api = api_for(owner)
    older = _issue(api, "Alpha Logistik GmbH")
    newer = _issue(api, "Beta Spedition GmbH")
    client.post("/login", data={"email": owner.email, "password": owner.password})
    page = client.get("/documents").get_data(as_text=True)
    # The list shows the newest first, and the boxes go in that order.
    assert page.index(f'name="ids" value="{newer["id"]}"') < page.index(f'name="ids" value="{older["id"]}"')
    assert "Print selected as one PDF" in page
    response = client.post("/documents/print", data={"ids": [str(newer["id"]), str(older["id"])]})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages_text(response.data)
    assert len(pages) == 6 and "Beta Spedition" in pages[0] and "Alpha Logistik" in pages[3]
    # Nothing ticked: back to the list, saying what to do.
    nothing = client.post("/documents/print", data={}, follow_redirects=True)
    assert nothing.status_code == 200 and "Choose at least one document." in nothing.get_data(as_text=True)


def test_select_all_ticks_the_page_in_a_browser(chromium, live_server, make_account, api_for):
    import os
    shots = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
    os.makedirs(shots, exist_ok=True)
    owner = make_account()
    api = api_for(owner)
    for name in ("Alpha Logistik GmbH", "Beta Spedition GmbH", "Gamma Transporte GmbH"):
        _issue(api, name)
    for size, width, height in (("laptop", 1366, 768), ("phone", 390, 844)):
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.goto(live_server + "/login")
        page.fill('input[name="email"]', owner.email)
        page.fill('input[name="password"]', owner.password)
        page.click('button[type="submit"]')
        page.wait_for_url(lambda url: "/login" not in url)  # signed in before the next page is asked for
        page.goto(live_server + "/documents")
        boxes = page.locator('#bulk-print input[name="ids"]')
        assert boxes.count() == 3
        page.check("#pick-all")
        assert [boxes.nth(i).is_checked() for i in range(3)] == [True, True, True]
        page.uncheck("#pick-all")
        assert not any(boxes.nth(i).is_checked() for i in range(3))
        boxes.nth(0).check()
        page.screenshot(path=os.path.join(shots, f"bulk-print-list-{size}.png"), full_page=True)
        page.close()
