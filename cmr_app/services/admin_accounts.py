"""The platform admin's read-only view of all accounts: plan chosen and in force, trial
end, users, documents this month. Platform-wide, so every query opts out of the
tenant filter explicitly."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import plans
from sqlalchemy import exists, func, or_, select

from .. import clock
from ..extensions import db
from ..models import Company, User
from ..tenant import current_company_id, set_current_company
from . import entitlements, quota

PER_PAGE = 25


@dataclass(frozen=True)
class AccountRow:
    company: Company
    owner_email: str
    chosen_plan: plans.Plan
    plan_in_force: plans.Plan
    registered_on: date  # in the company's time zone, like its trial days
    trial_active: bool
    trial_last_day: date
    users: int
    usage: quota.Usage


@dataclass(frozen=True)
class AccountsPage:
    rows: list[AccountRow]
    page: int
    pages: int
    total: int


@contextmanager
def _as_company(company_id: int):
    # Entitlements and usage are computed as that company would see them: any
    # tenant-scoped query inside (subscriptions, later) reads its rows, not the admin's.
    previous = current_company_id()
    set_current_company(company_id)
    try:
        yield
    finally:
        set_current_company(previous)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def accounts_page(search: str = "", page: int = 1, per_page: int = PER_PAGE) -> AccountsPage:
    """Companies, newest first, optionally those whose name or a user's e-mail contains
    `search` (case-insensitive)."""
    query = select(Company)
    search = (search or "").strip()
    if search:
        pattern = f"%{_escape_like(search.lower())}%"
        query = query.where(or_(
            func.lower(Company.name).like(pattern, escape="\\"),
            exists().where(User.company_id == Company.id,
                           func.lower(User.email).like(pattern, escape="\\"))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())
                              .execution_options(all_tenants=True)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    companies = list(db.session.scalars(
        query.order_by(Company.registered_at.desc(), Company.id.desc())
        .offset((page - 1) * per_page).limit(per_page).execution_options(all_tenants=True)))
    ids = [c.id for c in companies]
    users = dict(db.session.execute(
        select(User.company_id, func.count(User.id)).where(User.company_id.in_(ids))
        .group_by(User.company_id).execution_options(all_tenants=True)).all()) if ids else {}
    owners = {}
    if ids:
        for company_id, email in db.session.execute(
                select(User.company_id, User.email).where(User.company_id.in_(ids), User.role == "owner")
                .order_by(User.id).execution_options(all_tenants=True)):
            owners.setdefault(company_id, email)
    rows = []
    for company in companies:
        with _as_company(company.id):
            now = entitlements.current(company)
            rows.append(AccountRow(
                company=company, owner_email=owners.get(company.id, ""),
                chosen_plan=entitlements.chosen_plan(company), plan_in_force=now.plan,
                registered_on=clock.local(company.registered_at, company.timezone).date(),
                trial_active=now.trial_active,
                trial_last_day=entitlements.trial_last_day(company),
                users=users.get(company.id, 0), usage=quota.usage(company)))
    return AccountsPage(rows=rows, page=page, pages=pages, total=total)
