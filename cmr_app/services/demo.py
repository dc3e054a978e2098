"""Sample data for the demo account (`flask accounts demo`): a few clients, a carrier,
products and four CMRs, made through the same services as the web (so the numbering,
the quota and the versions are right). Idempotent: a company that already has clients
or documents gets nothing more."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Client, Document, User
from . import addressbook, documents

CLIENTS = [
    {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12", "postal_code": "60-101",
     "city": "Poznań", "country": "PL", "tax_id": "7010847517", "email": "biuro@meble-kowalski.example",
     "phone": "+48 61 555 01 23"},
    {"name": "Möbelhaus Schäfer GmbH", "address": "Friedrichstraße 5", "postal_code": "10117",
     "city": "Berlin", "country": "DE", "email": "wareneingang@schaefer.example"},
    {"name": "Bakkerij de Vries B.V.", "address": "Oudegracht 101", "postal_code": "3511 AE",
     "city": "Utrecht", "country": "NL", "email": "info@devries.example"},
    {"name": "Dřevo Novák s.r.o.", "address": "Vídeňská 44", "postal_code": "639 00",
     "city": "Brno", "country": "CZ"},
]
CARRIER = {"name": "Trans-Pol Sp.j.", "address": "ul. Kolejowa 3", "postal_code": "62-300",
           "city": "Września", "country": "PL", "vehicle_registration": "PWR 12345 / PWR 6789A",
           "phone": "+48 600 100 200"}
PRODUCTS = [
    {"name": "Furniture on pallets", "nature": "Furniture", "packing": "EUR pallet", "packages": 33,
     "statistical_number": "9403", "gross_weight_kg": "12400", "volume_m3": "80"},
    {"name": "Flour 25 kg bags", "nature": "Wheat flour", "packing": "Bags on pallets", "packages": 20,
     "statistical_number": "1101", "gross_weight_kg": "10500"},
    {"name": "Paint 20 l", "nature": "Paint", "packing": "Cans", "packages": 48, "gross_weight_kg": "1100",
     "adr": {"class": "3", "un_number": "1263", "packing_group": "III"}},
]
# (sender, consignee, goods, days ago, status)
DOCUMENTS = [(0, 1, 0, 6, "delivered"), (0, 2, 1, 3, "in_transit"), (0, 3, 2, 1, "issued"),
             (0, 1, 0, 0, "issued")]


def _goods(product: dict) -> dict:
    return {key: product[key] for key in ("nature", "packing", "packages", "statistical_number",
                                          "gross_weight_kg", "volume_m3", "adr") if key in product}


def seed(user: User) -> int:
    """Creates the sample data for the user's company; returns how many documents it made
    (0 when the company already has clients or documents)."""
    company_id = user.company_id
    has_clients = db.session.scalar(select(func.count(Client.id)).where(Client.company_id == company_id))
    has_documents = db.session.scalar(select(func.count(Document.id)).where(Document.company_id == company_id))
    if has_clients or has_documents:
        return 0
    clients = [addressbook.create_entry(addressbook.CLIENTS, user, dict(c)) for c in CLIENTS]
    carrier = addressbook.create_entry(addressbook.CARRIERS, user, dict(CARRIER))
    for product in PRODUCTS:
        addressbook.create_entry(addressbook.PRODUCTS, user, {**product, "adr": dict(product["adr"])}
                                 if "adr" in product else dict(product))
    today = clock.now().astimezone(ZoneInfo(user.company.timezone)).date()
    made = 0
    for sender, consignee, product, days_ago, status in DOCUMENTS:
        day = (today - timedelta(days=days_ago)).isoformat()
        target = clients[consignee]
        payload = {
            "sender_client_id": clients[sender].id, "consignee_client_id": target.id,
            "carrier_id": carrier.id,
            "place_of_delivery": {"city": target.city, "country": target.country, "address": target.address},
            "taking_over": {"city": clients[sender].city, "country": clients[sender].country, "date": day},
            "goods": [_goods(PRODUCTS[product])],
            "documents_attached": f"Invoice FV/{100 + made}/{today.year}",
            "payment_instructions": "carriage_paid",
            "established": {"place": clients[sender].city, "date": day},
            "languages": ["pl", "en", "de"], "copies": 3, "status": status,
        }
        documents.issue_document(user, payload)
        made += 1
    return made
