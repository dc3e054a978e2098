"""Money amounts in Polish words and figures, as printed on invoices.

    >>> amount_in_words_pl("922.13")
    'dziewięćset dwadzieścia dwa złote 13/100'

The złoty follows Polish numeral grammar: 1 złoty; 2–4 złote (also 22–24, 102–104 …);
5 and up złotych, including 12–14 (and 112–114 …), and every number ending in 0, 1
(except 1 itself) or 5–9. Grosze are written as the common "13/100".
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

GROSZ = Decimal("0.01")

# (singular, paucal 2–4, genitive plural 5+) per currency; others print their code.
_UNITS = {
    "PLN": ("złoty", "złote", "złotych"),
    "EUR": ("euro", "euro", "euro"),
}


def to_decimal(amount: Decimal | str | int) -> Decimal:
    """A decimal string (or Decimal/int) rounded half-up to the grosz; ValueError if not a number."""
    if isinstance(amount, float):
        raise TypeError("money must be a Decimal or a decimal string, not float")
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value.quantize(GROSZ, rounding=ROUND_HALF_UP)


def plural_form(n: int) -> int:
    """0 = singular (1), 1 = paucal (2–4, 22–24 … not 12–14), 2 = genitive plural."""
    n = abs(n)
    if n == 1:
        return 0
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return 1
    return 2


def amount_in_words_pl(amount: Decimal | str, currency: str = "PLN") -> str:
    """"dziewięćset dwadzieścia dwa złote 13/100" for 922.13 (PLN)."""
    value = to_decimal(amount)
    negative = value < 0
    value = abs(value)
    whole = int(value)
    grosze = int((value - whole) * 100)
    words = num2words(whole, lang="pl")
    forms = _UNITS.get(currency.upper())
    unit = forms[plural_form(whole)] if forms else currency.upper()
    text = f"{words} {unit} {grosze:02d}/100"
    return f"minus {text}" if negative else text


def format_amount(amount: Decimal | str) -> str:
    """Polish figures: "1 463,70" (space between thousands, decimal comma)."""
    value = to_decimal(amount)
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{frac}"
