"""The account as a whole: its summary, its plan and its feature switches (PLANS.md)."""
from __future__ import annotations

import plans
from flask_babel import get_locale
from flask_babel import gettext as _

from ..errors import FeaturesActive, PlanRequired, ValidationFailed
from ..extensions import db
from ..models import User
from . import accounts, entitlements, quota


def _lang() -> str:
    return str(get_locale() or "en")


def plan_dict(plan: plans.Plan) -> dict:
    return {"code": plan.code, "name": plan.name(_lang())}


def public_catalogue() -> list[dict]:
    return [{**plan_dict(p), "names": dict(p.names), "price_per_year": f"{p.price_per_year:.2f}",
             "currency": "PLN", "documents_per_month": p.documents_per_month, "users": p.users,
             "archive_months": p.archive_months, "features": sorted(p.features)}
            for p in entitlements.catalogue()]


def feature_keys() -> list[str]:
    return sorted(entitlements.catalogue().feature_keys)


def summary(user: User) -> dict:
    company = user.company
    now = entitlements.current(company)
    use = quota.usage(company)
    enabled = set(company.enabled_features or [])
    from . import subscriptions
    return {
        "company": {"id": company.id, "name": company.name, "tax_id": company.tax_id,
                    "address": company.address, "postal_code": company.postal_code,
                    "city": company.city, "country": company.country, "timezone": company.timezone},
        "user": {"id": user.id, "email": user.email, "role": user.role,
                 "email_verified": user.email_verified_at is not None},
        "plan": plan_dict(now.plan),
        "chosen_plan": plan_dict(entitlements.chosen_plan(company)),
        "trial": {"active": now.trial_active, "ends_at": entitlements.trial_ends_at(company).isoformat()},
        "usage": {"period": use.period, "used": use.used, "limit": use.limit,
                  "remaining": use.remaining, "resets_at": use.resets_at.isoformat()},
        "features": [{"key": key, "enabled": key in enabled, "active": now.allows(key),
                      "available": key in now.plan.features, "suspended": key in now.suspended}
                     for key in feature_keys()],
        "subscription": subscriptions.summary(company),
    }


def _blockers_error(decision: plans.Decision) -> FeaturesActive:
    names = entitlements.catalogue()
    items = [b.to_dict() for b in decision.blockers]
    parts = [names.feature_name(b.feature, _lang()) if b.kind == "feature"
             else _("%(active)s users (the plan allows %(limit)s)", active=b.active, limit=b.limit)
             for b in decision.blockers]
    return FeaturesActive(
        _("Switch off first: %(what)s.", what=", ".join(parts)),
        {"plan": decision.plan.code if decision.plan else None, "blockers": items})


def _plan_required(decision: plans.Decision, key: str) -> PlanRequired:
    if decision.plan is None:
        return PlanRequired(_("No plan offers this feature."), {"feature": key, "plan": None})
    return PlanRequired(
        _("This feature needs the %(plan)s plan.", plan=decision.plan.name(_lang())),
        {"feature": key, "plan": decision.plan.code})


def move_to_plan(company, target: plans.Plan, previous: plans.Plan | None) -> None:
    """Puts `target` in force and switches on the features it includes that `previous`
    (the plan in force until now) lacked: what the user moves up for works at once. The
    user may switch them off again; features already on stay as they are."""
    gained = target.features - (previous.features if previous is not None else frozenset())
    company.plan_code = target.code
    if gained:
        company.enabled_features = sorted(set(company.enabled_features or ()) | gained)


def switch_feature(user: User, key: str, enabled: bool) -> None:
    """Switching on a feature of a higher plan during the trial moves the account up to
    the cheapest plan that has it (terms §2.3); outside the trial it needs that plan."""
    accounts.require_owner(user)
    accounts.require_unrestricted(user)
    company = user.company
    catalogue = entitlements.catalogue()
    if key not in catalogue.feature_keys:
        raise ValidationFailed({"key": [_("There is no such feature.")]})
    current = set(company.enabled_features or [])
    if not enabled:
        company.enabled_features = sorted(current - {key})
        db.session.commit()
        return
    now = entitlements.current(company)
    decision = plans.feature_switch_on(key, now.plan, catalogue, trial_active=now.trial_active,
                                       enabled_features=frozenset(current),
                                       active_users=entitlements.active_users(company.id))
    if decision.error_code:
        raise _plan_required(decision, key)
    company.enabled_features = sorted(current | {key})
    if decision.outcome == plans.Outcome.SWITCH_NOW and decision.plan is not None:
        move_to_plan(company, decision.plan, now.plan)
    db.session.commit()


def change_plan(user: User, code: str) -> plans.Decision:
    """During the trial any plan, if the account fits it; outside the trial only Free
    directly (paid plans go through an order)."""
    accounts.require_owner(user)
    accounts.require_unrestricted(user)
    company = user.company
    target = entitlements.catalogue().get((code or "").strip().lower())
    if target is None:
        raise ValidationFailed({"plan": [_("There is no such plan.")]})
    now = entitlements.current(company)
    decision = plans.plan_change(now.plan, target, trial_active=now.trial_active,
                                 enabled_features=frozenset(company.enabled_features or ()),
                                 active_users=entitlements.active_users(company.id))
    if decision.outcome == plans.Outcome.REFUSED:
        raise _blockers_error(decision)
    if decision.outcome == plans.Outcome.ORDER_REQUIRED:
        raise PlanRequired(_("Moving up to %(plan)s takes effect when its order is paid: "
                             "order it in Settings → Plan and billing.", plan=target.name(_lang())),
                           {"plan": target.code, "order_required": True})
    if decision.outcome == plans.Outcome.AT_RENEWAL:
        from . import subscriptions
        subscriptions.schedule_downgrade(company, target.code)
    elif decision.takes_effect_now:
        move_to_plan(company, target, now.plan)
        if target.is_free:
            from . import subscriptions
            subscriptions.end_now(company)  # §3.8: at once, without refund
    db.session.commit()
    return decision
