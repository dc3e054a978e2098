"""The account as a whole: its summary, its plan and its feature switches."""
from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select

from ..extensions import db
from ..models import Plan, User
from . import entitlements, quota

FEATURES = ("company_logo", "templates", "email_documents", "custom_numbering")


def plan_name(plan: Plan, lang: str | None = None) -> str:
    lang = lang or str(get_locale() or "en")
    return plan.names.get(lang) or plan.names.get("en") or plan.code


def public_catalogue() -> list[dict]:
    plans = db.session.scalars(select(Plan).order_by(Plan.position, Plan.price_per_year))
    return [{"code": p.code, "name": plan_name(p), "names": p.names,
             "price_per_year": f"{p.price_per_year:.2f}", "currency": "PLN",
             "documents_per_month": p.documents_per_month, "users": p.users,
             "archive_months": p.archive_months, "features": list(p.features)} for p in plans]


def summary(user: User) -> dict:
    company = user.company
    plan = entitlements.plan_in_force(company)
    chosen = entitlements.plan_row(company.plan_code) or plan
    use = quota.usage(company)
    enabled = set(company.enabled_features or [])
    return {
        "company": {"id": company.id, "name": company.name, "tax_id": company.tax_id,
                    "address": company.address, "postal_code": company.postal_code,
                    "city": company.city, "country": company.country, "timezone": company.timezone},
        "user": {"id": user.id, "email": user.email, "role": user.role,
                 "email_verified": user.email_verified_at is not None},
        "plan": {"code": chosen.code, "name": plan_name(chosen)},
        "plan_in_force": {"code": plan.code, "name": plan_name(plan)},
        "trial": {"active": entitlements.trial_active(company),
                  "ends_at": entitlements.trial_ends_at(company).isoformat()},
        "usage": {"period": use.period, "used": use.used, "limit": use.limit,
                  "remaining": use.remaining, "resets_at": use.resets_at.isoformat()},
        "features": [{"key": key, "enabled": key in enabled and key in plan.features,
                      "available": key in plan.features} for key in FEATURES],
        "subscription": None,
    }
