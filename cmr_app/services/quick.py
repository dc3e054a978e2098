"""What the CMR form offers to make a repeat document quick (issue 13 item 1): the
address-book lookups behind its searchable pickers, a party's usual place and the last
used carrier. Every lookup goes through the address book's own search (the one the API's
`?q=` uses), so it is company-scoped and never loads more than a page of rows; the
parties of the latest documents come first, so a repeat CMR finds its usual parties
with the first letters typed, or none."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Document
from . import addressbook
from .search import containing_any, matching, word_starts

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


def _recent_parties(kind, role: str | None, recent: list[dict]) -> list[dict]:
    """The parties of the latest documents in the picker's role, newest first, once each."""
    box = role if kind is addressbook.CLIENTS else "carrier" if kind is addressbook.CARRIERS else None
    parties: list[dict] = []
    for data in recent if box else ():
        party = data.get(box)
        if isinstance(party, dict) and (party.get("name") or "").strip() and not any(
                is_party(party, seen) for seen in parties):
            parties.append(party)
    return parties


def _used_entries(kind, company_id: int, q: str, parties: list[dict]) -> list:
    """The address-book entries matching q that are the latest documents' parties, in
    the order those documents name them. Only entries whose search text holds one of
    their names or tax ids are read, through the search indexes (a handful of rows,
    whatever the size of the address book)."""
    if not parties:
        return []
    model = kind.model
    phrases = [p["name"] for p in parties] + [t for p in parties for t in (p.get("tax_id"), _tax_key(p.get("tax_id")))]
    query = select(model).where(model.company_id == company_id, *matching(model, q),
                                containing_any(model, phrases))
    rows = list(db.session.scalars(query.order_by(model.id.desc()).limit(len(parties) * 5)))
    found: list = []
    for party in parties:
        for row in rows:
            if row not in found and is_party(kind.to_dict(row), party):
                found.append(row)
                break
    return found


def lookup(kind_name: str, company_id: int, q: str, role: str | None = None) -> list[dict]:
    """At most LOOKUP_LIMIT entries matching q: first those on the company's latest
    documents (in the role asked: sender or consignee; the carrier for carriers), the
    most recently used first; then those in which every typed word begins a word, then
    the other matches, each group the newest first. Clients asked for in a role come
    with their usual place in it."""
    kind = addressbook.KINDS[kind_name]
    recent = recent_data(company_id) if (role or kind is addressbook.CARRIERS) else []
    ranked = _used_entries(kind, company_id, q, _recent_parties(kind, role, recent))[:LOOKUP_LIMIT]
    if q.strip():  # words begun by what is typed before words that only contain it
        model = kind.model
        starts = db.session.scalars(
            select(model).where(model.company_id == company_id, *matching(model, q), *word_starts(model, q))
            .order_by(model.id.desc()).limit(LOOKUP_LIMIT))
        ranked += [row for row in starts if row not in ranked][:LOOKUP_LIMIT - len(ranked)]
    if len(ranked) < LOOKUP_LIMIT:
        items, _cursor = addressbook.list_entries(kind, company_id, q=q, limit=LOOKUP_LIMIT)
        ranked += [row for row in items if row not in ranked][:LOOKUP_LIMIT - len(ranked)]
    entries = [kind.to_dict(row) for row in ranked]
    if role:
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
