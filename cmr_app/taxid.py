"""Tax ids for the address book and invoices: the checksum rules live in
plans.validate_tax_id (python-stdnum); this adds the messages users read, each naming
the format the country's ids are written in."""
from __future__ import annotations

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

import plans

# How each EU state writes its VAT id (the prefix, then the digits or a shape of its
# own, by name in SHAPES). Data, so a state's rule is one line.
FORMATS: dict[str, tuple[str, tuple[int, ...] | str]] = {
    "AT": ("ATU", (8,)), "BE": ("BE", (10,)), "BG": ("BG", (9, 10)), "CY": ("CY", "cy"),
    "CZ": ("CZ", (8, 9, 10)), "DE": ("DE", (9,)), "DK": ("DK", (8,)), "EE": ("EE", (9,)),
    "ES": ("ES", "es"), "FI": ("FI", (8,)), "FR": ("FR", "fr"), "GR": ("EL", (9,)),
    "HR": ("HR", (11,)), "HU": ("HU", (8,)), "IE": ("IE", "ie"), "IT": ("IT", (11,)),
    "LT": ("LT", (9, 12)), "LU": ("LU", (8,)), "LV": ("LV", (11,)), "MT": ("MT", (8,)),
    "NL": ("NL", "nl"), "PL": ("PL", (10,)), "PT": ("PT", (9,)), "RO": ("RO", "ro"),
    "SE": ("SE", (12,)), "SI": ("SI", (8,)), "SK": ("SK", (10,)), "XI": ("XI", (9, 12)),
}


def _locale() -> str:
    return str(get_locale() or "en")


def _shape(prefix: str, shape) -> str:
    if shape == "cy":
        return _("%(prefix)s followed by 8 digits and a letter", prefix=prefix)
    if shape == "es":
        return _("%(prefix)s followed by 9 characters: a letter or digit, 7 digits, a letter or digit",
                 prefix=prefix)
    if shape == "fr":
        return _("%(prefix)s followed by 2 letters or digits and 9 digits", prefix=prefix)
    if shape == "ie":
        return _("%(prefix)s followed by 7 digits and one or two letters", prefix=prefix)
    if shape == "nl":
        return _("%(prefix)s followed by 9 digits, the letter B and 2 digits", prefix=prefix)
    if shape == "ro":
        return _("%(prefix)s followed by 2 to 10 digits", prefix=prefix)
    counts = format_list([str(n) for n in shape], style="or", locale=_locale())
    return _("%(prefix)s followed by %(counts)s digits", prefix=prefix, counts=counts)


def _country_name(country: str) -> str:
    return Locale.parse(_locale()).territories.get(country, country)


def format_sentence(country: str, *, name_country: bool = True) -> str:
    """"A VAT id of Germany is DE followed by 9 digits." ("" outside the EU)."""
    if country == "PL":
        return _("A Polish NIP has 10 digits, with or without the PL prefix and dashes.")
    if country not in FORMATS:
        return ""
    shape = _shape(*FORMATS[country])
    if not name_country:
        return _("The format is %(format)s.", format=shape)
    return _("A VAT id of %(country)s is %(format)s.", country=_country_name(country), format=shape)


def _message(country: str, problem: str) -> str:
    if problem == "required":
        return _("Enter the tax id.")
    if problem == "wrong_country":
        first, second = _("This VAT id belongs to another country than the address."), format_sentence(country)
    elif country == "PL":
        first = {"invalid_checksum": _("This NIP is not valid (check digit)."),
                 "invalid_length": _("This NIP must have 10 digits.")}.get(problem, _("This NIP is not valid."))
        second = "" if problem == "invalid_length" else format_sentence(country)
    else:
        name = _country_name(country)
        first = {"invalid_checksum": _("This VAT id is not valid for %(country)s (check digit).", country=name),
                 "invalid_length": _("This VAT id has the wrong length for %(country)s.", country=name),
                 }.get(problem, _("This VAT id is not valid for %(country)s.", country=name))
        second = format_sentence(country, name_country=False)
    return f"{first} {second}".strip()


def check_tax_id(country: str, value: str) -> tuple[str, str | None]:
    """(normalized value, message or None). Without a country, a "PL…" or other EU
    prefix says which rule applies; ids of non-EU countries are kept as typed."""
    country = (country or "").upper()
    raw = (value or "").strip()
    if not country and raw[:2].isalpha() and plans.is_eu_country(raw[:2].upper() if raw[:2].upper() != "EL" else "GR"):
        country = raw[:2].upper() if raw[:2].upper() != "EL" else "GR"
    if not country:
        return raw, None
    normalized, problem = plans.validate_tax_id(country, raw)
    return normalized, (_message(country, problem) if problem else None)
