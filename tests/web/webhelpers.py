"""Plain helpers of the HTML interface tests (imported by the test modules)."""
from __future__ import annotations

import re
from html import unescape

from cmr_app.extensions import db


def cmr_form(**overrides) -> dict:
    """The CMR form as a browser posts it: dotted names, strings, blank inputs included."""
    form = {
        "sender.name": "Meble Kowalski Sp. z o.o.", "sender.address": "ul. Głogowska 12",
        "sender.postal_code": "60-101", "sender.city": "Poznań", "sender.country": "PL",
        "sender.tax_id": "7010847517", "sender.email": "", "sender.phone": "",
        "consignee.name": "Möbelhaus Schäfer GmbH", "consignee.address": "Friedrichstraße 5",
        "consignee.postal_code": "10117", "consignee.city": "Berlin", "consignee.country": "DE",
        "consignee.tax_id": "", "place_of_delivery.city": "Berlin", "place_of_delivery.country": "DE",
        "place_of_delivery.address": "Friedrichstraße 5",
        "taking_over.city": "Poznań", "taking_over.country": "PL", "taking_over.date": "2026-11-21",
        "documents_attached": "Invoice FV/12/2026",
        "goods.0.marks": "MK-1", "goods.0.packages": "33", "goods.0.packing": "EUR pallet",
        "goods.0.nature": "Furniture", "goods.0.statistical_number": "9403",
        "goods.0.gross_weight_kg": "12400,5", "goods.0.volume_m3": "80",
        "goods.0.adr.class": "", "goods.0.adr.un_number": "", "goods.0.adr.packing_group": "",
        "goods.1.marks": "MK-2", "goods.1.packages": "4", "goods.1.packing": "drum",
        "goods.1.nature": "Paint", "goods.1.statistical_number": "3208",
        "goods.1.gross_weight_kg": "800", "goods.1.volume_m3": "1.2",
        "goods.1.adr.class": "3", "goods.1.adr.un_number": "1263", "goods.1.adr.packing_group": "II",
        "sender_instructions": "", "payment_instructions": "carriage_paid", "payment_instructions_other": "",
        "cash_on_delivery.amount": "", "cash_on_delivery.currency": "",
        "carrier.name": "Trans-Pol Sp.j.", "carrier.city": "Września", "carrier.country": "PL",
        "carrier.vehicle_registration": "PO 12345 / PO 6789A",
        "successive_carriers": "", "carrier_reservations": "", "special_agreements": "",
        "established.place": "Poznań", "established.date": "2026-11-21",
        "languages.0": "pl", "languages.1": "en", "languages.2": "de", "copies": "4",
    }
    for i, label in enumerate(("Carriage charges", "Deductions", "Balance", "Supplementary charges",
                               "Other charges", "Miscellaneous", "Total")):
        form.update({f"charges.{i}.label": label, f"charges.{i}.sender": "", f"charges.{i}.currency": "",
                     f"charges.{i}.consignee": ""})
    form.update({"charges.0.sender": "1500.00", "charges.0.currency": "EUR"})
    form.update(overrides)
    return form


def input_value(html: str, name: str) -> str | None:
    match = re.search(r'<input[^>]*name="' + re.escape(name) + r'"[^>]*value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def documents_in_db(app, company_id: int):
    from sqlalchemy import select

    from cmr_app.models import Document
    with app.app_context():
        return list(db.session.scalars(select(Document).where(Document.company_id == company_id)
                                       .order_by(Document.id)))


def settings_post(client, url: str, data=None, section: str | None = None, **kw) -> str:
    """A Settings post as a browser makes it (post/redirect/get): the answer is 303 to
    /settings#<section>; returns the HTML of the page the browser then shows."""
    response = client.post(url, data=data or {}, **kw)
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:300])
    location = response.headers["Location"]
    if section is not None:
        assert location.endswith(f"/settings#{section}"), location
    page = client.get(location.split("#", 1)[0])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def section_messages(html: str, section: str) -> list[str]:
    """The texts of the messages shown inside the element with id `section`."""
    from lxml import html as lxml_html
    root = lxml_html.fromstring(html)
    found = root.get_element_by_id(section)
    return [" ".join(el.text_content().split()) for el in found.find_class("flash")]


def browser_sign_in(page, base: str, email: str, password: str = "correct horse 1") -> None:
    """Signs in through the login page in the browser and waits for the document list."""
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/documents")
