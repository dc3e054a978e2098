"""The numbering pattern rules one by one (cmr_app/services/numbering.py, the pure part):
which patterns are accepted, how a number is written, and how often a series restarts.
The database side (gapless numbers under parallel saves) is in tests/api/test_concurrency.py."""
from __future__ import annotations

from datetime import datetime

import pytest

from cmr_app.errors import ValidationFailed
from cmr_app.services.numbering import (DEFAULT_PATTERN, LEGACY_PATTERN, format_number, scope_for,
                                        standard_pattern, validate_pattern)

MOMENT = datetime(2026, 3, 7, 23, 59)


@pytest.mark.parametrize("pattern, stored", [
    ("{seq}", "{seq}"),
    ("  CMR-{seq:4}/{YYYY}  ", "CMR-{seq:4}/{YYYY}"),
    ("{YY}{MM}{DD}-{seq:12}", "{YY}{MM}{DD}-{seq:12}"),
    ("A" * 55 + "{seq}", "A" * 55 + "{seq}"),        # 60 characters: the longest allowed
    ("  " + "A" * 55 + "{seq}  ", "A" * 55 + "{seq}"),  # measured after trimming
])
def test_a_valid_pattern_is_stored_trimmed(pattern, stored):
    assert validate_pattern(pattern) == stored


@pytest.mark.parametrize("pattern", [
    "", None, "   ", "CMR/{MM}",          # no sequence
    "{seq}/{seq}",                        # two sequences would print one number twice
    "{seq:4}-{seq}",
    "{seq:123}", "{seq:}", "{SEQ}",       # padding of 1-2 digits only; tokens are case-sensitive
    "{seq}/{month}", "{seq}/{MM", "{seq}}", "{seq}/MM}", "{{seq}",
])
def test_a_malformed_pattern_is_refused_with_the_rule(app, pattern):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        validate_pattern(pattern)
    assert refused.value.errors["numbering_pattern"] == [
        "Use {seq} once, optionally {seq:4} for zero padding, with {YYYY}, {YY}, {MM}, {DD}."]


def test_a_pattern_longer_than_sixty_characters_is_refused(app):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        validate_pattern("A" * 56 + "{seq}")
    assert refused.value.errors["numbering_pattern"] == ["At most 60 characters."]


@pytest.mark.parametrize("pattern, seq, number", [
    ("{seq}", 7, "7"),
    ("{seq:5}", 7, "00007"),
    ("{seq:2}", 12345, "12345"),          # padding never cuts
    ("{YYYY}/{MM}/{seq:05}", 12, "2026/03/00012"),
    ("{seq}/{DD}.{MM}.{YY}", 3, "3/07.03.26"),
    ("CMR {seq:1} x", 0, "CMR 0 x"),
])
def test_a_number_is_written_as_its_pattern_says(pattern, seq, number):
    assert format_number(pattern, seq, MOMENT) == number


def test_a_year_before_1000_and_a_two_digit_year_are_zero_padded():
    assert format_number("{YYYY}-{YY}-{MM}-{DD}", 1, datetime(905, 1, 2)) == "0905-05-01-02"


@pytest.mark.parametrize("pattern, scope", [
    ("{seq}", "A"),
    ("{YYYY}/{seq}", "Y:2026"),
    ("{YY}/{seq}", "Y:2026"),
    ("{MM}/{seq}", "M:2026-03"),
    ("{YYYY}/{MM}/{seq}", "M:2026-03"),
    ("{DD}/{seq}", "D:2026-03-07"),
    ("{YY}{MM}{DD}/{seq}", "D:2026-03-07"),
])
def test_the_series_restarts_as_often_as_the_finest_date_token(pattern, scope):
    assert scope_for(pattern, MOMENT) == scope


def test_a_company_keeps_the_default_it_was_made_with():
    assert standard_pattern(LEGACY_PATTERN) == LEGACY_PATTERN
    assert standard_pattern("  " + LEGACY_PATTERN + " ") == LEGACY_PATTERN
    assert standard_pattern(None) == DEFAULT_PATTERN
    assert standard_pattern("CMR-{seq}") == DEFAULT_PATTERN
    # the default cannot be read as a date: the number comes last, zero-padded
    assert format_number(DEFAULT_PATTERN, 12, datetime(2026, 11, 5)) == "2026/11/00012"
