from datetime import date, datetime, timedelta, timezone

import pytest

from plans import auto_renew_cancellable, next_period, period_from, renewal_due
from plans.localtime import add_months

WARSAW = "Europe/Warsaw"
END = datetime(2027, 1, 20, 23, 0, tzinfo=timezone.utc)  # 21 Jan 2027 00:00 in Warsaw


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("before_end, due", [
    (timedelta(days=15), False),
    (timedelta(days=14, seconds=1), False),
    (timedelta(days=14), True),
    (timedelta(days=1), True),
    (timedelta(seconds=1), True),
    (timedelta(0), False),  # ended: the lapse, not a renewal offer
    (-timedelta(days=1), False),
])
def test_renewal_is_due_14_days_before_the_end(before_end, due):
    assert renewal_due(END, END - before_end) is due


@pytest.mark.parametrize("before_end, cancellable", [
    (timedelta(days=30), True),
    (timedelta(days=14), True),  # "until 14 days before the end": the moment itself still counts
    (timedelta(days=14) - timedelta(seconds=1), False),
    (timedelta(days=1), False),
    (timedelta(0), False),
])
def test_card_auto_renewal_can_be_cancelled_until_14_days_before_the_end(before_end, cancellable):
    assert auto_renew_cancellable(END, END - before_end) is cancellable


@pytest.mark.parametrize("period_end, months, new_end", [
    (END, 12, utc(2028, 1, 20, 23, 0)),
    (END, 24, utc(2029, 1, 20, 23, 0)),
    # 29 Mar 2026 00:00 is winter time; 29 Mar 2027 00:00 already summer time
    (utc(2026, 3, 28, 23, 0), 12, utc(2027, 3, 28, 22, 0)),
    # 31 Jan + 1 month clamps to the end of February
    (utc(2027, 1, 30, 23, 0), 1, utc(2027, 2, 27, 23, 0)),
    # 29 Feb 2028 + 12 months: 28 Feb 2029
    (utc(2028, 2, 28, 23, 0), 12, utc(2029, 2, 27, 23, 0)),
])
def test_the_next_period_starts_where_the_old_one_ends(period_end, months, new_end):
    assert next_period(period_end, months, WARSAW) == (period_end, new_end)


def test_a_first_period_runs_from_the_booking_to_the_same_local_time():
    booked = utc(2026, 7, 15, 10, 0)  # 12:00 summer time
    assert period_from(booked, 12, WARSAW) == (booked, utc(2027, 7, 15, 10, 0))
    assert period_from(utc(2026, 10, 15, 10, 0), 12, WARSAW)[1] == utc(2027, 10, 15, 10, 0)


@pytest.mark.parametrize("day, months, expected", [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 5, 31), 24, date(2028, 5, 31)),
])
def test_adding_calendar_months_clamps_the_day(day, months, expected):
    assert add_months(day, months) == expected
