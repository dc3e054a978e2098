"""Plan changes and switching features on (§2.3, §3.7–3.8, §4, §5.7).

The whole rule, in one place (`plan_change` and `feature_switch_on`):

- During the trial any plan may be chosen without paying, and takes effect at once,
  unless the target lacks a switched-on feature or allows fewer users than are
  active: then the move is refused with the list of blockers to clear first
  (HTTP 409 `features_active`). Switching on a feature the plan lacks moves the
  account to the cheapest plan that has it and keeps every feature already on.
- Outside the trial the only direct move is to Free, and it is always allowed:
  nothing is refused, the features Free lacks are suspended (kept, not deleted).
  Moving up needs a paid order; moving down between paid plans takes effect at the
  next renewal, and the blockers are what the account must clear by then.
  Switching on a feature the plan lacks is refused (HTTP 402 `plan_required`,
  naming the cheapest plan that has it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import AbstractSet

from .catalogue import Catalogue, Plan


@dataclass(frozen=True)
class Blocker:
    """Something to switch off or remove before the target plan fits."""
    kind: str  # "feature" or "users"
    feature: str | None = None  # kind "feature": the key to switch off
    active: int | None = None  # kind "users": active users now
    limit: int | None = None  # kind "users": the target plan's limit

    def to_dict(self) -> dict:
        if self.kind == "feature":
            return {"kind": "feature", "key": self.feature}
        return {"kind": "users", "active": self.active, "limit": self.limit}


def downgrade_blockers(
    target: Plan, *, enabled_features: AbstractSet[str], active_users: int
) -> list[Blocker]:
    """What keeps the account from fitting `target`: features first (by key), then users."""
    blockers = [Blocker("feature", feature=key) for key in sorted(set(enabled_features) - target.features)]
    if active_users > target.users:
        blockers.append(Blocker("users", active=active_users, limit=target.users))
    return blockers


class Outcome(StrEnum):
    UNCHANGED = "unchanged"  # already so: nothing to do
    SWITCH_NOW = "switch_now"  # set the account's plan to `plan` at once
    ORDER_REQUIRED = "order_required"  # outside the trial, up: pay an order for `plan`
    AT_RENEWAL = "at_renewal"  # outside the trial, down between paid plans: from the next renewal
    REFUSED = "refused"  # trial move: clear `blockers` first (409 features_active)
    PLAN_REQUIRED = "plan_required"  # outside the trial, feature not in plan: `plan` has it (402)
    UNAVAILABLE = "unavailable"  # no plan in the catalogue offers it


_ERROR_CODES = {
    Outcome.REFUSED: "features_active",
    Outcome.PLAN_REQUIRED: "plan_required",
    Outcome.UNAVAILABLE: "plan_required",
}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    plan: Plan | None = None  # the plan to move to, order, or name in the refusal
    blockers: tuple[Blocker, ...] = ()
    suspended: frozenset[str] = field(default_factory=frozenset)  # features the move suspends

    @property
    def takes_effect_now(self) -> bool:
        return self.outcome in (Outcome.UNCHANGED, Outcome.SWITCH_NOW)

    @property
    def error_code(self) -> str | None:
        """The API error code when the request cannot be done as asked, else None."""
        return _ERROR_CODES.get(self.outcome)


def plan_change(
    current: Plan,
    target: Plan,
    *,
    trial_active: bool,
    enabled_features: AbstractSet[str],
    active_users: int,
) -> Decision:
    """What happens when the account asks to move from `current` (the plan in force) to `target`."""
    if target.code == current.code:
        return Decision(Outcome.UNCHANGED, plan=current)
    blockers = tuple(downgrade_blockers(target, enabled_features=enabled_features, active_users=active_users))
    if trial_active:
        if blockers:
            return Decision(Outcome.REFUSED, plan=target, blockers=blockers)
        return Decision(Outcome.SWITCH_NOW, plan=target)
    if target.is_free:
        # §3.8: always allowed, no refund; what Free lacks is suspended, not refused.
        return Decision(Outcome.SWITCH_NOW, plan=target, suspended=frozenset(enabled_features) - target.features)
    if _rank(target) > _rank(current):
        return Decision(Outcome.ORDER_REQUIRED, plan=target)
    return Decision(Outcome.AT_RENEWAL, plan=target, blockers=blockers)


def trial_switch(
    current: Plan, target: Plan, *, enabled_features: AbstractSet[str], active_users: int
) -> Decision:
    """`plan_change` during the trial: SWITCH_NOW, UNCHANGED or REFUSED with blockers."""
    return plan_change(
        current, target, trial_active=True, enabled_features=enabled_features, active_users=active_users
    )


def feature_switch_on(
    key: str,
    current_plan: Plan,
    catalogue: Catalogue,
    *,
    trial_active: bool,
    enabled_features: AbstractSet[str] = frozenset(),
    active_users: int = 0,
) -> Decision:
    """Switching feature `key` on while `current_plan` is in force.

    The plan moved to (trial) or named (outside it) keeps every feature already
    switched on and the active users, so switching one on never switches another off.
    """
    if key not in catalogue.feature_keys:
        raise ValueError(f"unknown feature {key!r}")
    if current_plan.has(key):
        return Decision(Outcome.UNCHANGED, plan=current_plan)
    wanted = set(enabled_features) | {key}
    target = catalogue.cheapest_with(wanted, min_users=active_users)
    if target is None:
        return Decision(Outcome.UNAVAILABLE)
    if trial_active:
        return Decision(Outcome.SWITCH_NOW, plan=target)
    return Decision(Outcome.PLAN_REQUIRED, plan=target)


def _rank(plan: Plan) -> tuple:
    return (plan.price_per_year, plan.position)
