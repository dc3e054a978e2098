"""Box 20's arithmetic, per currency and per payer column (sender, consignee), as the
IRU form's rows read: balance = carriage charges − deductions; total = balance +
supplementary charges + other charges + miscellaneous + any free-text row.

Used twice: by the renderer to print a balance or total left blank, and by the
application's validation, so that a total that does not add up is refused, never
printed."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .locales import charge_row_aliases

COLUMNS = ("sender", "consignee")
ADDED = ("supplementary_charges", "other_charges", "miscellaneous")
CENT = Decimal("0.01")


def amount(value) -> Decimal | None:
    """A column's amount, or None when the cell is blank (or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def row_key(charge: dict) -> str | None:
    """The printed row a charge belongs to ("total", "deductions" …), None for a
    free-text row. Labels are recognised in every label language."""
    return charge_row_aliases().get(str(charge.get("label") or "").strip().casefold())


def _currencies(charges: list[dict]) -> dict[int, str]:
    """Each row's currency; a row without one belongs to the document's only currency
    when there is exactly one (a blank total beside EUR rows is the EUR total)."""
    named = {str(ch.get("currency") or "").strip().upper() for ch in charges} - {""}
    only = next(iter(named)) if len(named) == 1 else ""
    return {i: (str(ch.get("currency") or "").strip().upper() or only) for i, ch in enumerate(charges)}


@dataclass(frozen=True)
class Sums:
    balance: Decimal
    total: Decimal
    has_deductions: bool
    has_carriage: bool       # carriage charges or deductions in this column: a balance means something


def sums(charges: list[dict]) -> dict[tuple[str, str], Sums]:
    """(currency, column) → what the balance and the total must be, for every column
    of every currency that holds an amount outside the balance and total rows."""
    cur = _currencies(charges)
    acc: dict[tuple[str, str], list] = {}
    for i, ch in enumerate(charges):
        key = row_key(ch)
        if key in ("balance", "total"):
            continue
        for col in COLUMNS:
            value = amount(ch.get(col))
            if value is None:
                continue
            a = acc.setdefault((cur[i], col), [Decimal(0), Decimal(0), False, False])
            if key == "carriage_charges":
                a[0] += value
                a[3] = True
            elif key == "deductions":
                a[0] -= value
                a[2] = a[3] = True
            else:                                  # added rows and free-text rows
                a[1] += value
    return {k: Sums(balance=a[0], total=a[0] + a[1], has_deductions=a[2], has_carriage=a[3])
            for k, a in acc.items()}


@dataclass(frozen=True)
class Mismatch:
    index: int          # the charge's position in the list
    column: str         # "sender" or "consignee"
    expected: Decimal
    given: Decimal


def mismatches(charges: list[dict]) -> list[Mismatch]:
    """Every balance or total cell that is filled in and does not match its rows."""
    charges = [ch if isinstance(ch, dict) else {} for ch in charges]
    expected = sums(charges)
    cur = _currencies(charges)
    out = []
    for i, ch in enumerate(charges):
        key = row_key(ch)
        if key not in ("balance", "total"):
            continue
        for col in COLUMNS:
            given = amount(ch.get(col))
            if given is None:
                continue
            s = expected.get((cur[i], col))
            want = Decimal(0) if s is None else (s.balance if key == "balance" else s.total)
            if given != want:
                out.append(Mismatch(i, col, want, given))
    return out


def _fmt(value: Decimal) -> str:
    return str(value.quantize(CENT))


def completed(charges: list[dict]) -> list[dict]:
    """The charges with every blank total (and, where deductions are made, every blank
    balance) filled in from its rows, per currency; a currency without a total row
    gets one. Given values are kept as given."""
    charges = [ch for ch in charges if isinstance(ch, dict)]
    expected = sums(charges)
    if not expected:
        return charges
    cur = _currencies(charges)
    out = [dict(ch) for ch in charges]
    for key in ("balance", "total"):
        for currency in dict.fromkeys(c for c, _ in expected):
            cols = {col: expected[(currency, col)] for col in COLUMNS if (currency, col) in expected}
            if key == "balance" and not any(s.has_deductions for s in cols.values()):
                continue
            rows = [out[i] for i, ch in enumerate(charges) if cur[i] == currency and row_key(ch) == key]
            if not rows:
                rows = [{"label": key, "sender": "", "currency": currency, "consignee": ""}]
                out.append(rows[0])
            row = rows[0]
            for col, s in cols.items():
                if key == "balance" and not s.has_carriage:
                    continue
                if amount(row.get(col)) is None:
                    row[col] = _fmt(s.balance if key == "balance" else s.total)
    return out


def payer_conflict(payment_instructions: str, charges: list[dict]) -> str | None:
    """"carriage_forward" when box 14 says the consignee pays but box 20 puts every
    amount on the sender ("carriage_paid" for the reverse); None when they agree."""
    charges = [ch for ch in charges if isinstance(ch, dict)]
    paid_by = {col for ch in charges for col in COLUMNS if amount(ch.get(col))}
    if payment_instructions == "carriage_forward" and paid_by == {"sender"}:
        return "carriage_forward"
    if payment_instructions == "carriage_paid" and paid_by == {"consignee"}:
        return "carriage_paid"
    return None
