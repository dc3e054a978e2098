"""The public pricing page, rendered from the plans as stored (admins' edits included)."""
from __future__ import annotations

from decimal import Decimal

import plans
from plans.pricing import POLISH_VAT
from flask import render_template
from flask_babel import get_locale

from .. import clock
from ..services import entitlements
from . import pricing_bp

LONGER_PERIOD = 24


def _period_offer(plan: plans.Plan, catalogue: plans.Catalogue) -> dict | None:
    """The 24-month price of a paid plan, through the same arithmetic as orders."""
    rate = catalogue.billing_periods.get(LONGER_PERIOD)
    if plan.is_free or not rate:
        return None
    quote = plans.quote(plan, LONGER_PERIOD, reverse_charge=False, today=clock.now().date(),
                        period_discounts=catalogue.billing_periods)
    return {"months": LONGER_PERIOD, "percent": (rate * 100).normalize(), "net": quote.net,
            "per_year": (quote.net / (LONGER_PERIOD // 12)).quantize(Decimal("0.01"))}


def pricing_context() -> dict:
    """What the price cards need (the pricing page and the landing page)."""
    catalogue = entitlements.catalogue()
    lang = str(get_locale() or "en")
    # In the catalogue's own order: cheapest plan's features first.
    features = [(key, catalogue.feature_name(key, lang)) for key in catalogue.feature_names]
    offers = [{"plan": plan, "name": plan.name(lang), "offer": _period_offer(plan, catalogue)}
              for plan in catalogue]
    rate = catalogue.billing_periods.get(LONGER_PERIOD)
    return dict(offers=offers, features=features,
                period_percent=(rate * 100).normalize() if rate else None,
                period_months=LONGER_PERIOD,
                vat_percent=(POLISH_VAT * 100).normalize())


@pricing_bp.get("/pricing")
def pricing():
    return render_template("pricing.html", **pricing_context())
