"""A document's life after issue (ECMR.md §1–2): versions and their check codes,
cancelling (kept and marked) and withdrawing (content erased, number kept), and the
verdict on a check code read from a paper copy."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Document, DocumentVersion, User
from . import record
from .search import document_search_text

REASON_MAX = 500


def _who(user: User | None) -> str:
    return user.email if user is not None else ""


def first_version(doc: Document, user: User | None) -> None:
    doc.version = 1
    db.session.add(DocumentVersion(document_id=doc.id, version=1, fingerprint=doc.fingerprint,
                                   data=doc.data, created_at=doc.updated_at,
                                   created_by_id=user.id if user else None, created_by=_who(user)))
    record.append(doc, "issued", by=_who(user), at=doc.created_at)


def new_version(doc: Document, user: User | None) -> None:
    """The content changed: the next version, and an `amended` event carrying its code."""
    doc.version = (doc.version or 1) + 1
    db.session.add(DocumentVersion(document_id=doc.id, version=doc.version, fingerprint=doc.fingerprint,
                                   data=doc.data, created_at=doc.updated_at,
                                   created_by_id=user.id if user else None, created_by=_who(user)))
    record.append(doc, "amended", by=_who(user), at=doc.updated_at)
    from . import signatures
    signatures.void_links(doc)


def require_content(doc: Document) -> None:
    if doc.withdrawn_at is not None:
        raise Conflict(_("CMR %(number)s was withdrawn; its content is erased.", number=doc.number))


def require_editable(doc: Document) -> None:
    require_content(doc)
    if doc.first_signed_at is not None:
        raise Conflict(_("CMR %(number)s has been signed: its content is locked. Cancel it and issue a new one "
                         "if it must change.", number=doc.number))
    if doc.status == "cancelled":
        raise Conflict(_("CMR %(number)s is cancelled and cannot be changed. Duplicate it to issue a new one.",
                         number=doc.number))


def require_printable(doc: Document) -> None:
    require_content(doc)


def _reason(reason, *, required: bool) -> str:
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": [_("Give the reason as text.")]})
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationFailed({"reason": [_("Say why the CMR is cancelled; the reason is printed on it.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("At most %(n)s characters.", n=REASON_MAX)]})
    return reason


def cancel(doc: Document, user: User, reason) -> None:
    """Kept, marked CANCELLED online and on every copy printed afterwards. The quota
    place stays taken."""
    require_content(doc)
    reason = _reason(reason, required=True)
    if doc.status == "cancelled":
        raise Conflict(_("CMR %(number)s is already cancelled.", number=doc.number))
    doc.status = "cancelled"
    doc.cancelled_at = clock.now()
    doc.cancel_reason = reason
    doc.updated_at = doc.cancelled_at
    record.append(doc, "cancelled", by=_who(user), at=doc.cancelled_at, reason=reason)


def withdraw(doc: Document, user: User, reason="") -> None:
    """The content (and every version's content) is erased; the number, the check codes
    and the record stay, so the number is never given again and a scanned copy is told
    that it was withdrawn, by whom and when."""
    require_content(doc)
    reason = _reason(reason, required=False)
    now = clock.now()
    doc.withdrawn_at = now
    doc.status = "withdrawn"
    doc.data = {}
    doc.search_text = document_search_text(doc.number, {})
    doc.updated_at = now
    for version in doc.versions:
        version.data = {}
    record.append(doc, "withdrawn", by=_who(user), at=now, reason=reason or None)


def versions(doc: Document) -> list[DocumentVersion]:
    return list(db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
                                   .order_by(DocumentVersion.version)))


def version_dict(doc: Document, version: DocumentVersion) -> dict:
    return {"version": version.version, "fingerprint": version.fingerprint,
            "created_at": version.created_at.isoformat(), "created_by": version.created_by,
            "current": version.version == doc.version}


# The check code on a paper copy

def normalize_code(raw: str) -> str:
    return "".join(c for c in (raw or "").lower() if c.isalnum())[:40]


@dataclass(frozen=True)
class Verdict:
    kind: str  # current | superseded | unknown
    code: str
    version: int | None = None          # the version that code belongs to
    version_at: datetime | None = None
    current: int | None = None          # the current version
    current_at: datetime | None = None


def verdict(doc: Document, raw_code: str) -> Verdict | None:
    """None when no code was given. A code matches the version whose check code it is;
    with the same content saved again, the newest such version answers."""
    code = normalize_code(raw_code)
    if not code:
        return None
    all_versions = versions(doc)
    current = next((v for v in all_versions if v.version == doc.version), None)
    matches = [v for v in all_versions if v.fingerprint == code]
    if not matches:
        return Verdict("unknown", code, current=doc.version, current_at=current.created_at if current else None)
    match = matches[-1]
    kind = "current" if match.version == doc.version else "superseded"
    return Verdict(kind, code, match.version, match.created_at, doc.version,
                   current.created_at if current else None)
