"""API bearer tokens: shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from flask import g
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload, load_only

from .. import clock
from ..extensions import db
from ..models import ApiToken, Company, Document, Subscription, User
from ..tenant import get_owned

PREFIX = "cmr_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    from .accounts import require_unrestricted
    require_unrestricted(user)  # terms §1.6: no new access for an unconfirmed address
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(company_id=user.company_id, user_id=user.id, name=(name or "API")[:100],
                     prefix=secret[:12], token_hash=_hash(secret))
    db.session.add(token)
    db.session.commit()
    return token, secret


@lru_cache(maxsize=3)
def _token_statement(with_document: bool = False, with_content: bool = True):
    """Built once: every API request runs it. `with_document` also brings the document
    whose id is bound as `doc_id`, when it is the token's company's (else NULLs).
    Without `with_content` (the PDF download) every row comes with only the columns a
    download reads: what the checks of every request ask (LIGHT_*) and what finds the
    cached PDF (pdf_cache.DOCUMENT_KEY_COLUMNS). A cached download reads no other, and a
    rendering loads the rest of the document in one statement (pdf_cache.complete); any
    other column read is loaded when it is asked for. Half the columns: psycopg and the
    ORM handle each column of each row, and that was a tenth of a cached download."""
    from . import entitlements, pdf_cache, subscriptions
    statement = (select(ApiToken, entitlements.users_count_column(ApiToken.company_id),
                        *entitlements.catalogue_stamp_columns(),
                        subscriptions.paid_plan_code_column(ApiToken.company_id))
                 .where(ApiToken.token_hash == bindparam("token_hash"))
                 .execution_options(all_tenants=True))
    if with_content:
        statement = statement.add_columns(Subscription).outerjoin(
            Subscription, Subscription.company_id == ApiToken.company_id).options(
            joinedload(ApiToken.user).joinedload(User.company))
    else:
        statement = statement.options(
            load_only(*LIGHT_TOKEN),
            joinedload(ApiToken.user).load_only(*LIGHT_USER)
            .joinedload(User.company).load_only(*LIGHT_COMPANY))
    if with_document:
        statement = statement.add_columns(Document).outerjoin(
            Document, and_(Document.id == bindparam("doc_id"), Document.company_id == ApiToken.company_id))
        if not with_content:
            statement = statement.options(load_only(*pdf_cache.DOCUMENT_KEY_COLUMNS))
    return statement


# What every API request reads of the token's rows: the token's use, the user's role and
# company, the company's plan, features, time zone and block (services/entitlements,
# blocking), and the printer settings and logo hash of the PDF's key. The paid plan comes
# as a column of its own; the subscription is read if something asks for it.
LIGHT_TOKEN = (ApiToken.id, ApiToken.user_id, ApiToken.company_id, ApiToken.last_used_at)
LIGHT_USER = (User.id, User.company_id, User.role)
LIGHT_COMPANY = (Company.id, Company.plan_code, Company.registered_at, Company.timezone,
                 Company.enabled_features, Company.blocked_at, Company.logo_hash,
                 Company.print_offset_x_mm, Company.print_offset_y_mm, Company.print_scale_pct)


def user_for_token(secret: str, *, document_id: int | None = None, content: bool = True) -> User | None:
    """The token's user, or None. One query brings what every API call needs: the token,
    its user, the company, its subscription and paid plan, how many users it has (for the
    plan's user limit) and the plan catalogue's stamp; the rest of the request reads them
    from there.
    With `document_id` (a path naming a document) the same query brings that document
    into the session, when it is the company's: the view then finds it there. With
    `content` False (the PDF download), the rows come light (see _token_statement)."""
    from . import entitlements, subscriptions
    parameters = {"token_hash": _hash(secret), "now": clock.now()}
    if document_id is not None:
        parameters["doc_id"] = document_id
    row = db.session.execute(_token_statement(document_id is not None, content), parameters).first()
    if row is None:
        return None
    token, users, plans_count, plans_changed, paid, *rest = row
    if content:
        subscriptions.remember_current(token.company_id, rest.pop(0))
    if document_id is not None:
        # The session holds its objects weakly: kept for the request, or it is gone before
        # the view asks for it.
        g.preloaded_document = rest.pop(0)
    subscriptions.remember_paid(token.company_id, paid)
    entitlements.note_catalogue_stamp(plans_count, plans_changed)
    g.users_in_company = users
    now = parameters["now"]
    # Written at most once a minute so busy clients do not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(user: User, token_id) -> None:
    token = get_owned(ApiToken, token_id, user.company_id)
    if token.user_id != user.id and user.role != "owner":
        from ..errors import NotFound
        raise NotFound()
    db.session.delete(token)
    db.session.commit()
