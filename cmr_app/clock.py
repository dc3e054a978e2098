"""The one clock for business time: aware UTC from Python, never the database's clock,
so tests can move time with time-machine."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(timezone.utc)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def local_today(tz: str):
    return local(now(), tz).date()
