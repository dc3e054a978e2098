from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from plans import period_resets_at, period_starts_at, quota_period, usage

WARSAW = "Europe/Warsaw"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("saved_at, expected", [
    # winter, UTC+1: local midnight is 23:00 UTC
    (utc(2026, 11, 30, 22, 59), "2026-11"),
    (utc(2026, 11, 30, 23, 0), "2026-12"),
    (utc(2026, 11, 30, 23, 30), "2026-12"),
    (utc(2026, 12, 31, 22, 59, 59), "2026-12"),
    (utc(2026, 12, 31, 23, 0), "2027-01"),
    # summer, UTC+2: local midnight is 22:00 UTC
    (utc(2026, 8, 31, 21, 59, 59), "2026-08"),
    (utc(2026, 8, 31, 22, 0), "2026-09"),
    (utc(2026, 8, 31, 22, 59), "2026-09"),
    (utc(2026, 8, 31, 23, 0), "2026-09"),
    (utc(2026, 8, 31, 23, 30), "2026-09"),
    # the month DST starts / ends in
    (utc(2026, 3, 31, 21, 59), "2026-03"),
    (utc(2026, 3, 31, 22, 0), "2026-04"),
    (utc(2026, 10, 31, 22, 59), "2026-10"),
    (utc(2026, 10, 31, 23, 0), "2026-11"),
])
def test_a_document_counts_in_the_calendar_month_of_warsaw(saved_at, expected):
    assert quota_period(saved_at, WARSAW) == expected


@pytest.mark.parametrize("tz, expected", [("UTC", "2026-11"), ("Europe/Warsaw", "2026-12"),
                                          ("America/New_York", "2026-11"), (ZoneInfo("Asia/Tokyo"), "2026-12")])
def test_the_month_follows_the_company_time_zone(tz, expected):
    assert quota_period(utc(2026, 11, 30, 23, 30), tz) == expected


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        quota_period(datetime(2026, 11, 30, 23, 30), WARSAW)


@pytest.mark.parametrize("period, resets_at", [
    ("2026-11", utc(2026, 11, 30, 23, 0)),
    ("2026-12", utc(2026, 12, 31, 23, 0)),
    ("2026-08", utc(2026, 8, 31, 22, 0)),
    ("2026-03", utc(2026, 3, 31, 22, 0)),  # April starts in summer time
    ("2026-10", utc(2026, 10, 31, 23, 0)),  # November starts in winter time
])
def test_the_next_month_starts_at_local_midnight(period, resets_at):
    assert period_resets_at(period, WARSAW) == resets_at
    assert quota_period(resets_at, WARSAW) != period
    assert period_starts_at(quota_period(resets_at, WARSAW), WARSAW) == resets_at


@pytest.mark.parametrize("period", ["2026-13", "2026", "abc", ""])
def test_a_malformed_period_is_refused(period):
    with pytest.raises(ValueError):
        period_resets_at(period, WARSAW)


@pytest.mark.parametrize("used, limit, remaining", [
    (0, 10, 10),
    (9, 10, 1),
    (10, 10, 0),
    (8, 10, 2),  # Standard with 8 used moves to Free: 2 left
    (12, 10, 0),  # Standard with 12 used moves to Free: none left, never negative
    (12, 150, 138),  # and back up to Standard: the count was kept
])
def test_remaining_places_follow_the_plan_in_force(used, limit, remaining):
    result = usage(used, limit, "2026-12")
    assert (result.period, result.used, result.limit, result.remaining) == ("2026-12", used, limit, remaining)
    assert result.exhausted == (remaining == 0)
