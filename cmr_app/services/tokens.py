"""API bearer tokens: shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from flask import g
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import defer, joinedload

from .. import clock
from ..extensions import db
from ..models import ApiToken, Document, Subscription, User
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
    whose id is bound as `doc_id`, when it is the token's company's (else NULLs);
    without `with_content`, its content (kilobytes of JSON, parsed at every load) is left
    to be read if it is used."""
    from . import entitlements
    statement = (select(ApiToken, Subscription, entitlements.users_count_column(ApiToken.company_id),
                        *entitlements.catalogue_stamp_columns())
                 .outerjoin(Subscription, Subscription.company_id == ApiToken.company_id)
                 .where(ApiToken.token_hash == bindparam("token_hash"))
                 .options(joinedload(ApiToken.user).joinedload(User.company))
                 .execution_options(all_tenants=True))
    if with_document:
        statement = statement.add_columns(Document).outerjoin(
            Document, and_(Document.id == bindparam("doc_id"), Document.company_id == ApiToken.company_id))
        if not with_content:
            statement = statement.options(defer(Document.data))
    return statement


def user_for_token(secret: str, *, document_id: int | None = None, content: bool = True) -> User | None:
    """The token's user, or None. One query brings what every API call needs: the token,
    its user, the company, its subscription, how many users it has (for the plan's user
    limit) and the plan catalogue's stamp; the rest of the request reads them from there.
    With `document_id` (a path naming a document) the same query brings that document
    into the session, when it is the company's: the view then finds it there; with
    `content` False, without its content (a cached PDF is found by the document's version
    and times; only a rendering reads the content)."""
    from . import entitlements, subscriptions
    parameters = {"token_hash": _hash(secret)}
    if document_id is not None:
        parameters["doc_id"] = document_id
    row = db.session.execute(_token_statement(document_id is not None, content), parameters).first()
    if row is None:
        return None
    token, subscription, users, *stamp = row[:5]
    if document_id is not None:
        # The session holds its objects weakly: kept for the request, or it is gone before
        # the view asks for it.
        g.preloaded_document = row[5]
    subscriptions.remember_current(token.company_id, subscription)
    entitlements.note_catalogue_stamp(*stamp)
    g.users_in_company = users
    now = clock.now()
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
