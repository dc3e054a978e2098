"""Search helpers shared by the address book and documents: text is case-folded in
Python when saved, so a search matches "Łódź" for "łódź" on SQLite and PostgreSQL alike."""
from __future__ import annotations

import base64


def fold(*parts) -> str:
    return " ".join(str(p) for p in parts if p).casefold()


def like_terms(column, q: str):
    """One LIKE per word of the query, special characters escaped."""
    for term in fold(q).split():
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        yield column.like(f"%{escaped}%", escape="\\")


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
