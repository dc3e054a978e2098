"""The e-mail outbox: a service that wants an e-mail sent records a row here, in its own
transaction, and commits it with what caused it. Delivery is cmr_app/sender.py's job;
this module only knows the rows (recording, claiming, the outcome, what admins see)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select, update

from .. import clock
from ..extensions import db
from ..models import OutboxMail

MAX_ATTEMPTS = 10          # then the row is "failed" and shown to admins
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)  # a sender that died mid-delivery: the row is taken again


def _one_line(value: str, limit: int) -> str:
    # A line break in a header would make the message impossible to build (the company
    # name goes into subjects), so every run of whitespace becomes one space.
    return " ".join((value or "").split())[:limit]


def record(recipient: str, subject: str, body: str, *, kind: str, company_id: int | None = None,
           document_id: int | None = None, attachment: dict | None = None) -> OutboxMail:
    """Adds the e-mail to the session; the caller's commit makes it real (or its
    rollback drops it together with what caused it)."""
    row = OutboxMail(recipient=_one_line(recipient, 320), subject=_one_line(subject, 300), body=body,
                     kind=kind, company_id=company_id, document_id=document_id, attachment=attachment,
                     status="pending", attempts=0, next_attempt_at=clock.now(), created_at=clock.now())
    db.session.add(row)
    return row


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failed attempt, at most 6 hours."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def due_ids(now=None, *, include_failed: bool = False, ignore_backoff: bool = False, limit: int = 1000) -> list[int]:
    now = now or clock.now()
    waiting = OutboxMail.status == "pending"
    if not ignore_backoff:
        waiting = waiting & (OutboxMail.next_attempt_at <= now)
    conditions = [waiting, (OutboxMail.status == "sending") & (OutboxMail.claimed_at < now - STALE_CLAIM)]
    if include_failed:
        conditions.append(OutboxMail.status == "failed")
    return list(db.session.scalars(select(OutboxMail.id).where(or_(*conditions))
                                   .order_by(OutboxMail.id).limit(limit)))


def claim(mail_id: int, now=None, *, include_failed: bool = False, ignore_backoff: bool = False) -> bool:
    """Takes the row for one sender with a guarded UPDATE, committed at once: of two
    senders (a queue job and `mail retry`, or two parallel retries) exactly one gets it."""
    now = now or clock.now()
    takeable = OutboxMail.status == "pending"
    if not ignore_backoff:
        takeable = takeable & (OutboxMail.next_attempt_at <= now)
    takeable = or_(takeable, (OutboxMail.status == "sending") & (OutboxMail.claimed_at < now - STALE_CLAIM))
    if include_failed:
        takeable = or_(takeable, OutboxMail.status == "failed")
    taken = db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, takeable)
                               .values(status="sending", claimed_at=now, attempts=OutboxMail.attempts + 1)
                               .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return taken == 1


def mark_sent(mail_id: int) -> None:
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id)
                       .values(status="sent", sent_at=clock.now(), last_error=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def mark_attempt_failed(mail_id: int, error: str, *, permanent: bool = False) -> OutboxMail:
    """Back to "pending" with the next attempt pushed out, or "failed" for good after
    MAX_ATTEMPTS (or at once when retrying cannot help)."""
    db.session.rollback()  # whatever the failed attempt left in the session
    row = db.session.get(OutboxMail, mail_id)
    row.last_error = (error or "unknown error")[:2000]
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        row.status = "pending"
        row.next_attempt_at = clock.now() + backoff(row.attempts)
    db.session.commit()
    return row


# What people see

def failed(limit: int = 200) -> list[OutboxMail]:
    """Rows that kept failing, newest first (the admin list)."""
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.status == "failed")
                                   .order_by(OutboxMail.id.desc()).limit(limit)))


def counts() -> dict:
    """Rows per status: {"pending": n, "sent": n, …}."""
    return dict(db.session.execute(select(OutboxMail.status, func.count(OutboxMail.id))
                                   .group_by(OutboxMail.status)).all())


def for_document(company_id: int, document_id: int, limit: int = 20) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.company_id == company_id,
                                                            OutboxMail.document_id == document_id)
                                   .order_by(OutboxMail.id.desc()).limit(limit)))


def send_again(mail_id: int) -> OutboxMail | None:
    """An admin's retry of a failed row: pending again, due now, with a fresh count of attempts."""
    row = db.session.get(OutboxMail, mail_id)
    if row is None or row.status != "failed":
        return None
    row.status, row.attempts, row.next_attempt_at = "pending", 0, clock.now()
    db.session.commit()
    return row


def to_dict(row: OutboxMail) -> dict:
    return {"id": row.id, "to": row.recipient, "status": row.status, "attempts": row.attempts,
            "last_error": row.last_error,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "created_at": row.created_at.isoformat()}
