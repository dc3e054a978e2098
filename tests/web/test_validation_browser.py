"""The CMR form sent back with several errors, in Debian's Chromium at a laptop's and a
phone's size: every message is shown beside its input, the summary above the form has
the focus, and what was typed is still there (issue 13 item 2). Screenshots go to
test-artifacts/ for a person to look at."""
from __future__ import annotations

import os

import pytest

from webhelpers import browser_sign_in

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")

TYPED = {"sender.tax_id": "7010847518", "consignee.name": "Möbelhaus Schäfer GmbH", "consignee.city": "Berlin",
         "taking_over.city": "Poznań", "place_of_delivery.city": "Berlin", "goods.0.nature": "Paint",
         "goods.0.gross_weight_kg": "800 kg", "goods.0.adr.un_number": "12",
         "cash_on_delivery.amount": "12 zł", "cash_on_delivery.currency": "zł"}
MESSAGES = {"sender.name": "Required on every CMR (Convention art. 6).",
            "sender.tax_id": "This NIP is not valid (check digit).",
            "goods.0.gross_weight_kg": "Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency.",
            "goods.0.adr.un_number": "A UN number has four digits, e.g. 1263.",
            "cash_on_delivery.amount": "Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency.",
            "cash_on_delivery.currency": "Use a three-letter currency code, e.g. PLN or EUR."}


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_form_with_several_errors_shows_them_all_beside_their_inputs(live_server, chromium, make_account,
                                                                       width, height):
    owner = make_account(company="Spedycja Test")
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        browser_sign_in(page, live_server, owner.email, owner.password)
        page.goto(live_server + "/documents/new")
        assert page.locator("[name='sender.name'][required][aria-required=true]").count() == 1
        for name, value in TYPED.items():
            page.fill(f"[name='{name}']", value)
        page.select_option("select[name='sender.country']", "PL")
        page.click("button[type=submit].primary")
        page.wait_for_load_state()

        assert page.evaluate("document.activeElement.id") == "error-summary"
        summary = page.inner_text("#error-summary")
        for name, message in MESSAGES.items():
            error = page.locator(f"#f-{name.replace('.', '-')}-error")
            assert message in error.inner_text(), name
            assert error.is_visible(), name
            described = page.get_attribute(f"[name='{name}']", "aria-describedby")
            assert described == f"f-{name.replace('.', '-')}-error"
            assert message in summary, name
        for name, value in TYPED.items():
            assert page.input_value(f"[name='{name}']") == value, name
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"cmr-form-errors-{width}x{height}.png"))
        page.locator("#f-cash_on_delivery-amount").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"cmr-form-errors-box15-{width}x{height}.png"))
        page.screenshot(path=os.path.join(SHOTS, f"cmr-form-errors-full-{width}x{height}.png"), full_page=True)
        # The summary's links lead to the inputs.
        page.click("#error-summary a[href='#f-sender-tax_id']")
        assert page.evaluate("location.hash") == "#f-sender-tax_id"
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_client_form_with_several_errors_shows_them_all(live_server, chromium, make_account, width, height):
    owner = make_account(company="Spedycja Test")
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        browser_sign_in(page, live_server, owner.email, owner.password)
        page.goto(live_server + "/book/clients/new")
        page.fill("[name=city]", "Poznań")
        page.select_option("select[name=country]", "PL")
        page.fill("[name=tax_id]", "701-084-75-18")
        page.fill("[name=email]", "biuro(at)kowalski.pl")
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert "3 fields need your attention" in page.inner_text("#error-summary")
        assert page.locator("#f-name-error").inner_text() == "This field is required."
        assert page.locator("#f-tax_id-error").inner_text().startswith("This NIP is not valid (check digit).")
        assert page.locator("#f-email-error").inner_text() == "Enter a valid e-mail address."
        assert page.input_value("[name=tax_id]") == "701-084-75-18" and page.input_value("[name=city]") == "Poznań"
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"client-form-errors-{width}x{height}.png"), full_page=True)
    finally:
        page.close()
