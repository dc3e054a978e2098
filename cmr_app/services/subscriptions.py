"""Paid subscription periods: what is paid for now, renewals and lapses (§5.9–5.10)."""
from __future__ import annotations

import plans
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import bindparam, event, exists, select
from sqlalchemy.orm import Session, aliased

from .. import clock
from ..errors import Conflict
from ..extensions import db
from ..models import Company, Order, Subscription

# Every check of what a company may do reads its subscription and paid plan: read once
# per request, forgotten as soon as an order or a subscription is written.
_CACHE = "subscription_cache"


def _cached(key: tuple, load):
    if not has_request_context() or _pending_billing_rows(db.session):
        return load()
    cache = g.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _pending_billing_rows(session) -> bool:
    if session is db.session and not session.registry.has():
        return False  # no session made in this request (the PDF download's cached answer)
    return any(isinstance(obj, (Order, Subscription)) for obj in (*session.new, *session.dirty, *session.deleted))


def forget() -> None:
    if has_request_context():
        g.pop(_CACHE, None)


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session, flush_context):
    if _pending_billing_rows(session):
        forget()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction):
    forget()


@event.listens_for(Session, "do_orm_execute")
def _forget_after_bulk_write(state):
    if (state.is_update or state.is_delete) and any(m.class_ in (Order, Subscription)
                                                     for m in state.all_mappers):
        forget()


def remember_current(company_id: int, sub: Subscription | None) -> None:
    """The subscription read by the request's first query (with the token or the user)."""
    if has_request_context() and not _pending_billing_rows(db.session):
        g.setdefault(_CACHE, {})[("current", company_id)] = sub


def remember_paid(company_id: int, plan_code: str | None) -> None:
    """The paid plan read by the request's first query (paid_plan_code_column)."""
    if has_request_context() and not _pending_billing_rows(db.session):
        g.setdefault(_CACHE, {})[("paid", company_id)] = plan_code


def current(company: Company) -> Subscription | None:
    return _cached(("current", company.id), lambda: db.session.scalar(
        select(Subscription).where(Subscription.company_id == company.id)))


def paid_plan_code(company: Company) -> str | None:
    """The plan of the paid period running now. A renewal paid ahead (perhaps for a lower
    plan) only takes over when its period starts; after the last paid period, none (the
    account falls back to Free until a renewal is paid)."""
    return _cached(("paid", company.id), lambda: _paid_plan_code(company))


def _paid_plan_code(company: Company) -> str | None:
    return db.session.scalar(_paid_order_code(company.id, clock.now()))


def _paid_order_code(company_id, now):
    """The plan of the company's paid order whose period runs at `now`, while its
    subscription is not cancelled: one rule for the query of its own and the column."""
    sub = aliased(Subscription)  # not an outer query's subscription, if it has one
    running = exists().where(sub.company_id == company_id, sub.status != "cancelled")
    return (select(Order.plan_code).where(Order.company_id == company_id, running, Order.status == "paid",
                                          Order.period_start <= now, Order.period_end > now)
            .order_by(Order.period_start.desc()).limit(1))


def paid_plan_code_column(company_id_column):
    """paid_plan_code as a column of a request's first query (its `now` bound as "now"),
    so that a paying company's requests do not each ask for their order again."""
    return _paid_order_code(company_id_column, bindparam("now", type_=Order.period_start.type)).scalar_subquery()


def summary(company: Company) -> dict | None:
    sub = current(company)
    if sub is None:
        return None
    now = clock.now()
    status = sub.status if sub.status != "active" else ("active" if now < sub.period_end else "lapsed")
    return {"status": status, "plan": paid_plan_code(company) or sub.plan_code, "period_months": sub.period_months,
            "period_start": sub.period_start.isoformat(), "period_end": sub.period_end.isoformat(),
            "auto_renew": sub.auto_renew, "payment_method": sub.payment_method,
            "next_plan": sub.next_plan_code,
            "auto_renew_cancellable": plans.auto_renew_cancellable(sub.period_end, now)}


def schedule_downgrade(company: Company, plan_code: str) -> None:
    """A move down between paid plans takes effect at the next renewal (PLANS.md)."""
    sub = current(company)
    sub.next_plan_code = plan_code


def end_now(company: Company) -> None:
    """Moving to Free ends the paid period at once; no renewal follows."""
    sub = current(company)
    if sub is not None and sub.status == "active":
        sub.status = "cancelled"
        sub.auto_renew = False
        sub.next_plan_code = None


def set_auto_renew(company: Company, enabled: bool) -> Subscription:
    """Card auto-renewal may be cancelled until 14 days before the end (§5.9); later,
    the renewal goes ahead."""
    sub = current(company)
    if sub is None or sub.payment_method != "card":
        raise Conflict(_("Automatic renewal applies to card payments only."))
    if not enabled and not plans.auto_renew_cancellable(sub.period_end, clock.now()):
        raise Conflict(_("Automatic renewal can be cancelled until 14 days before the end of the paid "
                         "period; this renewal goes ahead."))
    sub.auto_renew = enabled
    db.session.commit()
    return sub
