from datetime import datetime, timedelta, timezone

import pytest

from plans import trial_active, trial_days_left, trial_reminder_due, trial_window

WARSAW = "Europe/Warsaw"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("registered_at, ends_at", [
    (utc(2026, 11, 20, 23, 1), utc(2026, 12, 20, 23, 0)),  # 21 Nov 00:01 local
    (utc(2026, 11, 21, 22, 59), utc(2026, 12, 20, 23, 0)),  # 21 Nov 23:59 local
    (utc(2026, 11, 21, 9, 0), utc(2026, 12, 20, 23, 0)),  # 21 Nov 10:00 local
    (utc(2026, 11, 21, 23, 0), utc(2026, 12, 21, 23, 0)),  # 22 Nov 00:00 local: a day later
    # spring DST inside the trial: starts at UTC+1, ends at UTC+2
    (utc(2026, 3, 10, 12, 0), utc(2026, 4, 8, 22, 0)),  # -> 9 Apr 00:00 local
    (utc(2026, 3, 28, 23, 30), utc(2026, 4, 27, 22, 0)),  # 29 Mar 00:30 local, the DST day
    # autumn DST inside the trial: starts at UTC+2, ends at UTC+1
    (utc(2026, 10, 10, 10, 0), utc(2026, 11, 8, 23, 0)),  # -> 9 Nov 00:00 local
])
def test_the_trial_ends_at_local_midnight_30_days_after_the_registration_day(registered_at, ends_at):
    assert trial_window(registered_at, WARSAW) == (registered_at, ends_at)


REGISTERED = utc(2026, 11, 21, 9, 0)  # 21 Nov 10:00 in Warsaw; trial ends 21 Dec 00:00 local


@pytest.mark.parametrize("now, active", [
    (REGISTERED - timedelta(seconds=1), False),
    (REGISTERED, True),
    (utc(2026, 12, 20, 22, 59, 59), True),  # the 30th day (20 Dec), 23:59:59 local
    (utc(2026, 12, 20, 23, 0), False),  # 21 Dec 00:00 local
    (utc(2027, 1, 5), False),
])
def test_trial_is_active_through_the_30th_day(now, active):
    assert trial_active(REGISTERED, now, WARSAW) is active


@pytest.mark.parametrize("now, days_left, reminder", [
    (REGISTERED, 30, False),
    (utc(2026, 12, 17, 22, 59, 59), 4, False),  # 17 Dec 23:59:59 local
    (utc(2026, 12, 17, 23, 0), 3, True),  # 18 Dec 00:00 local: exactly 3 days before the end
    (utc(2026, 12, 19, 12, 0), 2, True),
    (utc(2026, 12, 20, 22, 59, 59), 1, True),  # the last moment of the trial
    (utc(2026, 12, 20, 23, 0), 0, False),  # over: the end-of-trial notice takes over
    (utc(2027, 2, 1), 0, False),
])
def test_days_left_and_the_reminder_three_days_before_the_end(now, days_left, reminder):
    assert trial_days_left(REGISTERED, now, WARSAW) == days_left
    assert trial_reminder_due(REGISTERED, now, WARSAW) is reminder


def test_reminder_window_across_the_autumn_clock_change():
    registered = utc(2026, 9, 26, 8, 0)  # 26 Sep local, summer time; ends 26 Oct 00:00 local (winter)
    _, ends_at = trial_window(registered, WARSAW)
    assert ends_at == utc(2026, 10, 25, 23, 0)
    assert not trial_reminder_due(registered, utc(2026, 10, 22, 21, 59), WARSAW)  # 22 Oct 23:59 CEST
    assert trial_reminder_due(registered, utc(2026, 10, 22, 22, 0), WARSAW)  # 23 Oct 00:00 CEST


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        trial_window(datetime(2026, 11, 21, 10, 0), WARSAW)
