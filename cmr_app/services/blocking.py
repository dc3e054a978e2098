"""Blocking a company (terms §10.7): after a report of illegal content the operator may
make the company's data unreachable. While blocked, its users' pages and API tokens are
refused with the reason, its public pages (driver page, signing links) answer 410, and
the owner is told why by e-mail. Nothing is deleted: unblocking restores everything."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..errors import NotFound, ServiceError, ValidationFailed
from ..extensions import db
from ..models import Company, User
from . import accounts, outbox

REASON_MAX = 500


class AccountBlocked(ServiceError):
    status, code = 403, "account_blocked"


def is_blocked(company: Company | None) -> bool:
    return company is not None and company.blocked_at is not None


def refusal(company: Company) -> AccountBlocked:
    return AccountBlocked(_("This account is blocked: %(reason)s", reason=company.blocked_reason),
                          {"reason": company.blocked_reason, "blocked_at": company.blocked_at.isoformat()})


def refuse_if_blocked(company: Company | None) -> None:
    if is_blocked(company):
        raise refusal(company)


def company_of_user(email: str) -> Company:
    """The company of the user with that e-mail (the CLI names companies so)."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalize_email(email or "")))
    if user is None:
        raise NotFound(_("No user with the e-mail %(email)s.", email=email))
    return user.company


def company_by_id(company_id) -> Company:
    from ..tenant import get_or_404
    return get_or_404(Company, company_id)


def _clean_reason(reason) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the account is blocked: the owner is told.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.", n=REASON_MAX)]})
    return reason


def _tell_owners(company: Company, template: str) -> None:
    subjects = {"account_blocked": lambda: _("Your CMR Online account %(company)s is blocked", company=company.name),
                "account_unblocked": lambda: _("Your CMR Online account %(company)s is unblocked",
                                               company=company.name)}
    for owner in accounts.company_owners(company.id):
        with force_locale(owner.language or "en"):
            body = render_template(f"email/{template}.txt", company=company, user=owner)
            outbox.record(owner.email, subjects[template](), body, kind=template, company_id=company.id)


def block(company: Company, reason) -> bool:
    """Blocks the company and e-mails its owners why. Blocking again with another reason
    changes the reason (and says so by e-mail); with the same reason changes nothing.
    Returns whether anything changed."""
    reason = _clean_reason(reason)
    if company.blocked_at is not None and company.blocked_reason == reason:
        return False
    if company.blocked_at is None:
        company.blocked_at = clock.now()
    company.blocked_reason = reason
    _tell_owners(company, "account_blocked")
    db.session.commit()
    return True


def unblock(company: Company) -> bool:
    """Lifts the block and e-mails the owners; False when the company was not blocked."""
    if company.blocked_at is None:
        return False
    company.blocked_at = None
    company.blocked_reason = ""
    _tell_owners(company, "account_unblocked")
    db.session.commit()
    return True
