"""Admins editing the plan catalogue: validated changes, each one written to the audit.

An edited plan is marked `edited_by_admin`, so `flask plans sync` keeps the edit
(services/catalogue.py). Every save records who, when and {field: [old, new]}."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import plans

from .. import clock
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Company, Plan, PlanAuditEntry, User
from . import entitlements

NAME_LANGUAGES = ("pl", "en", "de")
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MAX = 32
NAME_MAX = 60
PRICE_MAX = Decimal("99999999.99")  # Numeric(10, 2)
INT_MAX = 2_147_483_647  # a PostgreSQL integer
MIN_USERS = 1
MIN_ARCHIVE_MONTHS = 1

# The editable fields in the order forms and the audit show them.
FIELDS = ("names.pl", "names.en", "names.de", "price_per_year", "documents_per_month", "users",
          "archive_months", "features", "position")
FIELD_LABELS = {
    "code": _l("Code"),
    "names.pl": _l("Name (Polish)"),
    "names.en": _l("Name (English)"),
    "names.de": _l("Name (German)"),
    "price_per_year": _l("Price per year, net PLN"),
    "documents_per_month": _l("Documents per month"),
    "users": _l("Users"),
    "archive_months": _l("Archive (months)"),
    "features": _l("Features"),
    "position": _l("Position"),
}


def plan_values(plan: Plan) -> dict:
    """A plan row as the flat values the form edits and the audit compares."""
    names = plan.names or {}
    return {
        **{f"names.{lang}": names.get(lang, "") for lang in NAME_LANGUAGES},
        "price_per_year": Decimal(plan.price_per_year).quantize(Decimal("0.01")),
        "documents_per_month": plan.documents_per_month,
        "users": plan.users,
        "archive_months": plan.archive_months,
        "features": sorted(plan.features or []),
        "position": plan.position,
    }


def list_plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).order_by(Plan.position, Plan.code)))


def get_plan(code: str) -> Plan:
    plan = db.session.get(Plan, code)
    if plan is None:
        raise NotFound()
    return plan


def companies_per_plan() -> dict[str, int]:
    rows = db.session.execute(select(Company.plan_code, func.count(Company.id))
                              .group_by(Company.plan_code).execution_options(all_tenants=True))
    return {code: count for code, count in rows}


def next_position() -> int:
    return (db.session.scalar(select(func.max(Plan.position))) or 0) + 10


def _normalize(values: dict) -> dict:
    """The submitted values in their stored types; the validation reports what is off."""
    out = {}
    for lang in NAME_LANGUAGES:
        out[f"names.{lang}"] = (values.get(f"names.{lang}") or "").strip()
    out["price_per_year"] = values.get("price_per_year")
    for key in ("documents_per_month", "users", "position"):
        out[key] = values.get(key)
    out["archive_months"] = values.get("archive_months")
    out["features"] = sorted(set(values.get("features") or []))
    return out


def _problems(values: dict, code: str, catalogue: plans.Catalogue) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    if not values["names.en"]:
        add("names.en", _l("Enter the English name; the other languages fall back to it."))
    for lang in NAME_LANGUAGES:
        if len(values[f"names.{lang}"]) > NAME_MAX:
            add(f"names.{lang}", _l("At most %(n)s characters.", n=NAME_MAX))

    price = values["price_per_year"]
    try:
        price = Decimal(str(price)) if price is not None else None
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite():
        add("price_per_year", _l("Enter the price as a number, e.g. 490.00."))
    elif price < 0:
        add("price_per_year", _l("The price cannot be negative."))
    elif price.as_tuple().exponent < -2:
        add("price_per_year", _l("At most two decimal places."))
    elif price > PRICE_MAX:
        add("price_per_year", _l("The price is too large."))
    elif code == plans.FREE and price != 0:
        add("price_per_year", _l("Free is the plan unpaid accounts fall back to: its price stays 0."))
    else:
        values["price_per_year"] = price.quantize(Decimal("0.01"))

    def whole(field: str, minimum: int, *, optional: bool = False) -> None:
        value = values[field]
        if value in (None, "") and optional:
            values[field] = None
            return
        if isinstance(value, bool) or not isinstance(value, int):
            add(field, _l("Enter a whole number."))
        elif value < minimum:
            add(field, _l("At least %(n)s.", n=minimum))
        elif value > INT_MAX:
            add(field, _l("The number is too large."))

    whole("documents_per_month", 0)
    whole("users", MIN_USERS)
    whole("archive_months", MIN_ARCHIVE_MONTHS, optional=True)
    whole("position", 0)

    unknown = set(values["features"]) - catalogue.feature_keys
    if unknown:
        add("features", _l("Unknown features: %(keys)s.", keys=", ".join(sorted(unknown))))
    return errors


def _check_code(code: str) -> dict[str, list[str]]:
    if not code:
        return {"code": [str(_l("Enter a code."))]}
    if len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        return {"code": [str(_l("Lowercase letters, digits and single dashes, at most %(n)s characters.",
                                n=CODE_MAX))]}
    if db.session.get(Plan, code) is not None:
        return {"code": [str(_l("A plan with this code exists already."))]}
    return {}


def _apply(row: Plan, values: dict) -> None:
    row.names = {lang: values[f"names.{lang}"] for lang in NAME_LANGUAGES if values[f"names.{lang}"]}
    for key in ("price_per_year", "documents_per_month", "users", "archive_months", "features",
                "position"):
        setattr(row, key, values[key])


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


def _diff(old: dict, new: dict) -> dict[str, list]:
    return {key: [_jsonable(old.get(key)), _jsonable(new[key])]
            for key in FIELDS if old.get(key) != new[key]}


def _audit(admin: User, code: str, action: str, changes: dict) -> PlanAuditEntry:
    entry = PlanAuditEntry(plan_code=code, action=action, admin_id=admin.id, admin_email=admin.email,
                           changed_at=clock.now(), changes=changes)
    db.session.add(entry)
    return entry


def update_plan(admin: User, code: str, submitted: dict) -> PlanAuditEntry | None:
    """Saves an admin's edit of one plan. Returns the audit entry, or None when nothing
    changed (then the plan stays as it was, still refreshed by `plans sync`)."""
    # Locked for the read-compare-write, so concurrent edits audit true old values.
    row = db.session.get(Plan, code, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound()
    values = _normalize(submitted)
    errors = _problems(values, code, entitlements.catalogue())
    if errors:
        db.session.rollback()
        raise ValidationFailed(errors)
    changes = _diff(plan_values(row), values)
    if not changes:
        db.session.rollback()
        return None
    _apply(row, values)
    row.edited_by_admin = True
    row.updated_at = clock.now()
    entry = _audit(admin, code, "update", changes)
    db.session.commit()
    entitlements.forget_catalogue()
    return entry


def create_plan(admin: User, code: str, submitted: dict) -> Plan:
    code = (code or "").strip()
    values = _normalize(submitted)
    errors = {**_check_code(code), **_problems(values, code, entitlements.catalogue())}
    if errors:
        raise ValidationFailed(errors)
    row = Plan(code=code, edited_by_admin=True, updated_at=clock.now())
    _apply(row, values)
    db.session.add(row)
    _audit(admin, code, "create",
           {k: v for k, v in _diff({}, values).items() if v[1] not in (None, "", [])})
    try:
        db.session.commit()
    except IntegrityError:  # created meanwhile by another admin
        db.session.rollback()
        raise ValidationFailed({"code": [str(_l("A plan with this code exists already."))]})
    entitlements.forget_catalogue()
    return row


def audit_page(*, plan_code: str | None = None, page: int = 1, per_page: int = 50):
    """Newest first; returns (entries, has_more)."""
    query = select(PlanAuditEntry).order_by(PlanAuditEntry.id.desc())
    if plan_code is not None:
        query = query.where(PlanAuditEntry.plan_code == plan_code)
    page = max(page, 1)
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page
