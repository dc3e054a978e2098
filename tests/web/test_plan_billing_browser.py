"""The plan and billing screens and the quota meter at its limit, driven in Debian's
Chromium: what a user sees and clicks. Each step leaves a full-page screenshot in
test-artifacts/ (README "Tests") for a person to look at."""
from __future__ import annotations

import os
import re

import pytest

from tests.conftest import sample_document

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")


@pytest.fixture
def signed_in(live_server, chromium):
    pages = []

    def sign_in(owner):
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live_server + "/login")
        page.fill("input[name=email]", owner.email)
        page.fill("input[name=password]", owner.password)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/documents")
        pages.append(page)
        return page, live_server, errors
    yield sign_in
    for page in pages:
        page.close()


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_plan_feature_switch_price_check_and_order_in_the_browser(make_account, signed_in):
    page, base, errors = signed_in(make_account(plan="free", company="Spedycja Test"))
    page.goto(base + "/settings")
    assert page.inner_text(".plan-name strong") == "Free"
    assert "0 of 10 documents this month" in page.inner_text(".plan-now .quota")
    shot(page, "plan-free-in-trial.png")

    # Switching on a Standard feature in the trial moves the plan up.
    row = page.locator("table.features tr", has_text="Document templates")
    row.get_by_role("button", name="Switch on").click()
    page.wait_for_load_state()
    assert "moved to the Standard plan" in page.inner_text("body")
    assert page.inner_text(".plan-name strong") == "Standard"
    assert page.locator("table.features tr", has_text="Document templates").locator(".status.ok").count() == 1

    # The price check, then the order with its pro-forma.
    page.select_option("select[name=plan]", "standard")
    page.select_option("select[name=period_months]", "24")
    page.fill("[name='invoice.name']", "Spedycja Test Sp. z o.o.")
    page.fill("[name='invoice.tax_id']", "7010847517")
    page.fill("[name='invoice.address']", "ul. Portowa 1")
    page.fill("[name='invoice.postal_code']", "81-001")
    page.fill("[name='invoice.city']", "Gdynia")
    page.select_option("[name='invoice.country']", "PL")
    page.get_by_role("button", name="Check the price").click()
    page.wait_for_load_state()
    quote = page.inner_text("table.quote")
    assert re.search(r"Period discount\s+−PLN\s98\.00", quote) and re.search(r"To pay\s+PLN\s1,084\.86", quote)
    shot(page, "plan-order-quote.png")
    page.get_by_role("button", name="Order and get the pro-forma").click()
    page.wait_for_load_state()
    to_pay = page.inner_text(".to-pay")
    assert re.match(r"PLN\s1,084\.86 · pro-forma PF/1/\d{1,2}/\d{4} · due ", to_pay)
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Pro-forma PDF").click()
    assert popup.value.url.endswith(".pdf") or "pdf" in popup.value.url
    shot(page, "plan-proforma-to-pay.png")
    assert errors == []


def test_the_quota_meter_at_its_limit(make_account, api_for, signed_in):
    owner = make_account(plan="free", company="Spedycja Test")
    api = api_for(owner)
    for _ in range(9):
        assert api.post("/documents", json=sample_document()).status_code == 201
    page, base, errors = signed_in(owner)
    page.goto(base + "/documents")
    meter = page.locator("p.quota")
    assert meter.inner_text().strip() == "9 of 10 documents this month"
    assert "over" not in (meter.get_attribute("class") or "")
    page.goto(base + "/documents/new")
    assert "9 of 10 documents this month" in page.inner_text("p.quota")

    assert api.post("/documents", json=sample_document()).status_code == 201  # the tenth
    page.goto(base + "/documents")
    meter = page.locator("p.quota")
    assert meter.inner_text().strip() == "10 of 10 documents this month"
    assert "over" in meter.get_attribute("class").split()
    new = page.locator(".button.primary.disabled", has_text="New CMR")
    assert new.get_attribute("aria-disabled") == "true"
    assert new.get_attribute("title") == "The quota of this month is used up."
    body = page.inner_text("body")
    assert re.search(r"You have used all 10 documents of this month\. New documents can be saved again "
                     r"from \w+ 1, \d{4}\.", body)
    upgrade = page.get_by_role("link", name="Settings → Plan: more documents now")
    assert upgrade.get_attribute("href").startswith("/settings")
    shot(page, "quota-at-limit-list.png")
    page.goto(base + "/documents/new")
    shot(page, "quota-at-limit-form.png")
    assert "10 of 10 documents this month" in page.inner_text("p.quota")
    assert errors == []
