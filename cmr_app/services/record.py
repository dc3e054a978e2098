"""The document's record (ECMR.md §4): events chained by SHA-256, and the log of who
opened its public pages. An event is stored as the exact canonical JSON that was hashed,
so anyone holding the events can recompute the chain from what the API returns."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Document, DocumentEvent, PublicView

EVENT_TYPES = ("issued", "amended", "signed", "taken_over", "delivered", "cancelled", "withdrawn")
VIEW_LIST_LIMIT = 100


def canonical(event: dict) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, event: dict) -> str:
    """hex SHA-256 of the previous hash ("" for the first event) followed by the event
    without its hash as canonical JSON."""
    return hashlib.sha256((prev_hash + canonical(event)).encode("utf-8")).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


def append(doc: Document, type_: str, *, by: str = "", at: datetime | None = None, reason: str | None = None,
           role: str | None = None, signer_name: str | None = None, captured_at: datetime | None = None,
           position: dict | None = None, reservations: list | None = None, photos: list | None = None,
           extra: dict | None = None) -> DocumentEvent:
    """Adds the next event to the document's chain, in the caller's transaction. The
    caller holds the document (saves of one document are serialised by its row), and the
    unique (document, seq) key refuses a second writer that raced past it."""
    assert type_ in EVENT_TYPES
    db.session.flush()
    # A document issued in this transaction has no events yet: nothing to look up.
    last = None if type_ == "issued" else db.session.execute(
        select(DocumentEvent.seq, DocumentEvent.hash).where(DocumentEvent.document_id == doc.id)
        .order_by(DocumentEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
    at = at or clock.now()
    body = {"seq": seq, "type": type_, "at": _iso(at), "version": doc.version, "fingerprint": doc.fingerprint,
            "by": by, "role": role, "signer_name": signer_name, "captured_at": _iso(captured_at),
            "position": position, "reservations": reservations or [], "photos": photos or [],
            "reason": reason, "prev_hash": prev_hash, **(extra or {})}
    event = DocumentEvent(company_id=doc.company_id, document_id=doc.id, seq=seq, type=type_, at=at,
                          body=canonical(body), prev_hash=prev_hash, hash=chain_hash(prev_hash, body))
    db.session.add(event)
    return event


def events(doc: Document) -> list[DocumentEvent]:
    return list(db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                                   .order_by(DocumentEvent.seq)))


def event_dict(event: DocumentEvent) -> dict:
    return {**json.loads(event.body), "hash": event.hash}


def verify_chain(items: list[dict]) -> bool:
    """True when every event's hash follows from the one before it."""
    prev = ""
    for item in items:
        body = {k: v for k, v in item.items() if k != "hash"}
        if body.get("prev_hash") != prev or chain_hash(prev, body) != item.get("hash"):
            return False
        prev = item["hash"]
    return True


# Openings of the public pages

def log_view(doc: Document, page: str, *, ip: str, user_agent: str, code: str = "") -> None:
    db.session.add(PublicView(company_id=doc.company_id, document_id=doc.id, at=clock.now(), page=page,
                              ip=(ip or "")[:64], user_agent=(user_agent or "")[:300], code=(code or "")[:40]))
    db.session.commit()


def views(doc: Document, limit: int = VIEW_LIST_LIMIT) -> tuple[list[PublicView], int]:
    """The latest openings, newest first, and how many there were in all."""
    items = list(db.session.scalars(select(PublicView).where(PublicView.document_id == doc.id)
                                    .order_by(PublicView.id.desc()).limit(limit)))
    total = db.session.scalar(select(func.count(PublicView.id)).where(PublicView.document_id == doc.id)) or 0
    return items, total


def view_dict(view: PublicView) -> dict:
    return {"at": _iso(view.at), "page": view.page, "ip": view.ip, "user_agent": view.user_agent,
            "code": view.code or None}
