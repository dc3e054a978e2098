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
    if request.endpoint in PDF_DOWNLOAD:
        # Its one SELECT runs in autocommit, outside the session (extensions.autocommit_engine).
        download = tokens.download_values(secret.strip(), _document_in_path())
        if download is None:
            raise Unauthorized("This API token is not valid.")
        answer = cached_pdf(download)
        if answer is not None:
            return answer
        # The rest reads without a transaction too (unless the catalogue was just read in
        # one): no BEGIN and ROLLBACK round trips, and the connection keeps its prepared
        # statements (a ROLLBACK drops them).
        if not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        user = tokens.attach(download)
    else:
        user = tokens.user_for_token(secret.strip(), document_id=_document_in_path())
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


def cached_pdf(download: tokens.Download):
    """The answer to a PDF download that the cache holds (or a 304), made from the token
    query's plain values alone, without ORM objects: most downloads are of a PDF drawn
    before. None whenever the request has anything else to say or do; the ordinary path
    then answers it from the same values: another company's document, the token's use to
    note, a block, a plan's user limit or archive, a bad option, a PDF to render."""
    user, doc = download.user, download.document
    company = user.company
    if doc is None or tokens.use_to_note(download.token.last_used_at, download.now) \
            or company.blocked_at is not None:
        return None
    from ..services import documents, entitlements, pdf_cache
    from .routes import pdf_options
    set_current_company(company.id)
    plan = entitlements.plan_in_force(company)
    if not entitlements.within_user_limit(company, g.users_in_company, plan) or documents.archived(company, doc, plan):
        return None
    try:
        options = pdf_options(request.args)
    except ServiceError:
        return None
    return pdf_cache.cached_response(doc, company, documents.pdf_filename(doc, options["annex"]), **options)


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
