"""Which plan's limits and features apply right now (§2.2, §2.4, §3.8, §5.7).

- In the trial: the plan chosen at registration (or switched to since), unpaid.
- Outside the trial with a paid, active subscription: the subscription's plan.
- Outside the trial, unpaid: Free limits; paid features are suspended, not deleted:
  the account's switched-on set is kept and comes back when a paid plan is active.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet

from .catalogue import Catalogue, Plan


def plan_in_force(
    chosen_plan: Plan, catalogue: Catalogue, *, trial_active: bool, paid_plan_code: str | None
) -> Plan:
    """`paid_plan_code`: the plan of a paid subscription whose period covers now, else None."""
    if trial_active:
        return chosen_plan
    if paid_plan_code is not None:
        return catalogue[paid_plan_code]
    return catalogue.free


def effective_features(enabled: AbstractSet[str], plan: Plan) -> frozenset[str]:
    """Switched on and included in the plan in force: the features that work."""
    return frozenset(enabled) & plan.features


def suspended_features(enabled: AbstractSet[str], plan: Plan) -> frozenset[str]:
    """Switched on but not in the plan in force: kept, but not working."""
    return frozenset(enabled) - plan.features


@dataclass(frozen=True)
class Entitlements:
    plan: Plan  # the plan in force
    trial_active: bool
    features: frozenset[str]  # effective: usable now
    suspended: frozenset[str]

    @property
    def documents_per_month(self) -> int:
        return self.plan.documents_per_month

    @property
    def users(self) -> int:
        return self.plan.users

    @property
    def archive_months(self) -> int | None:
        return self.plan.archive_months

    def allows(self, feature: str) -> bool:
        return feature in self.features


def entitlements(
    chosen_plan: Plan,
    catalogue: Catalogue,
    *,
    trial_active: bool,
    paid_plan_code: str | None,
    enabled_features: AbstractSet[str] = frozenset(),
) -> Entitlements:
    plan = plan_in_force(chosen_plan, catalogue, trial_active=trial_active, paid_plan_code=paid_plan_code)
    return Entitlements(
        plan=plan,
        trial_active=trial_active,
        features=effective_features(enabled_features, plan),
        suspended=suspended_features(enabled_features, plan),
    )
