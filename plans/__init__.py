"""Plans, quotas, the trial and prices: pure rules (no Flask, no database).

Plain values in, plain values out: Decimal money, aware UTC datetimes; the company's
time zone is applied inside wherever a rule speaks of local days or months.
The rules themselves: /work/shared/spec/PLANS.md.
"""
from .catalogue import FREE, Catalogue, Plan, load_catalogue
from .changes import (
    Blocker,
    Decision,
    Outcome,
    downgrade_blockers,
    feature_switch_on,
    plan_change,
    trial_switch,
)
from .entitlements import (
    Entitlements,
    effective_features,
    entitlements,
    plan_in_force,
    suspended_features,
)
from .pricing import (
    Promo,
    Quote,
    VatTreatment,
    promo_problem,
    quote,
    is_eu_country,
    reverse_charge_applies,
    validate_tax_id,
    vat_treatment,
)
from .quota import Usage, period_resets_at, period_starts_at, quota_period, usage
from .renewal import add_months_local, auto_renew_cancellable, next_period, period_from, renewal_due
from .trial import trial_active, trial_days_left, trial_reminder_due, trial_window

__all__ = [
    "FREE", "Catalogue", "Plan", "load_catalogue",
    "Blocker", "Decision", "Outcome", "downgrade_blockers", "feature_switch_on", "plan_change",
    "trial_switch",
    "Entitlements", "effective_features", "entitlements", "plan_in_force", "suspended_features",
    "Promo", "Quote", "VatTreatment", "promo_problem", "quote", "reverse_charge_applies", "is_eu_country",
    "validate_tax_id", "vat_treatment",
    "Usage", "period_resets_at", "period_starts_at", "quota_period", "usage",
    "add_months_local", "auto_renew_cancellable", "next_period", "period_from", "renewal_due",
    "trial_active", "trial_days_left", "trial_reminder_due", "trial_window",
]
