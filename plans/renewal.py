"""Paid periods: renewal offers (§5.10), the next period, card auto-renewal (§5.9)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .localtime import TimeZone, add_months, require_aware, zone

RENEWAL_NOTICE_DAYS = 14  # renewal pro-forma goes out this many days before the end
CANCEL_NOTICE_DAYS = 14  # card auto-renewal can be cancelled until this many days before


def renewal_due(period_end: datetime, now: datetime, days: int = RENEWAL_NOTICE_DAYS) -> bool:
    """The period ends in `days` days or fewer and has not ended yet.

    A window, not an instant, so a daily job that missed a day still catches it; the
    app guarantees one pro-forma per period.
    """
    remaining = require_aware(period_end) - require_aware(now)
    return timedelta(0) < remaining <= timedelta(days=days)


def auto_renew_cancellable(period_end: datetime, now: datetime, days: int = CANCEL_NOTICE_DAYS) -> bool:
    """Cancellation is accepted up to and including the moment `days` days before the end."""
    return require_aware(now) <= require_aware(period_end) - timedelta(days=days)


def add_months_local(moment: datetime, months: int, tz: TimeZone) -> datetime:
    """`months` calendar months later at the same local wall-clock time, as UTC.

    Done in local time so a period that ends at local midnight keeps ending at local
    midnight across DST; the day is clamped (31 Jan + 1 month = 28/29 Feb).
    """
    local = require_aware(moment).astimezone(zone(tz))
    later = datetime.combine(add_months(local.date(), months), local.time(), tzinfo=zone(tz))
    return later.astimezone(timezone.utc)


def period_from(start: datetime, months: int, tz: TimeZone) -> tuple[datetime, datetime]:
    """A paid period of `months` months beginning at `start` (e.g. when payment is booked)."""
    return require_aware(start).astimezone(timezone.utc), add_months_local(start, months, tz)


def next_period(period_end: datetime, months: int, tz: TimeZone) -> tuple[datetime, datetime]:
    """The renewal period: it starts exactly where the paid one ends, without a gap."""
    return period_from(period_end, months, tz)
