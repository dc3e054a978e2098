"""WCAG 2.1 AA on every main page (issue 13 item 10), checked in Debian's Chromium with
axe-core (vendored in tests/vendor/axe-core): no violation of impact serious or critical
on the public pages, the signed-in office's pages, the driver's page and the admin pages,
at a desktop and a phone size; and the skip link is the first Tab stop and moves focus to
the main content. Skipped where Chromium or Playwright is missing."""
from __future__ import annotations

import os
import re

import pytest

from cmr_app.extensions import db
from tests.conftest import sample_document
from webhelpers import browser_sign_in as sign_in

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")

AXE_JS = os.path.join(os.path.dirname(__file__), "..", "vendor", "axe-core", "axe.min.js")
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ORDER = {"plan": "standard", "period_months": "12", "promo_code": "", "payment_method": "transfer",
         "invoice.name": "Spedycja Test Sp. z o.o.", "invoice.tax_id": "7010847517",
         "invoice.address": "ul. Portowa 1", "invoice.postal_code": "81-001", "invoice.city": "Gdynia",
         "invoice.country": "PL"}

# axe.run in the page: the WCAG 2.0/2.1 A and AA rules, the violations of impact serious or
# critical with what the report needs (rule, help, the offending nodes and why).
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
}"""


@pytest.fixture
def axe_browser(live_server, chromium):
    """new_page(viewport) -> a page that has axe-core on every document it loads (an init
    script, which runs outside the page's Content-Security-Policy)."""
    with open(AXE_JS, encoding="utf-8") as f:
        source = f.read()
    pages = []

    def new_page(viewport=DESKTOP):
        page = chromium.new_page(viewport=viewport)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(source)
        page.errors = errors
        pages.append(page)
        return page
    yield new_page
    for page in pages:
        page.close()


def serious_violations(page, base: str, paths, *, shots: str | None = None) -> list[str]:
    """Each path loaded and checked by axe: one line per violation and node, naming the page."""
    found: list[str] = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, f"{path}: {response.status}"
        found += violations_here(page, path, shots=shots)
    return found


def violations_here(page, label: str, *, shots: str | None = None) -> list[str]:
    """The page as it stands checked by axe, with its folded parts (<details>: a party's
    e-mail and phone, more options) opened first."""
    page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
    if shots:
        os.makedirs(SHOTS, exist_ok=True)
        name = re.sub(r"^/d/.*", "driver", re.sub(r"^/pay/fake/.*", "checkout", re.sub(r"^/s/.*", "signing", label)))
        name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "landing"
        page.screenshot(path=os.path.join(SHOTS, f"a11y-{shots}-{name}.png"), full_page=True)
    return [f"{label}: [{v['impact']}] {v['id']}: {v['help']}\n    at {node['target']}\n    {node['summary']}"
            for v in page.evaluate(RUN_AXE, WCAG_AA) for node in v["nodes"]]


def report(found: list[str]) -> str:
    return f"{len(found)} serious or critical WCAG 2.1 AA violation(s):\n" + "\n".join(found)


@pytest.fixture
def office(app, make_account):
    """An owner with a client, a carrier, a product and an issued CMR: ids of each, and the
    driver's page token."""
    owner = make_account(company="Spedycja Test")
    with app.test_request_context():
        from cmr_app.models import User
        from cmr_app.services import addressbook, documents
        user = db.session.get(User, owner.id)
        client = addressbook.create_entry(addressbook.CLIENTS, user, {
            "name": "Bakkerij de Vries", "city": "Utrecht", "country": "NL", "email": "info@vries.nl",
            "phone": "+31 30 123 4567"})
        carrier = addressbook.create_entry(addressbook.CARRIERS, user, {
            "name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL"})
        product = addressbook.create_entry(addressbook.PRODUCTS, user, {"name": "Paint 20 l", "nature": "Paint"})
        doc = documents.issue_document(user, sample_document(sender_instructions="Keep dry"))
        owner.ids = {"client": client.id, "carrier": carrier.id, "product": product.id,
                     "document": doc.id, "token": doc.public_token}
    return owner


PUBLIC_PAGES = ("/", "/pricing", "/login", "/register", "/register?plan=standard", "/password/forgot", "/terms")


def test_the_public_pages_have_no_serious_accessibility_violations(axe_browser, live_server):
    page = axe_browser()
    found = serious_violations(page, live_server, PUBLIC_PAGES, shots="desktop")
    assert not found, report(found)
    assert page.errors == []


def office_pages(ids: dict) -> list[str]:
    doc = ids["document"]
    return ["/documents", "/documents?q=Kowalski", "/documents/new", f"/documents/{doc}",
            f"/documents/{doc}/edit", "/documents/templates",
            "/book/clients", "/book/clients/new", f"/book/clients/{ids['client']}",
            "/book/carriers", "/book/carriers/new", f"/book/carriers/{ids['carrier']}",
            "/book/products", "/book/products/new", f"/book/products/{ids['product']}",
            "/settings", f"/d/{ids['token']}"]


def test_the_office_pages_have_no_serious_accessibility_violations(axe_browser, live_server, office):
    page = axe_browser()
    sign_in(page, live_server, office.email)
    found = serious_violations(page, live_server, office_pages(office.ids), shots="desktop")
    # The plan and billing page with an order waiting, and the payment page.
    placed = page.request.post(live_server + "/settings/order", form={**ORDER, "action": "order"})
    assert placed.ok, placed.status
    page.goto(live_server + "/settings")
    checkout = page.get_attribute("a[href*='/pay/fake/']", "href")
    found += serious_violations(page, live_server, ["/settings", checkout], shots="desktop")
    assert not found, report(found)
    assert page.errors == []


def test_the_phone_sized_pages_have_no_serious_accessibility_violations(axe_browser, live_server, office, api_for):
    signing = api_for(office).post(f"/documents/{office.ids['document']}/signing-links", json={"role": "sender"})
    assert signing.status_code == 201, signing.get_data(as_text=True)
    sign_path = "/s/" + signing.get_json()["url"].rsplit("/s/", 1)[1]
    page = axe_browser(PHONE)
    found = serious_violations(page, live_server, ("/", "/pricing", "/login", "/register", sign_path), shots="phone")
    sign_in(page, live_server, office.email)
    doc = office.ids["document"]
    found += serious_violations(page, live_server, (
        "/documents", "/documents/new", f"/documents/{doc}", "/book/clients", "/book/clients/new", "/settings",
        f"/d/{office.ids['token']}"), shots="phone")
    assert not found, report(found)


def errors_shown(page, base: str, path: str) -> list[str]:
    """The form at `path` sent empty: the page with its error messages, checked."""
    page.goto(base + path)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator(".error, .flash.error, .error-summary").count() > 0, path
    return violations_here(page, f"{path} (with errors)")


def test_forms_showing_their_errors_have_no_serious_accessibility_violations(axe_browser, live_server, office):
    page = axe_browser()
    found = errors_shown(page, live_server, "/login") + errors_shown(page, live_server, "/register")
    sign_in(page, live_server, office.email)
    for path in ("/documents/new", "/book/clients/new", "/book/carriers/new", "/book/products/new"):
        found += errors_shown(page, live_server, path)
    assert not found, report(found)


def test_the_polish_and_german_pages_have_no_serious_accessibility_violations(axe_browser, live_server, office):
    page = axe_browser()
    sign_in(page, live_server, office.email)
    found = []
    for code, skip in (("pl", "Przejdź do treści"), ("de", "Zum Inhalt springen")):
        page.goto(live_server + "/documents")
        page.click(f"form.lang button[lang={code}]")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == code
        assert page.inner_text(".skip-link") == skip  # the skip link speaks the page's language
        found += [f"[{code}] {line}" for line in serious_violations(page, live_server, (
            "/", "/pricing", "/documents", "/documents/new", f"/documents/{office.ids['document']}", "/settings"))]
    assert not found, report(found)


def test_the_admin_pages_have_no_serious_accessibility_violations(app, axe_browser, live_server, make_account,
                                                                   office):
    admin = make_account("admin@cmr.example", company="CMR Online Operator")
    with app.test_request_context():
        from cmr_app.models import User
        from cmr_app.services import support_access
        db.session.get(User, admin.id).is_admin = True
        db.session.commit()
        support_access.grant(db.session.get(User, office.id), 7)  # the support view of the office's data
    doc = office.ids["document"]
    page = axe_browser()
    sign_in(page, live_server, admin.email)
    found = serious_violations(page, live_server, (
        "/admin/", "/admin/accounts", f"/admin/accounts/{office.company_id}/block",
        f"/admin/accounts/{office.company_id}/support",
        f"/admin/accounts/{office.company_id}/support/documents/{doc}", "/admin/plans", "/admin/plans/standard",
        "/admin/new-plan", "/admin/promo-codes", "/admin/payments", "/admin/emails", "/admin/ksef",
        "/admin/seller", "/admin/history"), shots="desktop")
    assert not found, report(found)
    assert page.errors == []


def test_the_first_tab_stop_is_the_skip_link_and_it_moves_focus_to_the_content(axe_browser, live_server, office):
    page = axe_browser()
    for path in ("/", "/pricing"):
        page.goto(live_server + path)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link", path
        assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", path
        # The next Tab goes on from the content, not back to the header.
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')"), path

    sign_in(page, live_server, office.email)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        # A blank new CMR opens with the sender's picker in focus (issue 13 item 1): the
        # clerk starts in the content, no skip needed.
        page.goto(live_server + "/documents/new")
        assert page.evaluate("document.activeElement.closest('main') !== null"
                             " && document.activeElement.closest('#box-sender') !== null")
        assert page.locator(":focus").is_visible()
        # Signed in, on the list, the first Tab stop is the skip link.
        page.goto(live_server + "/documents")
        page.keyboard.press("Tab")
        link = page.locator(":focus")
        assert link.get_attribute("class") == "skip-link"
        box = link.bounding_box()  # shown when focused, inside the window
        assert link.is_visible() and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"a11y-{size}-skip-link-focused.png"))
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')")
        page.screenshot(path=os.path.join(SHOTS, f"a11y-{size}-first-field-focused.png"))


def test_the_language_buttons_are_named_in_their_own_language(axe_browser, live_server):
    page = axe_browser()
    for path in ("/", "/login"):
        page.goto(live_server + path)
        buttons = page.eval_on_selector_all("form.lang button", """els => els.map(e => ({
            lang: e.lang, label: e.getAttribute('aria-label'), title: e.title, text: e.textContent.trim()}))""")
        # The name says the language in that language and starts with the visible code (WCAG 2.5.3).
        assert buttons == [{"lang": "pl", "label": "PL – Polski", "title": "Polski", "text": "PL"},
                           {"lang": "en", "label": "EN – English", "title": "English", "text": "EN"},
                           {"lang": "de", "label": "DE – Deutsch", "title": "Deutsch", "text": "DE"}], path


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(color: str) -> float:
        r, g, b = (int(float(x)) / 255 for x in re.findall(r"[\d.]+", color)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# What the keyboard user sees around the focused element: its outline, and the colour of
# what the ring is drawn on (the nearest ancestor with an opaque background).
FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  let bg = 'rgb(255, 255, 255)';
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0')) { bg = c; break; }
  }
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor, behind: bg};
}"""


def test_the_keyboard_focus_ring_is_visible_on_every_stop(axe_browser, live_server, office):
    page = axe_browser()
    sign_in(page, live_server, office.email)
    for path in ("/documents/new", "/pricing", f"/d/{office.ids['token']}"):
        page.goto(live_server + path)
        checked = 0
        for _ in range(12):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring["tag"] == "BODY":  # past the page's last stop
                break
            assert ring["style"] != "none" and ring["width"] >= 2, (path, ring)
            assert contrast(ring["color"], ring["behind"]) >= 3, (path, ring)
            checked += 1
        assert checked >= 3, path


# Whether the focused element can be seen: the topmost element at a few points inside it
# is the element itself (or inside it), not the sticky top bar or the form's save bar.
FOCUS_SEEN = """() => {
  const el = document.activeElement, r = el.getBoundingClientRect();
  const points = [[r.left + r.width / 2, r.top + 2], [r.left + r.width / 2, r.top + r.height / 2],
                  [r.left + r.width / 2, r.bottom - 2]];
  const covered = points.some(([x, y]) => {
    const top = document.elementFromPoint(x, y);
    return !top || !(top === el || el.contains(top) || top.contains(el) || (el.labels && [...el.labels].includes(top)));
  });
  return {name: el.name || el.id || el.textContent.trim().slice(0, 30), covered, top: r.top, bottom: r.bottom};
}"""


def test_the_focused_field_is_never_hidden_under_the_sticky_bars(axe_browser, live_server, office):
    page = axe_browser()
    sign_in(page, live_server, office.email)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(live_server + "/documents/new")
        hidden = []
        for _ in range(60):
            page.keyboard.press("Tab")
            seen = page.evaluate(FOCUS_SEEN)
            if seen["covered"]:
                hidden.append(seen)
        assert not hidden, (viewport, hidden)


def test_the_other_states_of_the_pages_have_no_serious_accessibility_violations(
        app, axe_browser, live_server, office, make_account, api_for):
    """A cancelled CMR (its page and the driver's), an office with nothing yet, a page that
    is not there."""
    office_api = api_for(office)
    doc = office.ids["document"]
    cancelled = office_api.post(f"/documents/{doc}/cancel", json={"reason": "The order was called off"})
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    page = axe_browser()
    missing = page.goto(live_server + "/no-such-page")
    assert missing.status == 404
    found = violations_here(page, "/no-such-page (404)", shots="desktop")
    sign_in(page, live_server, office.email)
    found += serious_violations(page, live_server, (f"/documents/{doc}", f"/d/{office.ids['token']}"),
                                shots="desktop-cancelled")
    page.context.clear_cookies()
    newcomer = make_account(company="Nowa Spedycja")
    sign_in(page, live_server, newcomer.email)
    found += serious_violations(page, live_server, ("/documents", "/book/clients", "/book/carriers",
                                                    "/book/products"), shots="desktop-empty")
    assert not found, report(found)


def test_the_pdf_choices_are_named_groups_inside_their_card(axe_browser, live_server, office):
    page = axe_browser()
    sign_in(page, live_server, office.email)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(live_server + f"/documents/{office.ids['document']}")
        assert page.get_by_role("radiogroup", name="Copies").get_by_role("radio").count() == 2
        annex = page.get_by_role("radiogroup", name="Annex pages (what does not fit on the form)")
        assert annex.get_by_role("radio").count() == 3
        assert page.get_by_role("group", name="Label languages").get_by_role("combobox").count() == 3
        card = page.locator(".pdf-form").bounding_box()
        for label in annex.locator("label").all():  # no choice runs out of the card
            box = label.bounding_box()
            assert box["x"] + box["width"] <= card["x"] + card["width"] + 0.5, (viewport, label.inner_text())
        page.locator(".pdf-form").screenshot(path=os.path.join(SHOTS, f"a11y-pdf-choices-{viewport['width']}.png"))
