"""The current company, resolved once per request, and the guard that scopes every ORM
query on tenant-owned models by it."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from .errors import NotFound
from .extensions import db
from .models import TenantMixin


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def set_current_company(company_id: int | None) -> None:
    g.company_id = company_id


def current_company_id() -> int | None:
    return g.get("company_id") if has_request_context() else None


@event.listens_for(Session, "do_orm_execute")
def _scope_to_current_company(state):
    # Platform-wide queries (admin pages, jobs) opt out explicitly with all_tenants=True.
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("all_tenants"):
        return
    company_id = current_company_id()
    if company_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantMixin, lambda cls: cls.company_id == company_id,
                             include_aliases=True))


def get_owned(model, object_id, company_id: int):
    """The object of that company, or NotFound: another company's object is a 404."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound()
    if not 1 <= object_id <= MAX_ID:  # beyond the id column: cannot exist
        raise NotFound()
    # By primary key: an object the request's first query brought (the API's token query
    # loads the document a /documents/<id> path names) is taken from the session.
    obj = db.session.get(model, object_id)
    if obj is None or obj.company_id != company_id:
        raise NotFound()
    return obj


def get_or_404(model, object_id):
    """A row by id, whatever its company (admin and operator paths), or NotFound; an id
    that is not a whole number or lies beyond the id column cannot exist."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound()
    obj = db.session.get(model, object_id) if 1 <= object_id <= MAX_ID else None
    if obj is None:
        raise NotFound()
    return obj
