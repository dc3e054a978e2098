"""Paid subscription periods. Billing (orders, payments, renewals) builds on this."""
from __future__ import annotations

from ..models import Company


def paid_plan_code(company: Company) -> str | None:
    # No billing yet: no company has a paid period, so outside the trial every
    # account runs on Free limits (PLANS.md "Trial over and unpaid").
    return None


def summary(company: Company) -> dict | None:
    return None


def schedule_downgrade(company: Company, plan_code: str) -> None:
    # Only reachable with a paid period (outside the trial, between paid plans).
    raise NotImplementedError("moving down at renewal arrives with billing")
