"""Bearer-token authentication: the token acts as its user, with that user's role."""
from __future__ import annotations

from flask import g, request

from ..errors import ServiceError
from ..models import User
from ..services import tokens
from ..tenant import set_current_company
from . import bp

PUBLIC = {"api.openapi", "api.plans", "api.ecmr_schema"}


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    user = tokens.user_for_token(secret.strip())
    if user is None:
        raise Unauthorized("This API token is not valid.")
    from ..services import blocking, entitlements
    if user.company.blocked_at is not None and not _withdrawing_support_access():
        # consent stays the owner's to end, even while blocked
        blocking.refuse_if_blocked(user.company)  # terms §10.7: 403 account_blocked with the reason
    if entitlements.user_blocked(user, g.get("users_in_company")):
        from ..errors import Forbidden
        raise Forbidden("Your company's plan allows fewer users; the owner can upgrade to let you back in.",
                        {"reason": "users_over_limit"})
    g.api_user = user
    set_current_company(user.company_id)
    return None


def _withdrawing_support_access() -> bool:
    if request.endpoint != "api.support_access_switch" or request.method != "PUT":
        return False
    data = request.get_json(silent=True)  # None for a body too deep to parse (inputs)
    return isinstance(data, dict) and data.get("enabled") is False


def current() -> User:
    return g.api_user
