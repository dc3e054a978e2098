import pytest

from plans import reverse_charge_applies, validate_tax_id


@pytest.mark.parametrize("country, value, normalized, error", [
    # NIP (the operator's own, from its terms, is a valid one)
    ("PL", "7010847517", "7010847517", None),
    ("PL", "PL7010847517", "7010847517", None),
    ("PL", "701-084-75-17", "7010847517", None),
    ("pl", " PL 701 084 75 17 ", "7010847517", None),
    ("PL", "7010847518", "7010847518", "invalid_checksum"),
    ("PL", "701084751", "701084751", "invalid_length"),
    ("PL", "70108475AB", "70108475AB", "invalid_format"),
    ("PL", "", "", "required"),
    ("PL", "   ", "", "required"),
    # EU VAT ids, with or without the country prefix
    ("DE", "DE136695976", "DE136695976", None),
    ("DE", "136695976", "DE136695976", None),
    ("DE", "de 136-695-976", "DE136695976", None),
    ("DE", "DE136695977", "DE136695977", "invalid_checksum"),
    ("DE", "DE13669597", "DE13669597", "invalid_length"),
    ("DE", "FR40303265045", "FR40303265045", "wrong_country"),
    ("FR", "FR40303265045", "FR40303265045", None),
    ("AT", "U13585627", "ATU13585627", None),
    ("NL", "NL004495445B01", "NL004495445B01", None),
    ("GR", "094259216", "EL094259216", None),  # Greece's VAT prefix is EL
    ("GR", "EL094259216", "EL094259216", None),
    # outside the EU: nothing to check the checksum against
    ("UA", " 12345678 ", "12345678", None),
    ("CH", "CHE-123.456.789", "CHE-123.456.789", None),
])
def test_tax_ids_are_validated_by_checksum(country, value, normalized, error):
    assert validate_tax_id(country, value) == (normalized, error)


@pytest.mark.parametrize("country, tax_id, applies", [
    ("DE", "DE136695976", True),
    ("DE", "136695976", True),
    ("DE", "DE136695977", False),  # bad checksum: 23 %
    ("DE", None, False),
    ("DE", "", False),
    ("DE", "FR40303265045", False),
    ("PL", "PL7010847517", False),  # Polish buyers never
    ("CH", "CHE-123.456.789", False),  # not in the EU
    ("GB", "GB980780684", False),
])
def test_reverse_charge_needs_a_valid_vat_id_of_another_eu_state(country, tax_id, applies):
    assert reverse_charge_applies(country, tax_id) is applies
