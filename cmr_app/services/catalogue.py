"""The plan catalogue in the database: loaded from plans/catalogue.json, edited by admins."""
from __future__ import annotations

from decimal import Decimal

import plans
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Plan


def sync_default_catalogue() -> tuple[int, int]:
    """Creates missing plans; refreshes the shipped ones that no admin has edited.
    Running it twice changes nothing."""
    created = updated = 0
    for plan in plans.load_catalogue():
        row = db.session.get(Plan, plan.code)
        values = {"names": dict(plan.names), "price_per_year": Decimal(plan.price_per_year),
                  "documents_per_month": plan.documents_per_month, "users": plan.users,
                  "archive_months": plan.archive_months, "features": sorted(plan.features),
                  "position": plan.position}
        if row is None:
            db.session.add(Plan(code=plan.code, **values, updated_at=clock.now()))
            created += 1
        elif not row.edited_by_admin and any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = clock.now()
            updated += 1
    db.session.commit()
    return created, updated


def catalogue() -> plans.Catalogue:
    rows = db.session.scalars(select(Plan).order_by(Plan.position))
    return plans.Catalogue.from_dicts([
        {"code": r.code, "names": r.names, "price_per_year": str(r.price_per_year),
         "documents_per_month": r.documents_per_month, "users": r.users,
         "archive_months": r.archive_months, "features": list(r.features), "position": r.position}
        for r in rows])
