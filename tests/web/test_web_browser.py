"""The CMR form's JavaScript in a real browser (Debian's Chromium through Playwright):
goods lines added, removed and renumbered, and the address-book picks copied into the
fields. Skipped where Chromium or Playwright is missing."""
from __future__ import annotations

import os

import pytest

from webhelpers import documents_in_db

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser_page(live_server, chromium):
    browser = chromium
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, live_server, errors


ADR_PAINT = {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3", "packing_group": "II",
             "tunnel_code": "D/E", "environmentally_hazardous": True}


def test_goods_lines_and_address_book_picks_in_the_browser(app, make_account, browser_page):
    page, base, errors = browser_page
    owner = make_account(company="Spedycja Test")
    with app.test_request_context():
        from cmr_app.extensions import db
        from cmr_app.models import User
        from cmr_app.services import addressbook
        user = db.session.get(User, owner.id)
        addressbook.create_entry(addressbook.CLIENTS, user, {"name": "Bakkerij de Vries", "city": "Utrecht",
                                                             "country": "NL", "email": "info@vries.nl"})
        addressbook.create_entry(addressbook.PRODUCTS, user, {"name": "Paint 20 l", "nature": "Paint",
                                                              "packages": 4, "adr": ADR_PAINT})
    page.goto(base + "/login")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct horse 1")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents")

    page.goto(base + "/documents/new")
    page.fill("input[name='goods.0.nature']", "First")
    page.click("[data-add-line]")
    page.click("[data-add-line]")
    page.fill("input[name='goods.1.nature']", "Second")
    page.fill("input[name='goods.2.nature']", "Third")
    page.locator("[data-line]").nth(1).locator("[data-remove-line]").click()
    names = page.eval_on_selector_all("[data-lines] input[name$='.nature']", "els => els.map(e => e.name)")
    assert names == ["goods.0.nature", "goods.1.nature"]
    assert page.input_value("input[name='goods.1.nature']") == "Third"

    pick(page, "product", "paint", "Paint 20 l")
    assert page.input_value("input[name='goods.2.nature']") == "Paint"
    assert page.input_value("select[name='goods.2.adr.packing_group']") == "II"
    assert page.input_value("input[name='goods.2.adr.proper_shipping_name']") == "PAINT"
    assert page.input_value("select[name='goods.2.adr.tunnel_code']") == "D/E"
    pick(page, "consignee", "vries", "Bakkerij de Vries")
    assert page.input_value("input[name='consignee.name']") == "Bakkerij de Vries"
    assert page.input_value("select[name='consignee.country']") == "NL"
    page.fill("input[name='consignee.name']", "Bakkerij de Vries (Utrecht depot)")  # corrected after picking
    _fill_the_other_essentials(page)

    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents/*")
    [doc] = documents_in_db(app, owner.company_id)
    assert [g["nature"] for g in doc.data["goods"]] == ["First", "Third", "Paint"]
    assert doc.data["goods"][2]["adr"] == ADR_PAINT  # the whole ADR entry the product keeps
    assert doc.data["consignee"]["name"] == "Bakkerij de Vries (Utrecht depot)"
    assert doc.data["consignee"]["email"] == "info@vries.nl"
    assert errors == []


def pick(page, prefix: str, typed: str, name: str) -> None:
    """Type into the address-book picker and click the entry named `name` in its list."""
    page.fill(f"#pick-{prefix}", typed)
    page.locator(f"#pick-{prefix}-list [role=option]", has_text=name).first.click()


def _fill_the_other_essentials(page):
    page.fill("input[name='sender.name']", "Meble Kowalski Sp. z o.o.")
    page.select_option("select[name='sender.country']", "PL")
    page.fill("input[name='place_of_delivery.city']", "Utrecht")
    page.select_option("select[name='place_of_delivery.country']", "NL")
    page.fill("input[name='taking_over.city']", "Poznań")
    page.select_option("select[name='taking_over.country']", "PL")


SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")


def test_a_new_user_issues_a_cmr_from_registration_to_pdf(app, browser_page, mailbox):
    """Register → verify the e-mail → add a client and a carrier → a CMR with two goods
    lines → find it in the list → download its PDF. Screenshots go to test-artifacts/."""
    page, base, errors = browser_page
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(base + "/register?plan=standard")
    page.fill("input[name=email]", "anna@spedycja-nowak.pl")
    page.fill("input[name=password]", "bezpieczne-haslo-1")
    page.fill("input[name=company]", "Spedycja Nowak Sp. z o.o.")
    page.check("input[name=accept_terms]")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/register/done")
    assert "We have sent a message to anna@spedycja-nowak.pl" in page.content()

    # The activation link signs the new owner in.
    page.goto(mailbox.link("anna@spedycja-nowak.pl", "/verify/").replace("http://cmr.test", base))
    page.wait_for_url("**/documents")
    assert "Your e-mail address is confirmed" in page.content()
    assert "Please confirm your e-mail address" not in page.content()

    page.goto(base + "/book/clients/new")
    page.fill("input[name=name]", "Meble Kowalski Sp. z o.o.")
    page.fill("input[name=city]", "Poznań")
    page.select_option("select[name=country]", "PL")
    page.fill("input[name=tax_id]", "7010847517")
    page.click("button[type=submit].primary")
    page.goto(base + "/book/carriers/new")
    page.fill("input[name=name]", "Trans-Pol Sp.j.")
    page.select_option("select[name=country]", "PL")
    page.fill("input[name=vehicle_registration]", "PO 12345 / PO 6789A")
    page.click("button[type=submit].primary")

    page.goto(base + "/documents/new")
    pick(page, "sender", "kowalski", "Meble Kowalski Sp. z o.o.")
    pick(page, "carrier", "trans", "Trans-Pol Sp.j.")
    assert page.input_value("input[name='carrier.vehicle_registration']") == "PO 12345 / PO 6789A"
    page.fill("input[name='consignee.name']", "Möbelhaus Schäfer GmbH")
    page.fill("input[name='consignee.city']", "Berlin")
    page.select_option("select[name='consignee.country']", "DE")
    page.fill("input[name='place_of_delivery.city']", "Berlin")
    page.select_option("select[name='place_of_delivery.country']", "DE")
    page.fill("input[name='taking_over.city']", "Poznań")
    page.select_option("select[name='taking_over.country']", "PL")
    page.fill("input[name='goods.0.packages']", "33")
    page.fill("input[name='goods.0.packing']", "EUR pallet")
    page.fill("input[name='goods.0.nature']", "Furniture")
    page.fill("input[name='goods.0.gross_weight_kg']", "12400,5")
    page.click("[data-add-line]")
    page.fill("input[name='goods.1.packages']", "4")
    page.fill("input[name='goods.1.packing']", "drum")
    page.fill("input[name='goods.1.nature']", "Paint")
    page.fill("input[name='goods.1.gross_weight_kg']", "800")
    page.screenshot(path=os.path.join(SHOTS, "journey-form.png"), full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents/*")
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.models import Document
        number = db.session.get(Document, int(page.url.rstrip("/").split("/")[-1])).number
    assert number in page.content()
    page.screenshot(path=os.path.join(SHOTS, "journey-document.png"), full_page=True)

    page.goto(base + "/documents")
    page.fill("#q", "Schäfer")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    row = page.locator("table.list tbody tr, .doc-card").first
    assert "Möbelhaus Schäfer GmbH" in row.inner_text()
    assert number in page.content()
    page.screenshot(path=os.path.join(SHOTS, "journey-list.png"), full_page=True)

    with page.expect_navigation():
        page.locator("table.list a", has_text=number).first.click()
    assert page.url.rstrip("/").split("/")[-2] == "documents"
    with page.expect_download() as download:
        page.click("button[name=download]")
    path = download.value.path()
    with open(path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF") and len(content) > 10_000
    from pypdf import PdfReader
    import io
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Meble Kowalski" in text and "Trans-Pol" in text and "Paint" in text
    assert errors == []


def test_duplicate_check_save_then_a_scanned_old_copy_is_told_it_is_out_of_date(app, make_account, browser_page,
                                                                                api_for):
    """Duplicate opens a filled form (nothing numbered), the user confirms the vehicle and
    saves; then the original is changed, and its old paper copy's check code, typed on
    the public page, is told which version replaced it."""
    from tests.conftest import sample_document
    page, base, errors = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    owner = make_account(company="Spedycja Test")
    office = api_for(owner)
    original = office.post("/documents", json=sample_document()).get_json()

    page.goto(base + "/login")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct horse 1")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents")
    page.goto(f"{base}/documents/{original['id']}")
    page.click("a.button:has-text('Duplicate')")
    page.wait_for_url("**/documents/new?from=*")
    assert f"A copy of CMR {original['number']}" in page.content()
    assert page.input_value("input[name='consignee.name']") == "Möbelhaus Schäfer GmbH"
    assert page.input_value("input[name='carrier.vehicle_registration']") == ""
    assert len(documents_in_db(app, owner.company_id)) == 1  # nothing numbered yet
    page.fill("input[name='carrier.vehicle_registration']", "PO 555AA / PO 777BB")
    page.screenshot(path=os.path.join(SHOTS, "duplicate-form.png"), full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents/*")
    docs = documents_in_db(app, owner.company_id)
    assert len(docs) == 2 and docs[1].number != original["number"]
    assert docs[1].data["carrier"]["vehicle_registration"] == "PO 555AA / PO 777BB"
    assert docs[1].number in page.content()

    office.patch(f"/documents/{original['id']}", json={"special_agreements": "Tail lift"})
    page.goto(original["public_url"].replace("http://cmr.test", base))
    page.fill("input[name=code]", original["fingerprint"])
    page.click("#check button[type=submit]")
    page.wait_for_url("**?code=*")
    verdict = page.inner_text("#verdict")
    assert "This paper copy is out of date." in verdict
    assert "version 2" in verdict and f"Check code {original['fingerprint']} is version 1" in verdict
    page.screenshot(path=os.path.join(SHOTS, "public-verdict-superseded.png"), full_page=True)

    page.goto(f"{base}/documents/{original['id']}")
    history = page.inner_text("#history")
    assert "Issued" in history and "Changed" in history
    assert "Driver's page" in page.inner_text("#views")
    page.screenshot(path=os.path.join(SHOTS, "document-history.png"), full_page=True)
    assert errors == []


# Chromium reports a blocked inline script, style or handler on the console, and fires a
# securitypolicyviolation event; both are collected (the init script runs outside the page's CSP).
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e =>
    console.error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""


def test_the_signed_in_pages_and_the_document_form_run_under_the_csp(app, make_account, browser_page):
    page, base, errors = browser_page
    owner = make_account(company="Spedycja Test")
    with app.test_request_context():
        from cmr_app.extensions import db
        from cmr_app.models import User
        from cmr_app.services import addressbook, documents
        from tests.conftest import sample_document
        user = db.session.get(User, owner.id)
        addressbook.create_entry(addressbook.CLIENTS, user, {"name": "Bakkerij de Vries", "country": "NL"})
        addressbook.create_entry(addressbook.PRODUCTS, user, {"name": "Paint 20 l", "nature": "Paint"})
        doc = documents.issue_document(user, sample_document(sender_instructions="Keep dry"))
        doc_id, token = doc.id, doc.public_token
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if (
        "Content Security Policy" in msg.text or "CSP violation" in msg.text) else None)
    page.add_init_script(REPORT_VIOLATIONS)

    page.goto(base + "/login")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct horse 1")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents")
    for path in ("/documents", f"/documents/{doc_id}", f"/documents/{doc_id}/edit", "/documents/templates",
                 "/book/clients", "/book/clients/new", "/book/products", "/book/carriers", "/settings",
                 f"/d/{token}", "/pricing"):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
    page.goto(base + "/documents/new")
    page.click("[data-add-line]")
    pick(page, "product", "paint", "Paint 20 l")
    pick(page, "consignee", "vries", "Bakkerij de Vries")
    assert page.input_value("input[name='consignee.name']") == "Bakkerij de Vries"  # app.js ran
    page.wait_for_timeout(200)
    assert violations == [] and errors == []

    # The watch itself works: an inline script added now is blocked and reported.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.inlineRan === undefined")
    assert violations, "the CSP violation of an inline script was not seen"
