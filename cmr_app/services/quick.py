"""What the CMR form offers to make a repeat document quick (issue 13 item 1): the
address-book lookups behind its searchable pickers, a party's usual place and the last
used carrier. Every lookup goes through the address book's own search (the one the API's
`?q=` uses), so it is company-scoped and never loads more than a page of rows."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Document
from . import addressbook

LOOKUP_LIMIT = 10
RECENT_DOCUMENTS = 20
MAX_QUERY = 100
# The place box each role's usual place goes to.
PLACE_OF = {"consignee": "place_of_delivery", "sender": "taking_over"}
CARRIER_FIELDS = ("name", "address", "postal_code", "city", "country", "tax_id", "email", "phone",
                  "vehicle_registration")


def recent_data(company_id: int) -> list[dict]:
    """The content of the company's latest documents, newest first (withdrawn ones have none)."""
    rows = db.session.execute(
        select(Document.data).where(Document.company_id == company_id, Document.withdrawn_at.is_(None))
        .order_by(Document.id.desc()).limit(RECENT_DOCUMENTS))
    return [data for (data,) in rows if isinstance(data, dict)]


def _key(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def _tax_key(text) -> str:
    return "".join(ch for ch in str(text or "") if ch.isalnum()).upper()


def is_party(entry: dict, party) -> bool:
    """Whether a document's party is this address-book entry: by tax id when both have
    one, else by name."""
    if not isinstance(party, dict) or not party.get("name"):
        return False
    mine, theirs = _tax_key(entry.get("tax_id")), _tax_key(party.get("tax_id"))
    if mine and theirs:
        return mine == theirs
    return _key(entry.get("name")) == _key(party.get("name"))


def usual_place(entry: dict, role: str, recent: list[dict]) -> dict:
    """The place used on this party's last of the latest documents, else its own address."""
    box = PLACE_OF[role]
    for data in recent:
        place = data.get(box)
        if is_party(entry, data.get(role)) and isinstance(place, dict) and (place.get("city") or place.get("country")):
            found = {"city": place.get("city") or "", "country": place.get("country") or ""}
            if box == "place_of_delivery":
                found["address"] = place.get("address") or ""
            return {**found, "from_document": True}
    own = {"city": entry.get("city") or "", "country": entry.get("country") or ""}
    if box == "place_of_delivery":
        own["address"] = entry.get("address") or ""
    return {**own, "from_document": False}


def lookup(kind_name: str, company_id: int, q: str, role: str | None = None) -> list[dict]:
    """At most LOOKUP_LIMIT entries matching q (the newest first), each with its usual
    place when a role (sender or consignee) is given."""
    kind = addressbook.KINDS[kind_name]
    items, _cursor = addressbook.list_entries(kind, company_id, q=q, limit=LOOKUP_LIMIT)
    entries = [kind.to_dict(i) for i in items]
    if role and entries:
        recent = recent_data(company_id)
        for entry in entries:
            entry["usual_place"] = usual_place(entry, role, recent)
    return entries


def last_carrier(company_id: int, recent: list[dict] | None = None) -> dict | None:
    """The carrier (with the vehicle) of the newest document that names one."""
    for data in recent if recent is not None else recent_data(company_id):
        carrier = data.get("carrier")
        if isinstance(carrier, dict) and (carrier.get("name") or "").strip():
            return {k: carrier.get(k) or "" for k in CARRIER_FIELDS}
    return None
