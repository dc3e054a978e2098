"""The monthly document quota (PLANS.md "Quota"): counted at first save, never refunded,
per calendar month in the company's time zone, against the plan in force."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import plans
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import clock
from ..errors import QuotaExceeded
from ..extensions import db, insert_ignoring_conflict
from ..models import Company, QuotaUsage
from . import entitlements


@dataclass(frozen=True)
class Usage:
    period: str
    used: int
    limit: int
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def current_period(company: Company, now: datetime | None = None) -> str:
    return plans.quota_period(now or clock.now(), company.timezone)


def period_resets_at(company: Company, period: str) -> datetime:
    return plans.period_resets_at(period, company.timezone)


def usage(company: Company) -> Usage:
    period = current_period(company)
    used = db.session.scalar(select(QuotaUsage.used).where(
        QuotaUsage.company_id == company.id, QuotaUsage.period == period)) or 0
    return Usage(period, used, entitlements.document_limit(company), period_resets_at(company, period))


def consume_quota(company: Company) -> Usage:
    """Takes one place of this month's quota in the caller's transaction, or raises
    QuotaExceeded. One guarded UPDATE: under any concurrency the count never passes the
    limit, and it rolls back with the document if the save fails."""
    period = current_period(company)
    limit = entitlements.document_limit(company)
    take = (update(QuotaUsage)
            .where(QuotaUsage.company_id == company.id, QuotaUsage.period == period, QuotaUsage.used < limit)
            .values(used=QuotaUsage.used + 1)
            .returning(QuotaUsage.used)
            .execution_options(synchronize_session=False))
    used = db.session.execute(take).scalar_one_or_none()
    if used is None:  # the month's first document (no row yet), or the limit is reached
        db.session.execute(insert_ignoring_conflict(QuotaUsage, company_id=company.id, period=period, used=0))
        used = db.session.execute(take).scalar_one_or_none()
    resets_at = period_resets_at(company, period)
    if used is None:
        current = db.session.scalar(select(QuotaUsage.used).where(
            QuotaUsage.company_id == company.id, QuotaUsage.period == period)) or 0
        db.session.rollback()
        raise QuotaExceeded(
            _("You have used all %(limit)s documents of this month. The quota renews on %(date)s; "
              "upgrade your plan to create more now.", limit=limit,
              date=format_date(resets_at.astimezone(ZoneInfo(company.timezone)).date(), "long")),
            {"limit": limit, "used": current, "period": period, "resets_at": resets_at.isoformat()})
    return Usage(period, used, limit, resets_at)
