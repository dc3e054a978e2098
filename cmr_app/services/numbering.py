"""Per-company document numbering: a pattern such as "{YYYY}/{MM}/{seq:05}" and a series
that restarts as the pattern says (monthly with {MM}, yearly with {YYYY}/{YY}, never
otherwise). The next value is taken with one atomic UPDATE ... RETURNING inside the
document's own transaction: concurrent saves queue on the row lock, and a rolled-back
save gives its number back, so the series has no gaps and no duplicates."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, select, update

from ..errors import ValidationFailed
from ..extensions import db, insert_ignoring_conflict
from ..models import NumberSeries

# "12/11/2026" reads as a date; the zero-padded number last cannot: "2026/11/00012".
DEFAULT_PATTERN = "{YYYY}/{MM}/{seq:05}"
# The default until issue 12: companies made before keep it (their stored pattern).
LEGACY_PATTERN = "{seq}/{MM}/{YYYY}"
TOKEN = re.compile(r"\{(seq(?::(\d{1,2}))?|YYYY|YY|MM|DD)\}")
# The longest number a pattern may make (documents.number holds 80; the CMR renderer
# prints 80 characters in full at 6 pt, wrapped, and is tested at that length), with a
# ten-digit sequence (a series may start at 1,000,000,000).
NUMBER_MAX = 80
LONGEST_SEQ = 10**10 - 1


def validate_pattern(pattern: str) -> str:
    pattern = (pattern or "").strip()
    leftovers = TOKEN.sub("", pattern)
    # exactly one {seq...}: a second one would print the same number twice
    if pattern.count("{seq") != 1 or len(TOKEN.findall(pattern)) != pattern.count("{") or "}" in leftovers:
        raise ValidationFailed({"numbering_pattern": [
            _("Use {seq} once, optionally {seq:4} for zero padding, with {YYYY}, {YY}, {MM}, {DD}.")]})
    if len(pattern) > 60:
        raise ValidationFailed({"numbering_pattern": [_("At most %(n)s characters.", n=60)]})
    if len(format_number(pattern, LONGEST_SEQ, datetime(2000, 12, 31))) > NUMBER_MAX:
        # "{seq:99}": a padding this wide makes numbers no form can print.
        raise ValidationFailed({"numbering_pattern": [
            _("A number made by this pattern could have more than %(n)s characters.", n=NUMBER_MAX)]})
    return pattern


def standard_pattern(stored: str | None) -> str:
    """The pattern of a company without custom numbering: the default it was made with.
    A company made before the default changed has the old one stored and keeps it;
    any other stored pattern (custom numbering since switched off) gets today's."""
    return LEGACY_PATTERN if (stored or "").strip() == LEGACY_PATTERN else DEFAULT_PATTERN


def scope_for(pattern: str, local_dt: datetime) -> str:
    if "{DD}" in pattern:
        return "D:" + local_dt.strftime("%Y-%m-%d")
    if "{MM}" in pattern:
        return "M:" + local_dt.strftime("%Y-%m")
    if "{YYYY}" in pattern or "{YY}" in pattern:
        return "Y:" + local_dt.strftime("%Y")
    return "A"


def format_number(pattern: str, seq: int, local_dt: datetime) -> str:
    def token(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("seq"):
            return str(seq).zfill(int(match.group(2) or 0))
        return {"YYYY": f"{local_dt.year:04d}", "YY": f"{local_dt.year % 100:02d}",
                "MM": f"{local_dt.month:02d}", "DD": f"{local_dt.day:02d}"}[name]
    return TOKEN.sub(token, pattern)


def _advance(table, keys: dict, start: int = 1) -> int:
    """The next value of one series row (created at 0 if missing), in the caller's
    transaction: the UPDATE's row lock queues concurrent callers until it commits."""
    start = max(int(start or 1), 1)
    # A starting number set later (custom numbering) lifts the series, never lowers it.
    new_value = case((table.last_value + 1 < start, start), else_=table.last_value + 1)
    advance = (update(table).where(*(getattr(table, k) == v for k, v in keys.items()))
               .values(last_value=new_value).returning(table.last_value)
               .execution_options(synchronize_session=False))
    value = db.session.execute(advance).scalar_one_or_none()
    if value is None:  # the series' first number: its row is made, then advanced as usual
        db.session.execute(insert_ignoring_conflict(table, **keys, last_value=0))
        value = db.session.execute(advance).scalar_one()
    return value


def next_number(company_id: int, pattern: str, start: int, local_dt: datetime) -> str:
    """Takes the company's next document number; the caller's transaction must commit it."""
    seq = _advance(NumberSeries, {"company_id": company_id, "scope": scope_for(pattern, local_dt)}, start)
    return format_number(pattern, seq, local_dt)


def next_operator_number(kind: str, pattern: str, local_dt: datetime) -> str:
    """The operator's own series (FV/{seq}/{MM}/{YYYY} invoices, PF/… pro-formas)."""
    from ..models import OperatorSeries
    seq = _advance(OperatorSeries, {"kind": kind, "scope": scope_for(pattern, local_dt)})
    return format_number(pattern, seq, local_dt)


def preview(company_id: int, pattern: str, start: int, local_dt: datetime) -> str:
    last = db.session.scalar(select(NumberSeries.last_value).where(
        NumberSeries.company_id == company_id, NumberSeries.scope == scope_for(pattern, local_dt))) or 0
    return format_number(pattern, max(last + 1, int(start or 1)), local_dt)
