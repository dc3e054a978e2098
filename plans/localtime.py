"""Calendar helpers: aware UTC instants in, the company's local calendar applied."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

TimeZone = str | ZoneInfo  # "Europe/Warsaw" or a ZoneInfo


def zone(tz: TimeZone) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def require_aware(moment: datetime) -> datetime:
    # A naive datetime would silently be read as server-local time: refuse it.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"aware datetime required, got naive {moment!r}")
    return moment


def local_date(moment: datetime, tz: TimeZone) -> date:
    return require_aware(moment).astimezone(zone(tz)).date()


def local_midnight(day: date, tz: TimeZone) -> datetime:
    """00:00 local on `day`, as aware UTC (the UTC offset differs across DST)."""
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(timezone.utc)


def add_months(day: date, months: int) -> date:
    """Calendar months later; the day is clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
