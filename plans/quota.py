"""Monthly document quota: which month a document counts in, and what is left.

The counting itself (one guarded UPDATE per company and month) lives in the app;
this module only says which period key to count under and does the arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .localtime import TimeZone, add_months, local_date, local_midnight


def quota_period(now_utc: datetime, tz: TimeZone) -> str:
    """The calendar month in the company's time zone, "YYYY-MM" (the quota_usage key)."""
    return local_date(now_utc, tz).strftime("%Y-%m")


def period_resets_at(period: str, tz: TimeZone) -> datetime:
    """When the next period starts: 00:00 local on the 1st of the next month, as UTC."""
    first_day = _first_day(period)
    return local_midnight(add_months(first_day, 1), tz)


def period_starts_at(period: str, tz: TimeZone) -> datetime:
    return local_midnight(_first_day(period), tz)


def _first_day(period: str) -> date:
    try:
        year, month = (int(part) for part in period.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"period must be 'YYYY-MM', got {period!r}") from None


@dataclass(frozen=True)
class Usage:
    period: str | None
    used: int
    limit: int
    remaining: int

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0


def usage(used: int, limit: int, period: str | None = None) -> Usage:
    """Places left this month against the limit of the plan in force now.

    `used` is never lowered (deleting does not refund) and may exceed a limit that
    has just shrunk (Standard -> Free with 12 used): then nothing is left, not less.
    """
    return Usage(period=period, used=used, limit=limit, remaining=max(limit - used, 0))
