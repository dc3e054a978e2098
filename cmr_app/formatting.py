"""Money and dates on the web pages in the reader's language (Babel, CLDR): one `money`
filter and function for every template, so one page never shows 1190.00 beside 1,190.00."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from flask_babel import format_decimal, get_locale

CURRENCY = "PLN"
# CLDR's minimumGroupingDigits, which Babel does not apply: Polish writes 1084,86 but
# 12 345,00 (a lone thousands digit is not set apart).
MIN_GROUPING_DIGITS = {"pl": 2}
# CLDR's currencySpacing, which Babel does not apply either: a letter code next to a
# digit gets a no-break space ("PLN 1,084.86", not "PLN1,084.86").
_CODE_BEFORE = re.compile(r"^(-?)([^\d\s\u00a0-]*[^\W\d_])(\d)")
_CODE_AFTER = re.compile(r"(\d)([^\W\d_][^\d\s\u00a0]*)$")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value, currency: str = CURRENCY, locale=None) -> str:
    """`1084.86` as "PLN 1,084.86" (en), "1084,86 zł" (pl), "1.084,86 PLN" (de). A value
    that is not a number is shown as it is rather than failing the page."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    locale = str(locale or get_locale() or "en")
    language = locale.split("_")[0]
    grouped = abs(amount) >= 10 ** (3 + MIN_GROUPING_DIGITS.get(language, 1) - 1)
    text = format_currency(amount, currency, locale=locale, group_separator=grouped)
    text = _CODE_BEFORE.sub("\\1\\2\u00a0\\3", text)
    return _CODE_AFTER.sub("\\1\u00a0\\2", text)


def init_app(app) -> None:
    app.add_template_filter(money, "money")
    app.add_template_global(money, "money")
    # Counts (2,000 documents; 2 000 in Polish) as the reader's locale writes them.
    app.add_template_global(format_decimal, "format_decimal")
