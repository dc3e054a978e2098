"""Feature switches of a company (company_logo, templates, email_documents, custom_numbering)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from ..errors import Conflict, PlanRequired
from ..models import Company
from . import entitlements


def require_feature(company: Company, key: str) -> None:
    """Refuses what a switched-off feature does: 402 plan_required (naming the cheapest
    plan that has it) when the plan lacks it, 409 when it is only switched off."""
    now = entitlements.current(company)
    catalogue = entitlements.catalogue()
    name = catalogue.feature_name(key, str(get_locale() or "en"))
    if key not in now.plan.features:
        plan = catalogue.cheapest_with({key})
        raise PlanRequired(_("“%(feature)s” needs the %(plan)s plan.", feature=name,
                             plan=plan.name(str(get_locale() or "en")) if plan else "?"),
                           {"feature": key, "plan": plan.code if plan else None})
    if not now.allows(key):
        raise Conflict(_("Switch on “%(feature)s” in Settings → Features first.", feature=name),
                       {"feature": key})
