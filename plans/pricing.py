"""Order amounts, promo codes, VAT and tax ids (§5.2–5.6).

net = price per year × years − period discount − promo discount, the promo taken
from the amount after the period discount; VAT on the net total. Every amount is
a Decimal rounded half-up to the grosz.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.pl import nip

from .catalogue import Plan, load_catalogue

GROSZ = Decimal("0.01")
ZERO = Decimal("0.00")
POLISH_VAT = Decimal("0.23")
REVERSE_CHARGE_NOTE = "odwrotne obciążenie / reverse charge"

PERCENT = "percent"
AMOUNT = "amount"

# promo_problem results
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
EXHAUSTED = "exhausted"


def to_grosz(amount: Decimal) -> Decimal:
    return amount.quantize(GROSZ, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Promo:
    code: str
    kind: str  # PERCENT ("15" = 15 %) or AMOUNT (net PLN off)
    value: Decimal
    valid_from: date | None = None  # first valid day, inclusive
    valid_to: date | None = None  # last valid day, inclusive
    max_uses: int | None = None  # None = unlimited
    used: int = 0

    def __post_init__(self) -> None:
        if self.kind not in (PERCENT, AMOUNT):
            raise ValueError(f"promo kind must be {PERCENT!r} or {AMOUNT!r}, got {self.kind!r}")
        if self.value < 0 or (self.kind == PERCENT and self.value > 100):
            raise ValueError(f"promo value out of range: {self.value}")


def promo_problem(promo: Promo, today: date) -> str | None:
    """Why the code cannot be used today (`today` is the local date), or None."""
    if promo.valid_from is not None and today < promo.valid_from:
        return NOT_YET_VALID
    if promo.valid_to is not None and today > promo.valid_to:
        return EXPIRED
    if promo.max_uses is not None and promo.used >= promo.max_uses:
        return EXHAUSTED
    return None


@dataclass(frozen=True)
class Quote:
    plan_code: str
    period_months: int
    list_price: Decimal  # price per year × years
    period_discount: Decimal
    promo_code: str | None  # the code applied; None if none given or unusable
    promo_problem: str | None  # why the given code was not applied
    promo_discount: Decimal
    net: Decimal
    vat_rate: Decimal  # 0.23 or 0
    vat: Decimal
    gross: Decimal
    reverse_charge: bool

    @property
    def vat_note(self) -> str | None:
        return REVERSE_CHARGE_NOTE if self.reverse_charge else None


def quote(
    plan: Plan,
    period_months: int,
    promo: Promo | None = None,
    *,
    reverse_charge: bool,
    today: date,
    period_discounts: Mapping[int, Decimal] | None = None,
) -> Quote:
    """The order amount. An unusable promo is not applied and its problem is reported
    in `Quote.promo_problem`: the order form shows it, and the app must not place the
    order with it (nor count a use).

    `period_discounts` (months -> rate) defaults to the shipped catalogue's.
    """
    discounts = load_catalogue().billing_periods if period_discounts is None else period_discounts
    if period_months not in discounts or period_months % 12:
        raise ValueError(f"billing period must be one of {sorted(discounts)} months, got {period_months}")

    list_price = to_grosz(plan.price_per_year * (period_months // 12))
    period_discount = to_grosz(list_price * discounts[period_months])
    after_period = list_price - period_discount

    problem = promo_problem(promo, today) if promo is not None else None
    applied = promo if promo is not None and problem is None else None
    promo_discount = _promo_discount(applied, after_period) if applied else ZERO

    net = after_period - promo_discount
    vat_rate = Decimal("0") if reverse_charge else POLISH_VAT
    vat = to_grosz(net * vat_rate)
    return Quote(
        plan_code=plan.code,
        period_months=period_months,
        list_price=list_price,
        period_discount=period_discount,
        promo_code=applied.code if applied else None,
        promo_problem=problem,
        promo_discount=promo_discount,
        net=net,
        vat_rate=vat_rate,
        vat=vat,
        gross=net + vat,
        reverse_charge=reverse_charge,
    )


def _promo_discount(promo: Promo, amount: Decimal) -> Decimal:
    off = amount * promo.value / 100 if promo.kind == PERCENT else promo.value
    # Never below zero to pay; what is left of a fixed discount does not carry over (§5.6).
    return min(to_grosz(off), amount)


# --- VAT -------------------------------------------------------------------------

@dataclass(frozen=True)
class VatTreatment:
    rate: Decimal
    reverse_charge: bool
    note: str | None  # printed on the pro-forma and invoice


def vat_treatment(country: str, vat_id_valid_eu_non_pl: bool) -> VatTreatment:
    """23 % for Polish buyers and anyone without a valid EU VAT id; reverse charge for a
    company with a valid VAT id of another EU member state."""
    if country.upper() != "PL" and vat_id_valid_eu_non_pl:
        return VatTreatment(Decimal("0"), True, REVERSE_CHARGE_NOTE)
    return VatTreatment(POLISH_VAT, False, None)


def reverse_charge_applies(country: str, tax_id: str | None) -> bool:
    """True for a buyer in another EU state whose VAT id passes the checksum.

    Checksum only: a VIES lookup (is the id registered?) is outside this package.
    """
    country = country.upper()
    if country == "PL" or not tax_id or not is_eu_country(country):
        return False
    _, error = validate_tax_id(country, tax_id)
    return error is None


# --- tax ids ---------------------------------------------------------------------

# Error keys: stable, for the app to translate.
TAX_ID_REQUIRED = "required"
TAX_ID_INVALID_FORMAT = "invalid_format"
TAX_ID_INVALID_LENGTH = "invalid_length"
TAX_ID_INVALID_CHECKSUM = "invalid_checksum"
TAX_ID_WRONG_COUNTRY = "wrong_country"

# ISO 3166 code -> VAT id prefix where they differ (Greece uses EL).
_VAT_PREFIX = {"GR": "EL"}


def is_eu_country(country: str) -> bool:
    return country.lower() in eu_vat.MEMBER_STATES


def validate_tax_id(country: str, value: str) -> tuple[str, str | None]:
    """(normalized, error key or None).

    PL: a NIP, with or without the "PL" prefix, normalized to its 10 digits.
    Other EU states: a VAT id, with or without its country prefix, normalized to
    the prefixed compact form ("DE136695976"). Outside the EU there is no checksum
    for us to check: the value is only trimmed.
    """
    country = country.upper()
    raw = (value or "").strip()
    if not raw:
        return "", TAX_ID_REQUIRED
    if country == "PL":
        return _checked(nip, raw)
    if not is_eu_country(country):
        return raw, None
    prefix = _VAT_PREFIX.get(country, country)
    prefixed = raw if raw[:2].isalpha() else prefix + raw
    if prefixed[:2].upper() not in (prefix, country):
        return raw, TAX_ID_WRONG_COUNTRY
    return _checked(eu_vat, prefixed)


def _checked(module, raw: str) -> tuple[str, str | None]:
    try:
        return module.validate(raw), None
    except stdnum_errors.InvalidChecksum:
        return module.compact(raw), TAX_ID_INVALID_CHECKSUM
    except stdnum_errors.InvalidLength:
        return module.compact(raw), TAX_ID_INVALID_LENGTH
    except stdnum_errors.ValidationError:
        return raw, TAX_ID_INVALID_FORMAT
