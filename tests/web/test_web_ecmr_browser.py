"""The e-CMR as its signers live it, in Chromium on a phone-sized screen: the sender and
the carrier sign; the consignee signs without a connection, the signature waits on the
phone and goes out when the connection is back; the document is delivered, the PDF
carries the signatures and the record's chain recomputes."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from tests.conftest import sample_document

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")


@pytest.fixture
def phone(live_server, chromium):
    browser = chromium
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="en-GB")
    errors: list[str] = []
    yield context, live_server, errors


def _draw(page):
    page.locator("#pad").scroll_into_view_if_needed()
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i, (fx, fy) in enumerate([(0.2, 0.3), (0.35, 0.75), (0.5, 0.25), (0.65, 0.7), (0.85, 0.35)]):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=8)
    page.mouse.up()


def _sign(context, url, name, errors, *, reservation=None, offline_before_submit=False, shot=None):
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.fill("#signer_name", name)
    _draw(page)
    if reservation:
        page.check(f"input[name=reservation][value={reservation}]")
    if shot:
        page.screenshot(path=os.path.join(SHOTS, shot), full_page=True)
    if offline_before_submit:
        context.set_offline(True)
    page.click("#sign-submit")
    return page


def test_three_parties_sign_on_their_phones_and_the_consignee_signs_offline(app, api_for, make_account, phone, tmp_path):
    context, base, errors = phone
    os.makedirs(SHOTS, exist_ok=True)
    office = api_for(make_account(company="Spedycja Test"))
    doc = office.post("/documents", json=sample_document()).get_json()

    def link(role):
        return office.post(f"/documents/{doc['id']}/signing-links", json={"role": role}).get_json()["url"] \
            .replace("http://cmr.test", base)

    page = _sign(context, link("sender"), "Jan Kowalski", errors, shot="sign-phone-sender.png")
    page.wait_for_selector("#gone")
    assert "Signed. Thank you." in page.inner_text("#gone")
    page = _sign(context, link("carrier"), "Piotr Kierowca", errors, reservation="packages_not_checked")
    page.wait_for_selector("#handover svg")
    page.screenshot(path=os.path.join(SHOTS, "sign-phone-carrier-handover.png"), full_page=True)
    assert office.get(f"/documents/{doc['id']}").get_json()["status"] == "taken_over"

    consignee_url = office.get(f"/documents/{doc['id']}/signing-links").get_json()["items"][0]["url"] \
        .replace("http://cmr.test", base)
    page = _sign(context, consignee_url, "Klaus Schäfer", errors, reservation="packaging_damaged",
                 offline_before_submit=True)
    page.wait_for_selector("#sign-pending:not([hidden])")
    assert "saved on this phone" in page.inner_text("#sign-pending")
    page.screenshot(path=os.path.join(SHOTS, "sign-phone-consignee-offline.png"), full_page=True)
    assert office.get(f"/documents/{doc['id']}").get_json()["status"] == "taken_over"
    stored = page.evaluate("Object.keys(localStorage)")
    assert any(k.startswith("cmr-sign-") for k in stored)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#gone", timeout=15000)
    assert office.get(f"/documents/{doc['id']}").get_json()["status"] == "delivered"
    assert page.evaluate("Object.keys(localStorage).length") == 0

    events = office.get(f"/documents/{doc['id']}/events").get_json()["items"]
    assert [e["type"] for e in events] == ["issued", "signed", "signed", "taken_over", "signed", "delivered"]
    consignee_event = events[4]
    assert consignee_event["signer_name"] == "Klaus Schäfer"
    if os.environ.get("CMR_TEST_NOW"):
        # The server's clock is moved, the phone's is not: its claim cannot be true, so the
        # signature stands on the server's time and the record keeps what the phone said.
        assert consignee_event["captured_at"] is None and consignee_event["phone_clock_rejected"]
    else:
        assert consignee_event["captured_at"] < consignee_event["at"]  # signed offline, received later
    assert consignee_event["reservations"] == [{"code": "packaging_damaged", "text": ""}]
    prev = ""
    for event in events:
        body = {k: v for k, v in event.items() if k != "hash"}
        prev = hashlib.sha256((prev + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                 ensure_ascii=False)).encode()).hexdigest()
        assert prev == event["hash"]

    pdf = office.get(f"/documents/{doc['id']}/pdf?copies=3").data
    from tests.pdf_helpers import page_png, pdf_pages_text
    text = "\n".join(pdf_pages_text(pdf))
    for name in ("Jan Kowalski", "Piotr Kierowca", "Klaus Schäfer"):
        assert name in text, name
    png = page_png(pdf, 1, tmp_path, dpi=80)
    import shutil
    shutil.copy(png, os.path.join(SHOTS, "sign-signed-pdf-page1.png"))
    assert errors == []
