"""What a company may do now: the plan in force, its limits and features. The rules
live in the pure `plans` package; this module feeds it the company's rows."""
from __future__ import annotations

from datetime import timedelta

import plans
from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import clock
from ..errors import Conflict
from ..extensions import db
from ..models import Company, Plan, User

FREE = plans.FREE


def catalogue() -> plans.Catalogue:
    """The catalogue as stored (admins' edits included), built once per request. A web
    process also keeps it between requests when the request read the catalogue's stamp
    (the number of plans and their last change, in the same query as the API token or
    the signed-in user): a catalogue changed anywhere moves the stamp, one changed in
    this process is forgotten at once."""
    if has_request_context() and "catalogue" in g:
        return g.catalogue
    stamp = g.get("plans_stamp") if has_request_context() else None
    kept = current_app.extensions.get("plans_catalogue") if stamp is not None else None
    if kept is not None and kept[0] == (stamp, _plans_generation[0]):
        built = kept[1]
    else:
        from .catalogue import catalogue as load
        try:
            built = load()
        except ValueError:  # an empty table (before `flask plans sync`): the shipped defaults
            built = plans.load_catalogue()
        if stamp is not None:
            current_app.extensions["plans_catalogue"] = ((stamp, _plans_generation[0]), built)
    if has_request_context():
        g.catalogue = built
    return built


def catalogue_stamp_columns():
    """Columns to add to a request's first query: the catalogue's stamp."""
    return (select(func.count(Plan.code)).scalar_subquery(),
            select(func.max(Plan.updated_at)).scalar_subquery())


def note_catalogue_stamp(count, last_change) -> None:
    g.plans_stamp = (count, str(last_change))


# Bumped when this process writes a plan: what it kept is then stale even if the
# stamp did not move (a frozen clock, a change within the clock's resolution).
_plans_generation = [0]


@event.listens_for(Session, "after_flush")
def _plans_written(session, flush_context):
    if any(isinstance(obj, Plan) for obj in (*session.new, *session.dirty, *session.deleted)):
        _plans_generation[0] += 1


@event.listens_for(Session, "do_orm_execute")
def _plans_bulk_written(state):
    if (state.is_update or state.is_delete or state.is_insert) and \
            any(m.class_ is Plan for m in state.all_mappers):
        _plans_generation[0] += 1


def forget_catalogue() -> None:
    if has_request_context():
        g.pop("catalogue", None)


def chosen_plan(company: Company) -> plans.Plan:
    return catalogue().get(company.plan_code) or catalogue().free


def trial_ends_at(company: Company):
    return plans.trial_window(company.registered_at, company.timezone)[1]


def trial_last_day(company: Company):
    """The trial ends at 00:00 local time: its last day is the local day before."""
    return (clock.local(trial_ends_at(company), company.timezone) - timedelta(days=1)).date()


def trial_active(company: Company) -> bool:
    return plans.trial_active(company.registered_at, clock.now(), company.timezone)


def paid_plan_code(company: Company) -> str | None:
    """The plan of a paid, running subscription period (none before billing exists)."""
    from . import subscriptions
    return subscriptions.paid_plan_code(company)


def current(company: Company) -> plans.Entitlements:
    """Resolved once per request for the same company state (the plan chosen, the
    features switched on, the paid plan, the catalogue): every check in a request asks."""
    features = frozenset(company.enabled_features or ())
    paid = paid_plan_code(company)
    built = catalogue()
    if not has_request_context():
        return plans.entitlements(chosen_plan(company), built, trial_active=trial_active(company),
                                  paid_plan_code=paid, enabled_features=features)
    key = (company.id, company.plan_code, features, paid, id(built))
    cache = g.setdefault("entitlements", {})
    if key not in cache:
        cache[key] = plans.entitlements(chosen_plan(company), built, trial_active=trial_active(company),
                                        paid_plan_code=paid, enabled_features=features)
    return cache[key]


def plan_in_force(company: Company) -> plans.Plan:
    return current(company).plan


def document_limit(company: Company) -> int:
    return plan_in_force(company).documents_per_month


def active_users(company_id: int) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.company_id == company_id)) or 0


def check_user_limit(company: Company, extra: int = 0) -> None:
    plan = plan_in_force(company)
    if active_users(company.id) + extra > plan.users:
        raise Conflict(ngettext("Your plan allows %(num)d user. Upgrade to add more.",
                                "Your plan allows %(num)d users. Upgrade to add more.", plan.users),
                       {"limit": plan.users})


def feature_on(company: Company, key: str) -> bool:
    return current(company).allows(key)


def blocked_user_ids(company: Company) -> set[int]:
    """Users beyond the plan's limit (the owner first, then by seniority) are blocked,
    not deleted; an upgrade lets them back in."""
    limit = plan_in_force(company).users
    users = db.session.scalars(select(User).where(User.company_id == company.id)).all()
    ordered = sorted(users, key=lambda u: (u.role != "owner", u.id))
    return {u.id for u in ordered[limit:]}


def within_user_limit(company: Company, users_in_company: int, plan: plans.Plan | None = None) -> bool:
    """No user of a company within its plan's user limit is blocked. `plan`: the plan in
    force, when the caller has it."""
    return users_in_company <= (plan or plan_in_force(company)).users


def user_blocked(user: User, users_in_company: int | None = None) -> bool:
    """`users_in_company`, when the caller counted them in its own query, spares loading
    the users of a company within its plan's limit (nearly every company)."""
    if users_in_company is not None and within_user_limit(user.company, users_in_company):
        return False
    return user.id in blocked_user_ids(user.company)


def users_count_column(company_id_column):
    """A column counting the users of the company in `company_id_column`'s row. The
    counted users are an alias: beside an outer query on `users` itself (the session's
    user loader), an unaliased `users` would compare each row with itself and count
    every user of every company."""
    from sqlalchemy.orm import aliased
    counted = aliased(User)
    return (select(func.count(counted.id)).where(counted.company_id == company_id_column)
            .scalar_subquery())
