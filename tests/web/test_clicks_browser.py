"""Issue 13 item 1, measured: a repeat CMR from the address book in at most 12 clicks and
4 typed fields, in Debian's Chromium. A clerk starts from the document list; every mouse
click and every field typed into (a picker's search text included) goes through the
small helpers below, which count them; Enter and the arrow keys in a picker are counted
apart, as key presses. The save bar must be in view without scrolling, at a laptop's
and a phone's size, with the form scrolled to its middle. Screenshots of an open picker
go to test-artifacts/ for a person to look at."""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

import pytest

from webhelpers import browser_sign_in, documents_in_db

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")

MAX_CLICKS, MAX_TYPED = 12, 4


@dataclass
class Counted:
    """The user's actions on one page, each one counted as it is done."""
    page: object
    clicks: int = 0
    typed: int = 0
    keys: int = 0

    def click(self, selector: str, **kw) -> None:
        self.clicks += 1
        self.page.locator(selector, **kw).first.click()

    def type(self, selector: str, text: str) -> None:
        """Typing into one field, key by key (as a person does), is one typed field."""
        self.typed += 1
        self.page.locator(selector).press_sequentially(text, delay=20)

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def pick(self, prefix: str, query: str, name: str, shot: str | None = None) -> None:
        """Type a search into a picker that has the focus and take the entry with Enter:
        the entry must be the first one offered (Enter picks the first)."""
        focused = self.page.evaluate("document.activeElement && document.activeElement.id")
        assert focused == f"pick-{prefix}", f"the {prefix} picker has no focus ({focused!r})"
        self.type(f"#pick-{prefix}", query)
        if shot:  # a person looks at the list first; otherwise Enter comes at once
            expect(self.page.locator(f"#pick-{prefix}-list [role=option]").first).to_contain_text(name)
            self.page.screenshot(path=shot)
        self.press("Enter")
        expect(self.page.locator(f"[data-prefix={prefix}] [data-picker-status]")).to_have_text(name)


def seed_address_book(app, owner) -> None:
    """A sender, a consignee whose goods went to its warehouse (not its seat) last time,
    a carrier whose vehicle was on that document, a product, and some others around them
    so that every search has to choose."""
    from cmr_app.extensions import db
    from cmr_app.models import User
    from cmr_app.services import addressbook, documents
    with app.test_request_context():
        user = db.session.get(User, owner.id)
        book = addressbook.create_entry
        book(addressbook.CLIENTS, user, {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12",
                                         "postal_code": "60-101", "city": "Poznań", "country": "PL",
                                         "tax_id": "7010847517"})
        book(addressbook.CLIENTS, user, {"name": "Möbelhaus Schäfer GmbH", "address": "Friedrichstraße 5",
                                         "postal_code": "10117", "city": "Berlin", "country": "DE",
                                         "tax_id": "DE811907980"})
        for i, (name, city, country) in enumerate((
                ("Kowalczyk Transport", "Łódź", "PL"), ("Schäffer Logistik", "Hamburg", "DE"),
                ("Bakkerij de Vries", "Utrecht", "NL"), ("Hurtownia Nowak", "Kraków", "PL"),
                ("Meble Polskie S.A.", "Gniezno", "PL"), ("Berliner Möbel AG", "Berlin", "DE"))):
            book(addressbook.CLIENTS, user, {"name": name, "city": city, "country": country,
                                             "address": f"Street {i}"})
        book(addressbook.CARRIERS, user, {"name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL",
                                          "vehicle_registration": "PWR 12345 / PWR 6789A"})
        book(addressbook.CARRIERS, user, {"name": "Euro-Trans GmbH", "city": "Frankfurt (Oder)", "country": "DE",
                                          "vehicle_registration": "FF AB 123"})
        book(addressbook.PRODUCTS, user, {"name": "Sofa Oslo, EUR pallet", "marks": "KOW/OSLO", "packages": 33,
                                          "packing": "EUR pallet", "nature": "Upholstered furniture",
                                          "statistical_number": "9401", "gross_weight_kg": "9800",
                                          "volume_m3": "75"})
        book(addressbook.PRODUCTS, user, {"name": "Paint 20 l", "nature": "Paint", "packing": "drum"})
        # Last week's CMR: the same parties, delivered to Schäfer's warehouse in Potsdam,
        # carried by Trans-Pol's usual truck.
        documents.issue_document(user, {
            "sender": {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12", "postal_code": "60-101",
                       "city": "Poznań", "country": "PL", "tax_id": "7010847517"},
            "consignee": {"name": "Möbelhaus Schäfer GmbH", "address": "Friedrichstraße 5",
                          "postal_code": "10117", "city": "Berlin", "country": "DE", "tax_id": "DE811907980"},
            "place_of_delivery": {"city": "Potsdam", "country": "DE", "address": "Lager Nord, Am Hafen 3"},
            "taking_over": {"city": "Swarzędz", "country": "PL", "date": "2026-11-14"},
            "goods": [{"packages": 20, "packing": "EUR pallet", "nature": "Upholstered furniture",
                       "gross_weight_kg": "6000"}],
            "carrier": {"name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL",
                        "vehicle_registration": "PWR 12345 / PWR 6789A"},
            "established": {"place": "Poznań", "date": "2026-11-14"},
            "languages": ["pl", "de"], "copies": 4})


def sign_in(page, base: str, user) -> None:
    """Signing in is not part of issuing the CMR, so it is not counted."""
    browser_sign_in(page, base, user.email)


def save_bar_in_view(page) -> bool:
    """The save button is wholly inside the window, over the content, not under it."""
    return page.eval_on_selector(".save-bar button[type=submit]", """el => {
        const r = el.getBoundingClientRect();
        if (!(r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0
              && r.right <= window.innerWidth)) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === el || el.contains(hit); }""")


def scroll_to_middle(page) -> None:
    page.evaluate("window.scrollTo(0, (document.documentElement.scrollHeight - window.innerHeight) / 2)")
    page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 200, "the form is not long enough to be scrolled"


def test_a_repeat_cmr_from_the_address_book_takes_few_clicks(app, make_account, make_member, chromium,
                                                            live_server):
    owner = make_account(company="Spedycja Kowalski")
    seed_address_book(app, owner)
    clerk = make_member(owner, "editor")
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, live_server, clerk)
        me = Counted(page)

        me.click("a.button.primary", has_text="New CMR")
        page.wait_for_url("**/documents/new")
        # The sender's picker has the focus as the form opens: type, Enter.
        me.pick("sender", "kowal", "Meble Kowalski Sp. z o.o.")
        me.click("#pick-consignee")
        me.pick("consignee", "schäfer", "Möbelhaus Schäfer GmbH")
        me.click("[data-use-carrier]")
        me.click("#pick-product")
        os.makedirs(SHOTS, exist_ok=True)
        me.pick("product", "sofa", "Sofa Oslo, EUR pallet",
                shot=os.path.join(SHOTS, "clicks-product-picker-1366x768.png"))

        scroll_to_middle(page)
        assert save_bar_in_view(page)
        me.click(".save-bar button[type=submit]")
        page.wait_for_url("**/documents/*")
        print(f"\nrepeat CMR from the address book: {me.clicks} clicks, {me.typed} typed fields, "
              f"{me.keys} key presses (Enter, arrows) in pickers")

        docs = documents_in_db(app, owner.company_id)
        assert len(docs) == 2
        data = docs[-1].data
        assert data["sender"]["name"] == "Meble Kowalski Sp. z o.o." and data["sender"]["tax_id"] == "7010847517"
        assert data["consignee"]["name"] == "Möbelhaus Schäfer GmbH" and data["consignee"]["country"] == "DE"
        assert data["carrier"]["name"] == "Trans-Pol Sp.j."
        assert data["carrier"]["vehicle_registration"] == "PWR 12345 / PWR 6789A"
        # The consignee's usual place of delivery (its last document's), the sender's
        # usual place of taking over.
        assert data["place_of_delivery"] == {"city": "Potsdam", "country": "DE", "address": "Lager Nord, Am Hafen 3"}
        assert data["taking_over"]["city"] == "Swarzędz" and data["taking_over"]["country"] == "PL"
        [line] = data["goods"]
        assert (line["nature"], line["packages"], line["packing"], line["marks"]) == (
            "Upholstered furniture", 33, "EUR pallet", "KOW/OSLO")
        assert Decimal(str(line["gross_weight_kg"])) == Decimal("9800")
        assert docs[-1].number in page.content()
        assert me.clicks <= MAX_CLICKS, me
        assert me.typed <= MAX_TYPED, me
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_save_bar_is_in_view_and_a_picker_opens_at_both_sizes(app, make_account, chromium, live_server,
                                                                  width, height):
    owner = make_account(company="Spedycja Kowalski")
    seed_address_book(app, owner)
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, live_server, owner)
        page.goto(live_server + "/documents/new")
        assert save_bar_in_view(page)
        scroll_to_middle(page)
        assert save_bar_in_view(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert save_bar_in_view(page)

        page.evaluate("window.scrollTo(0, 0)")
        page.locator("#pick-consignee").click()
        page.locator("#pick-consignee").press_sequentially("berlin", delay=20)
        options = page.locator("#pick-consignee-list [role=option]")
        # Both Berlin clients, each with where it is: last week's consignee first, though
        # the other one is newer in the address book.
        expect(options.locator(".combo-name")).to_have_text(["Möbelhaus Schäfer GmbH", "Berliner Möbel AG"])
        expect(options.nth(1)).to_contain_text("Berlin (DE)")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(options.nth(1)).to_have_attribute("aria-selected", "true")
        page.keyboard.press("ArrowUp")
        expect(options.nth(0)).to_have_attribute("aria-selected", "true")
        page.locator("#pick-consignee").scroll_into_view_if_needed()
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"clicks-consignee-picker-{width}x{height}.png"))
        # The open list is not hidden under the save bar or cut by the window.
        box = page.locator("#pick-consignee-list").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        page.keyboard.press("Enter")
        assert page.input_value("input[name='consignee.name']") == "Möbelhaus Schäfer GmbH"
        assert page.input_value("input[name='place_of_delivery.city']") == "Potsdam"

        # A quick typist: the list opened by the click still shows, Enter comes before the
        # search has answered; what is picked is the first entry for what was typed.
        page.locator("#pick-sender").click()
        expect(page.locator("#pick-sender-list [role=option]").first).to_contain_text("Meble Kowalski")
        page.locator("#pick-sender").press_sequentially("vries")
        page.keyboard.press("Enter")
        expect(page.locator("input[name='sender.name']")).to_have_value("Bakkerij de Vries")
        assert page.input_value("input[name='taking_over.city']") == "Utrecht"
        assert errors == []
    finally:
        page.close()
