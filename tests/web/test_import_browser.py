"""The address-book import in Debian's Chromium, at a laptop's and a phone's size: the
file chosen, the dry-run preview (counts, every error with its row and column, what
would change) read on the screen, then "Confirm import". Full-page screenshots of the
preview go to test-artifacts/ for a person to look at."""
from __future__ import annotations

import os

import pytest

from webhelpers import browser_sign_in

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")

CSV = ("name,address,postal_code,city,country,tax_id,email\n"
       "Meble Kowalski Sp. z o.o.,ul. Głogowska 12,60-101,Gniezno,PL,7010847517,biuro@kowalski.example\n"
       "Möbelhaus Schäfer GmbH,Friedrichstraße 5,10117,Berlin,DE,,info@schaefer.example\n"
       "Alpenspedition AG,Mariahilfer Straße 1,1060,Wien,XX,,\n"
       "Verona Mobili S.r.l.,Via Roma 3,37121,Verona,IT,,not-an-address\n"
       "Przewozy Nowak,ul. Długa 7,00-238,Warszawa,PL,1234567890,\n").encode()


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports")}


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_import_preview_then_confirm(live_server, chromium, make_account, tmp_path, width, height):
    owner = make_account(company="Spedycja Test")
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        browser_sign_in(page, live_server, owner.email, owner.password)
        page.goto(live_server + "/book/clients/new")
        page.fill("input[name=name]", "Meble Kowalski Sp. z o.o.")
        page.fill("input[name=city]", "Poznań")
        page.fill("input[name=tax_id]", "7010847517")
        page.click("button[type=submit].primary")
        page.wait_for_url("**/book/clients")

        page.get_by_role("link", name="Import", exact=True).click()
        page.wait_for_url("**/book/clients/import")
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"import-form-{width}x{height}.png"), full_page=True)
        # a file over the limit: the form again, saying so (the browser shows the page, no reset)
        big = tmp_path / "big.csv"
        big.write_bytes(b"name\n" + b"x" * (5 * 1024 * 1024))
        page.set_input_files("input[type=file]", str(big))
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_selector("#import-error")
        assert page.inner_text("#import-error").strip() == "The file is larger than 4 MB; split it into smaller files."
        path = tmp_path / "klienci.csv"
        path.write_bytes(CSV)
        page.set_input_files("input[type=file]", str(path))
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_selector("h1:text('Check before importing')")
        assert page.inner_text("#count-created") == "1" and page.inner_text("#count-updated") == "1"
        assert page.inner_text("#count-errors") == "3"
        error_rows = page.locator("table.import-errors tbody tr")
        assert error_rows.count() == 3
        texts = [" ".join(error_rows.nth(i).inner_text().split()) for i in range(3)]
        assert texts[0].startswith("4") and "country" in texts[0]
        assert texts[1].startswith("5") and "email" in texts[1]
        assert texts[2].startswith("6") and "tax_id" in texts[2]
        update = " ".join(page.locator("table.import-changes tr.update").inner_text().split())
        assert "Poznań → Gniezno" in update
        # nothing sideways: the page fits the phone's width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=os.path.join(SHOTS, f"import-preview-{width}x{height}.png"), full_page=True)

        page.get_by_role("button", name="Confirm import").click()
        page.wait_for_url("**/book/clients")
        assert page.inner_text(".flash.success").strip() == "Import done: 1 created, 1 updated, 0 unchanged."
        assert page.inner_text(".flash.warning").strip() == "3 rows with errors were skipped."
        assert page.locator("table.list tbody tr").count() == 2
        page.screenshot(path=os.path.join(SHOTS, f"import-done-{width}x{height}.png"), full_page=True)
        # the document list offers its exports beside its other actions, with the filters
        page.goto(live_server + "/documents?status=cancelled")
        assert "status=cancelled" in page.get_by_role("link", name="Export XLSX").get_attribute("href")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=os.path.join(SHOTS, f"documents-export-{width}x{height}.png"))
        assert errors == []
    finally:
        page.close()
