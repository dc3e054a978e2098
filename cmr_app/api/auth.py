"""Bearer-token authentication: the token acts as its user, with that user's role."""
from __future__ import annotations

from flask import g, request

from ..errors import ServiceError
from ..extensions import db
from ..models import User
from ..services import tokens
from ..tenant import MAX_ID, set_current_company
from . import bp

PUBLIC = {"api.openapi", "api.plans", "api.ecmr_schema"}
# The PDF download: it only reads, so its queries run outside a transaction (see
# authenticate; a view here must not write, bar the token's last use, one statement), and
# the token query brings its document without the content, which only a rendering reads.
PDF_DOWNLOAD = {"api.document_pdf"}


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
    pdf = request.endpoint in PDF_DOWNLOAD
    if pdf:
        # One SELECT needs no transaction around it: no BEGIN and ROLLBACK round trips,
        # and the connection keeps its prepared statements (a ROLLBACK drops them).
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    user = tokens.user_for_token(secret.strip(), document_id=_document_in_path(), content=not pdf)
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


def _document_in_path() -> int | None:
    """The document a /documents/<doc_id> path names, for the token query to bring along."""
    value = (request.view_args or {}).get("doc_id")
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):  # "²" is a digit to str
        return None
    return int(value) if 0 < int(value) <= MAX_ID else None


def _withdrawing_support_access() -> bool:
    if request.endpoint != "api.support_access_switch" or request.method != "PUT":
        return False
    data = request.get_json(silent=True)  # None for a body too deep to parse (inputs)
    return isinstance(data, dict) and data.get("enabled") is False


def current() -> User:
    return g.api_user
