"""Feature switches of a company (company_logo, templates, email_documents, custom_numbering)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..errors import PlanRequired
from ..models import Company
from . import entitlements


def require_feature(company: Company, key: str) -> None:
    if not entitlements.feature_on(company, key):
        raise PlanRequired(_("This needs the feature “%(key)s”: switch it on in Settings → Features.", key=key),
                           {"feature": key})
