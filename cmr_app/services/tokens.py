"""API bearer tokens: shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets
from collections import namedtuple
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from flask import g
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..extensions import autocommit_engine, db
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


@lru_cache(maxsize=2)
def _token_statement(with_document: bool = False):
    """Built once: every API request but the PDF download runs it (download_values).
    `with_document` also brings the document whose id is bound as `doc_id`, when it is the
    token's company's (else NULLs)."""
    from . import entitlements, subscriptions
    statement = (select(ApiToken, entitlements.users_count_column(ApiToken.company_id),
                        *entitlements.catalogue_stamp_columns(),
                        subscriptions.paid_plan_code_column(ApiToken.company_id), Subscription)
                 .outerjoin(Subscription, Subscription.company_id == ApiToken.company_id)
                 .where(ApiToken.token_hash == bindparam("token_hash"))
                 .options(joinedload(ApiToken.user).joinedload(User.company))
                 .execution_options(all_tenants=True))
    if with_document:
        statement = statement.add_columns(Document).outerjoin(
            Document, and_(Document.id == bindparam("doc_id"), Document.company_id == ApiToken.company_id))
    return statement


# What the PDF download reads of the token's rows: the token's use, the user's role and
# company, the company's plan, features, time zone and block (services/entitlements,
# blocking), the printer settings and logo hash of the PDF's key, and the document's
# key columns (pdf_cache.DOCUMENT_KEY_COLUMNS). The paid plan comes as a column of its own.
LIGHT_TOKEN = (ApiToken.id, ApiToken.user_id, ApiToken.company_id, ApiToken.last_used_at)
LIGHT_USER = (User.id, User.company_id, User.role)
LIGHT_COMPANY = (Company.id, Company.plan_code, Company.registered_at, Company.timezone,
                 Company.enabled_features, Company.blocked_at, Company.logo_hash,
                 Company.print_offset_x_mm, Company.print_offset_y_mm, Company.print_scale_pct)


def _names(columns) -> list[str]:
    return [column.key for column in columns]


# The values of one row, named as the model's attributes: the checks and the PDF's key
# read them as they read the model (duck typing), with no ORM object made.
TokenValues = namedtuple("TokenValues", _names(LIGHT_TOKEN))
UserValues = namedtuple("UserValues", [*_names(LIGHT_USER), "company"])
CompanyValues = namedtuple("CompanyValues", _names(LIGHT_COMPANY))


class Download(NamedTuple):
    token: TokenValues
    user: UserValues  # .company: CompanyValues
    document: tuple | None  # pdf_cache.DOCUMENT_KEY_COLUMNS' values, None if not the company's
    now: datetime


@lru_cache(maxsize=1)
def _download_statement():
    """The PDF download's token query: plain columns, run without the session. SQLAlchemy's
    ORM (its execution and the objects it builds from a row) was half the work of a cached
    download; a download the cache answers needs no ORM object (api/auth.py). With it, the
    slices of its row: the token's, the user's, the company's and the document's values,
    then the rest."""
    from . import entitlements, pdf_cache, subscriptions
    ends, end = [], 0
    for columns in (LIGHT_TOKEN, LIGHT_USER, LIGHT_COMPANY, pdf_cache.DOCUMENT_KEY_COLUMNS):
        ends.append(end := end + len(columns))
    slices = [slice(start, stop) for start, stop in zip([0, *ends], [*ends, None])]
    return slices, (select(*LIGHT_TOKEN, *LIGHT_USER, *LIGHT_COMPANY, *pdf_cache.DOCUMENT_KEY_COLUMNS,
                   entitlements.users_count_column(ApiToken.company_id),
                   *entitlements.catalogue_stamp_columns(),
                   subscriptions.paid_plan_code_column(ApiToken.company_id))
            .select_from(ApiToken)
            .join(User, User.id == ApiToken.user_id)
            .join(Company, Company.id == User.company_id)
            .outerjoin(Document, and_(Document.id == bindparam("doc_id"),
                                      Document.company_id == ApiToken.company_id))
            .where(ApiToken.token_hash == bindparam("token_hash")))


def download_values(secret: str, document_id: int | None) -> Download | None:
    """The PDF download's token, user, company and document as plain values, from one
    statement, or None for a token that is not valid. Notes what every request notes of
    its first query (the paid plan, the catalogue's stamp, the number of users)."""
    from . import entitlements, pdf_cache, subscriptions
    now = clock.now()
    (token, user, company, document, rest), statement = _download_statement()
    with autocommit_engine().connect() as connection:
        row = connection.execute(statement, {"token_hash": _hash(secret), "now": now, "doc_id": document_id}).first()
    if row is None:
        return None
    company = CompanyValues._make(row[company])
    users, plans_count, plans_changed, paid = row[rest]
    subscriptions.remember_paid(company.id, paid)
    entitlements.note_catalogue_stamp(plans_count, plans_changed)
    g.users_in_company = users
    document = row[document]
    return Download(TokenValues._make(row[token]), UserValues(*row[user], company),
                    pdf_cache.DocumentValues._make(document) if document[0] is not None else None, now)


def use_to_note(last_used_at, now) -> bool:
    """A token's use is written at most once a minute, so busy clients do not turn every
    read into a write."""
    return last_used_at is None or (now - last_used_at).total_seconds() > 60


def attach(download: Download) -> User:
    """The download's user (with its company) and document as ORM objects in the session,
    as if a query had loaded them, made from the values without a statement: for the path
    that renders or refuses, which reads them as the rest of the app does. A column not
    among the values loads when it is read (one statement for all of an object's)."""
    company = _attached(Company, download.user.company._asdict())
    user = _attached(User, {k: v for k, v in download.user._asdict().items() if k != "company"})
    set_committed_value(user, "company", company)  # no backref: company.users stays unloaded
    if download.document is not None:
        # The session holds its objects weakly: kept for the request, or it is gone before
        # the view asks for it.
        g.preloaded_document = _attached(Document, download.document._asdict())
    if use_to_note(download.token.last_used_at, download.now):
        token = _attached(ApiToken, download.token._asdict())
        token.last_used_at = download.now
        db.session.commit()
    return user


def _attached(model, values: dict):
    obj = model(**values)
    make_transient_to_detached(obj)  # loaded, unchanged; missing columns load when read
    db.session.add(obj)
    return obj


def user_for_token(secret: str, *, document_id: int | None = None) -> User | None:
    """The token's user, or None. One query brings what every API call needs: the token,
    its user, the company, its subscription and paid plan, how many users it has (for the
    plan's user limit) and the plan catalogue's stamp; the rest of the request reads them
    from there.
    With `document_id` (a path naming a document) the same query brings that document
    into the session, when it is the company's: the view then finds it there."""
    from . import entitlements, subscriptions
    parameters = {"token_hash": _hash(secret), "now": clock.now()}
    if document_id is not None:
        parameters["doc_id"] = document_id
    row = db.session.execute(_token_statement(document_id is not None), parameters).first()
    if row is None:
        return None
    token, users, plans_count, plans_changed, paid, subscription, *rest = row
    subscriptions.remember_current(token.company_id, subscription)
    if document_id is not None:
        g.preloaded_document = rest.pop(0)  # held for the request (see attach)
    subscriptions.remember_paid(token.company_id, paid)
    entitlements.note_catalogue_stamp(plans_count, plans_changed)
    g.users_in_company = users
    now = parameters["now"]
    if use_to_note(token.last_used_at, now):
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
