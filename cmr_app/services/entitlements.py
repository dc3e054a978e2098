"""What a company may do now: the plan in force, its limits and features. The rules
themselves live in the pure `plans` package; this module feeds it the company's rows."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..errors import Conflict
from ..extensions import db
from ..models import Company, Plan, User

FREE = "free"


def plan_row(code: str) -> Plan | None:
    return db.session.get(Plan, code)


def trial_ends_at(company: Company):
    tz = ZoneInfo(company.timezone)
    local_day = company.registered_at.astimezone(tz).date() + timedelta(days=30)
    from datetime import datetime, time, timezone
    return datetime.combine(local_day, time(0), tz).astimezone(timezone.utc)


def trial_active(company: Company) -> bool:
    return clock.now() < trial_ends_at(company)


def plan_in_force(company: Company) -> Plan:
    code = company.plan_code if trial_active(company) else FREE
    plan = plan_row(code) or plan_row(FREE)
    if plan is None:  # an empty catalogue: behave as the default Free plan
        return Plan(code=FREE, names={"en": "Free"}, price_per_year=0, documents_per_month=10,
                    users=1, archive_months=3, features=[], position=0)
    return plan


def document_limit(company: Company) -> int:
    return plan_in_force(company).documents_per_month


def active_users(company_id: int) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.company_id == company_id)) or 0


def check_user_limit(company: Company, extra: int = 0) -> None:
    plan = plan_in_force(company)
    if active_users(company.id) + extra > plan.users:
        raise Conflict(_("Your plan allows %(n)s users. Upgrade to add more.", n=plan.users),
                       {"limit": plan.users})


def feature_on(company: Company, key: str) -> bool:
    return key in (company.enabled_features or []) and key in plan_in_force(company).features
