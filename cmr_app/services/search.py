"""Search helpers shared by the address book and documents: text is case-folded in
Python when saved, so a search matches "Łódź" for "łódź" on SQLite and PostgreSQL alike.

A search matches rows whose search text contains every word of the query. It does not
scan the company's rows: on PostgreSQL a trigram GIN index on (company_id, search_text)
answers the LIKE; on SQLite a trigram FTS5 table beside each searched table (kept by
triggers, migration 0010) finds the candidates, and the same LIKE decides, so both
databases give the same rows."""
from __future__ import annotations

import base64

from sqlalchemy import and_, literal, literal_column, or_, select, table

TRIGRAM = 3  # shorter words cannot be looked up in a trigram index (they still match)


def fold(*parts) -> str:
    return " ".join(str(p) for p in parts if p).casefold()


def document_search_text(number: str, data: dict) -> str:
    """What a document is found by: its number, the parties, the places, the vehicle and
    the goods. A withdrawn document's content is erased: only its number is left."""
    parties = (data.get(p) or {} for p in ("sender", "consignee", "carrier"))
    goods = [line for line in data.get("goods") or () if isinstance(line, dict)]
    return fold(
        number, *(party.get(k) for party in parties for k in ("name", "city", "country")),
        (data.get("carrier") or {}).get("vehicle_registration"),
        *((data.get(p) or {}).get(k) for p in ("place_of_delivery", "taking_over") for k in ("city", "country")),
        (data.get("established") or {}).get("place"),
        *(line.get(k) for line in goods for k in ("nature", "marks", "packing")))


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column, term: str):
    return column.like(f"%{_escape(term)}%", escape="\\")


def matching(model, q: str):
    """The conditions for rows of `model` (with a search_text column) matching q."""
    from ..extensions import db
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    for term in fold(q).split():
        if sqlite and len(term) >= TRIGRAM:
            # A phrase of trigrams is a substring; the LIKE below stays the judge.
            fts = model.__tablename__ + "_fts"
            phrase = '"' + term.replace('"', '""') + '"'
            yield model.id.in_(select(literal_column("rowid")).select_from(table(fts))
                               .where(literal_column(fts).op("MATCH")(literal(phrase))))
        yield _like(model.search_text, term)


def containing_any(model, phrases):
    """A condition for rows of `model` whose search text contains one of the phrases
    (folded; those shorter than a trigram are left out): found through the same indexes
    as `matching` (an FTS5 OR of phrases on SQLite, the trigram GIN on PostgreSQL)."""
    from ..extensions import db
    phrases = sorted({fold(p) for p in phrases if p} - {""})
    phrases = [p for p in phrases if len(p) >= TRIGRAM]
    if not phrases:
        return literal(False)
    found = or_(*(_like(model.search_text, p) for p in phrases))
    if db.session.get_bind().dialect.name != "sqlite":
        return found
    fts = model.__tablename__ + "_fts"
    query = " OR ".join('"' + p.replace('"', '""') + '"' for p in phrases)
    return and_(model.id.in_(select(literal_column("rowid")).select_from(table(fts))
                             .where(literal_column(fts).op("MATCH")(literal(query)))), found)


# What may come before a word in a search text: the text's start, a space (the folded
# fields are joined by spaces) or one of these.
WORD_BREAKS = " -(/\"'."


def word_starts(model, q: str):
    """Conditions for rows of `model` in which every word of q begins a word of the
    search text ("pol" begins "Trans-Pol", not "Expol"); used beside `matching`, which
    lets the indexes find the rows, to rank such rows first."""
    for term in fold(q).split():
        escaped = _escape(term)
        yield or_(model.search_text.like(f"{escaped}%", escape="\\"),
                  *(model.search_text.like(f"%{sep}{escaped}%", escape="\\") for sep in WORD_BREAKS))


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = raw.split(":", 1)
        if kind != "id" or not 1 <= int(value) <= 2**31:
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        return -1  # an invalid cursor: reported by the caller as bad input


def page(query, model, *, cursor: str | None, limit: int):
    """Keyset pagination, newest first: (items, next_cursor)."""
    from ..errors import ServiceError
    from ..extensions import db
    after = decode_cursor(cursor)
    if after == -1:
        raise ServiceError("The cursor is not valid.")
    if after is not None:
        query = query.where(model.id < after)
    items = list(db.session.scalars(query.order_by(model.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(items[limit - 1].id) if len(items) > limit else None
    return items[:limit], next_cursor
