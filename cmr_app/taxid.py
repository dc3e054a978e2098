"""Tax ids checked by checksum with python-stdnum: Polish NIP, EU VAT ids."""
from __future__ import annotations

from flask_babel import gettext as _
from stdnum import pl
from stdnum.eu import vat
from stdnum.exceptions import ValidationError

EU = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
      "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"}


def check_tax_id(country: str, value: str) -> tuple[str, str | None]:
    """(normalized value, problem or None). Polish NIP with or without the PL prefix;
    EU VAT ids by their own checksum; other countries' ids are kept as typed."""
    raw = value.strip()
    compact = raw.replace(" ", "").replace("-", "").upper()
    prefix = compact[:2] if compact[:2].isalpha() else ""
    if (country == "PL" and prefix in ("", "PL")) or (not country and prefix == "PL"):
        try:
            return pl.nip.validate(compact[2:] if prefix else compact), None
        except ValidationError:
            return raw, _("This NIP is not valid (check digit).")
    if prefix in EU or prefix == "EL" or (country in EU and not prefix):
        candidate = compact if prefix else ("EL" if country == "GR" else country) + compact
        try:
            return vat.validate(candidate), None
        except ValidationError:
            return raw, _("This EU VAT id is not valid.")
    return raw, None
