"""Tax ids for the address book and invoices: the checksum rules live in
plans.validate_tax_id (python-stdnum); this adds the messages users read."""
from __future__ import annotations

import plans
from flask_babel import gettext as _


def _messages(country: str) -> dict:
    nip = country == "PL"
    return {
        "invalid_checksum": _("This NIP is not valid (check digit).") if nip else _("This EU VAT id is not valid."),
        "invalid_length": _("This NIP must have 10 digits.") if nip else _("This EU VAT id has the wrong length."),
        "invalid_format": _("This NIP is not valid.") if nip else _("This EU VAT id is not valid."),
        "wrong_country": _("This VAT id belongs to another country than the address."),
        "required": _("Enter the tax id."),
    }


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
    return normalized, (_messages(country)[problem] if problem else None)
