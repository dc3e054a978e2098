"""The patterns the OpenAPI description carries agree with the checks the API makes, both
ways, on many strings built from the characters where they could part: control
characters, line breaks, the whitespace pydantic trims, bidi overrides, letters that
upper-case to ASCII (issue 14 item 7)."""
from __future__ import annotations

import random
import re
from typing import Annotated

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from cmr_app import inputs

ALPHABET = [chr(i) for i in (*range(0x00, 0x30), 0x40, 0x41, 0x42, 0x85, 0x9f, 0xa0, 0x1680, 0x2000,
                              0x2028, 0x2029, 0x202a, 0x2066, 0x3000)]


def _strings(alphabet, n=20000, longest=7, seed=14):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("max_length", [None, 1, 2, 3, 5])
@pytest.mark.parametrize("filled", [False, True])
def test_a_text_field_pattern_is_the_field_s_rule(multiline, max_length, filled):
    field = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length,
                                                         min_length=1 if filled else None)])
    pattern = re.compile(inputs.text_pattern(multiline=multiline, max_length=max_length, filled=filled))
    for value in _strings(ALPHABET):
        try:
            kept = field.validate_python(value)
            accepted = not inputs.has_forbidden(value) and inputs.text_problem(kept, multiline=multiline) is None
        except ValidationError:
            accepted = False
        assert bool(pattern.fullmatch(value)) == accepted, repr(value)


def test_the_plain_pattern_is_the_body_guard():
    pattern = re.compile(inputs.PLAIN_PATTERN)
    for value in _strings(ALPHABET):
        assert bool(pattern.fullmatch(value)) == (not inputs.has_forbidden(value)), repr(value)


def test_the_e_mail_pattern_is_the_e_mail_check():
    from cmr_app.schemas import EMAIL_PATTERN, Party
    pattern = re.compile(EMAIL_PATTERN)
    for value in _strings([" ", "@", "a", "\u2000", "\u202f", "\t", "\n", "\x01"], longest=6):
        try:
            Party(email=value)
            accepted = not inputs.has_forbidden(value)
        except ValidationError:
            accepted = False
        assert bool(pattern.fullmatch(value)) == accepted, repr(value)


def test_without_a_country_the_pattern_knows_which_tax_ids_are_kept_as_typed():
    import plans
    from cmr_app.schemas import _no_eu_prefix
    pattern = re.compile(_no_eu_prefix())
    for value in _strings(list(" \tDEdeLlGgRrXxIiUSK1\u017f\u0131\u00c4-\u00e9"), longest=4):
        raw = value.strip()
        prefix = raw[:2].upper()
        checked = raw[:2].isalpha() and plans.is_eu_country("GR" if prefix == "EL" else prefix)
        assert bool(pattern.match(value)) == (not checked), repr(value)


def test_every_member_state_has_its_vat_id_shape():
    import plans
    from cmr_app.schemas import COUNTRIES, VAT_ID_SHAPES, tax_id_rules
    assert {c for c in COUNTRIES if plans.is_eu_country(c)} == set(VAT_ID_SHAPES)
    described = {rule["properties"]["country"].get("const") for rule in tax_id_rules()}
    assert set(VAT_ID_SHAPES) <= described
