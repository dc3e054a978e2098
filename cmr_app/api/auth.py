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
    from ..services import entitlements
    if entitlements.user_blocked(user, g.get("users_in_company")):
        from ..errors import Forbidden
        raise Forbidden("Your company's plan allows fewer users; the owner can upgrade to let you back in.",
                        {"reason": "users_over_limit"})
    g.api_user = user
    set_current_company(user.company_id)
    return None


def current() -> User:
    return g.api_user
