"""The 30-day trial (§2), counted in whole local days from the day of registration."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from .localtime import TimeZone, local_date, local_midnight, require_aware

TRIAL_DAYS = 30
REMINDER_DAYS_BEFORE_END = 3


@lru_cache(maxsize=4096)  # pure, and every request's entitlements ask it
def trial_window(registered_at: datetime, tz: TimeZone) -> tuple[datetime, datetime]:
    """(starts_at, ends_at) as aware UTC.

    Starts at the moment of registration; ends at 00:00 local on the 30th day after
    the local registration day (registered 21 Nov at any hour -> ends 21 Dec 00:00
    local), so the hour of registration never shortens the last day.
    """
    first_day = local_date(registered_at, tz)
    return require_aware(registered_at), local_midnight(first_day + timedelta(days=TRIAL_DAYS), tz)


def trial_active(registered_at: datetime, now: datetime, tz: TimeZone) -> bool:
    starts_at, ends_at = trial_window(registered_at, tz)
    return starts_at <= require_aware(now) < ends_at


def trial_days_left(registered_at: datetime, now: datetime, tz: TimeZone) -> int:
    """Local calendar days left including today: 1 on the last day, 0 once over."""
    _, ends_at = trial_window(registered_at, tz)
    if require_aware(now) >= ends_at:
        return 0
    return (local_date(ends_at, tz) - local_date(now, tz)).days


def trial_reminder_due(registered_at: datetime, now: datetime, tz: TimeZone) -> bool:
    """From 00:00 local three days before the end until the end (days left 3, 2, 1).

    A window rather than an instant so a daily job that runs late still sends it;
    sending it once is the app's job.
    """
    return 0 < trial_days_left(registered_at, now, tz) <= REMINDER_DAYS_BEFORE_END
