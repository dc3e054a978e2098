"""The language switch of the phone pages in a real browser (Debian's Chromium through
Playwright, a phone's viewport): the page opens in the phone's language and the switch
changes it, with the signing page's script and without a script on the driver's page."""
from __future__ import annotations

import os

import pytest

from tests.conftest import sample_document

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def phone(live_server, chromium):
    """open(locale) gives a page of a phone set to that language."""
    browser = chromium
    errors: list[str] = []

    def open_page(locale: str):
        context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield open_page, live_server, errors


def test_the_signing_page_opens_in_the_phones_language_and_the_switch_changes_it(api, phone):
    open_page, base, errors = phone
    doc = api.post("/documents", json=sample_document()).get_json()
    link = api.post(f"/documents/{doc['id']}/signing-links", json={"role": "carrier"}).get_json()["url"]
    page = open_page("lt-LT")
    page.goto(link.replace("http://cmr.test", base))
    assert page.get_attribute("html", "lang") == "lt"
    assert "Pasirašyti kaip vežėjas" in page.inner_text("main")
    assert page.locator("#lang option").count() == 18
    page.select_option("#lang", "tr")  # the script submits the switch on change
    page.wait_for_url("**lang=tr")
    assert page.get_attribute("html", "lang") == "tr"
    text = page.inner_text("main")
    assert "Taşıyıcı olarak imzala" in text and "Mühür yok veya kırık" in text and "Pasirašyti" not in text
    assert errors == []


def test_the_drivers_page_opens_in_the_phones_language_and_the_switch_keeps_the_check_code(api, phone):
    open_page, base, errors = phone
    doc = api.post("/documents", json=sample_document()).get_json()
    page = open_page("uk-UA")
    page.goto(doc["public_url"].replace("http://cmr.test", base) + f"?code={doc['fingerprint']}")
    assert page.get_attribute("html", "lang") == "uk"
    assert "Цей паперовий примірник чинний." in page.inner_text("#verdict")
    assert "Відправник" in page.text_content("main")  # (headings are shown in capitals)
    page.select_option("#lang", "de")
    page.click(".lang-switch button")  # no script on this page: the switch has its button
    page.wait_for_url("**lang=de")
    assert page.get_attribute("html", "lang") == "de"
    assert "Dieses Papierexemplar ist aktuell." in page.inner_text("#verdict")
    assert "Absender" in page.text_content("main") and "Відправник" not in page.text_content("main")
    # Checking another code keeps the language chosen.
    page.fill("#check input[name=code]", "0123456789ab")
    page.click("#check button[type=submit]")
    page.wait_for_url("**code=0123456789ab*")
    assert "Dieser Prüfcode gehört nicht zu diesem CMR." in page.inner_text("#verdict")
    assert errors == []
