"""Support access by consent (terms §14): the owner lets platform support read the
company's documents, clients, carriers and products for 1–90 days, or ends it at once.
The consent ends by itself: it is an end time compared with the clock, not a flag a job
must clear. Every look by support, and every change of the consent, is logged for the
owner. Without consent admins see billing and plan data only (services/admin_accounts)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Carrier, Client, Company, Document, Product, SupportAccessEntry, User
from . import accounts

MIN_DAYS, MAX_DAYS = 1, 90
PER_PAGE = 50


class NoConsent(Forbidden):
    """An admin asked for a company's data without its owner's consent in force."""
    code = "support_access_not_granted"


@dataclass(frozen=True)
class State:
    enabled: bool
    expires_at: datetime | None

    def to_dict(self) -> dict:
        return {"enabled": self.enabled, "expires_at": self.expires_at.isoformat() if self.expires_at else None}


def state(company: Company, now: datetime | None = None) -> State:
    until = company.support_access_until
    if until is not None and until > (now or clock.now()):
        return State(True, until)
    return State(False, None)


def is_open(company: Company) -> bool:
    return state(company).enabled


def parse_days(raw, *, typed: bool = False) -> int:
    """Days of a consent: a JSON integer, or (typed into a form) a string of digits."""
    message = _("Enter a whole number of days from %(min)d to %(max)d.", min=MIN_DAYS, max=MAX_DAYS)
    if isinstance(raw, bool):
        raise ValidationFailed({"days": [message]})
    if typed and isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 4:
        raw = int(raw.strip())
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # 30.0 is the whole number 30 in JSON (and in JSON Schema)
    if not isinstance(raw, int) or not MIN_DAYS <= raw <= MAX_DAYS:
        raise ValidationFailed({"days": [message]})
    return raw


def _log(company_id: int, action: str, user: User | None, what: str = "", expires_at=None) -> SupportAccessEntry:
    entry = SupportAccessEntry(company_id=company_id, at=clock.now(), action=action,
                               user_id=user.id if user else None, user_email=user.email if user else "",
                               what=what[:300], expires_at=expires_at)
    db.session.add(entry)
    return entry


def grant(owner: User, days, *, typed: bool = False) -> State:
    """Consent from now for `days` days (a new consent replaces the one in force)."""
    accounts.require_owner(owner)
    days = parse_days(days, typed=typed)
    company = owner.company
    company.support_access_until = clock.now() + timedelta(days=days)
    _log(company.id, "granted", owner, expires_at=company.support_access_until)
    db.session.commit()
    return state(company)


def withdraw(owner: User) -> State:
    """Ends the consent at once; support's next request is refused."""
    accounts.require_owner(owner)
    company = owner.company
    was_open = is_open(company)
    company.support_access_until = None
    if was_open:
        _log(company.id, "withdrawn", owner)
    db.session.commit()
    return state(company)


def log_page(company_id: int, limit: int = 50, before_id: int | None = None) -> tuple[list[SupportAccessEntry], int | None]:
    """The company's entries, newest first, and the id to continue before (or None)."""
    query = select(SupportAccessEntry).where(SupportAccessEntry.company_id == company_id)
    if before_id is not None:
        query = query.where(SupportAccessEntry.id < before_id)
    rows = list(db.session.scalars(query.order_by(SupportAccessEntry.id.desc()).limit(limit + 1)
                                   .execution_options(all_tenants=True)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def entry_dict(entry: SupportAccessEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "action": entry.action, "who": entry.user_email,
            "what": entry.what, "expires_at": entry.expires_at.isoformat() if entry.expires_at else None}


# What support sees, only while consent holds. Platform-wide queries (the admin's own
# company is the request's tenant), so each names the company explicitly.

KINDS = {"documents": Document, "clients": Client, "carriers": Carrier, "products": Product}


def company_for_support(company_id) -> Company:
    from ..tenant import get_or_404
    return get_or_404(Company, company_id)


def require_consent(company: Company) -> None:
    if not is_open(company):
        raise NoConsent(_("The company has not allowed support access (or its consent has ended): "
                          "only its billing and plan data can be seen."))


def look(admin: User, company: Company, what: str) -> None:
    """Checks the consent and logs the look in the same transaction as the caller's reading."""
    require_consent(company)
    _log(company.id, "viewed", admin, what)
    db.session.commit()


def _scoped(model, company_id: int):
    return select(model).where(model.company_id == company_id).execution_options(all_tenants=True)


def rows_page(kind: str, company_id: int, page: int = 1, per_page: int = PER_PAGE):
    """One page of the company's documents (newest first) or address-book entries (by name)."""
    model = KINDS[kind]
    total = db.session.scalar(select(func.count()).select_from(model).where(model.company_id == company_id)
                              .execution_options(all_tenants=True)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    order = (model.id.desc(),) if model is Document else (model.name, model.id)
    rows = list(db.session.scalars(_scoped(model, company_id).order_by(*order)
                                   .offset((page - 1) * per_page).limit(per_page)))
    return rows, page, pages, total


def document(company_id: int, doc_id) -> Document:
    try:
        doc_id = int(doc_id)
    except (TypeError, ValueError):
        raise NotFound()
    doc = db.session.scalar(_scoped(Document, company_id).where(Document.id == doc_id)) \
        if 1 <= doc_id <= 2**31 - 1 else None
    if doc is None:
        raise NotFound()
    return doc
