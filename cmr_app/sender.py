"""The one module that sends e-mails: it delivers the outbox rows that services record
(services/outbox.py) through the MAIL_URL transport (mail.py).

After a transaction that recorded rows commits, they are handed on when the app context
ends (the request, the CLI command, the job): with REDIS_URL as one RQ job, without it
delivered inline. If Redis cannot take the job, the rows simply wait; `flask mail retry`
(cron, and `jobs daily`) sends every row whose time has come. A failed attempt is
retried with exponential back-off; after outbox.MAX_ATTEMPTS the row is "failed" and
listed to admins. A message is sent at least once: only a crash between the SMTP
server's acceptance and the "sent" mark can send it twice."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import clock, mail, tasks
from .extensions import db
from .models import BillingDocument, Document, OutboxMail
from .services import billing, documents, outbox
from .tenant import set_current_company

log = logging.getLogger(__name__)

_FLUSHED = "outbox_flushed"
_READY = "outbox_ready"


class PermanentFailure(Exception):
    """Retrying cannot help (the document of the attachment is gone)."""


# Which rows a commit made ready to send

@event.listens_for(Session, "after_flush")
def _remember_flushed(session, flush_context):
    now = clock.now()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, OutboxMail) and obj.status == "pending" and (
                obj.next_attempt_at is None or obj.next_attempt_at <= now):
            session.info.setdefault(_FLUSHED, set()).add(obj.id)


@event.listens_for(Session, "after_commit")
def _committed(session):
    flushed = session.info.pop(_FLUSHED, None)
    if flushed:
        session.info.setdefault(_READY, set()).update(flushed)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop(_FLUSHED, None)


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is removed.
    app.teardown_appcontext(_dispatch_on_teardown)


def _dispatch_on_teardown(exc=None) -> None:
    try:
        dispatch()
    except Exception:  # never let a mail problem spoil the answer; the rows wait for `mail retry`
        log.exception("handing committed e-mails to the sender failed; they wait for `flask mail retry`")


def dispatch() -> list[int]:
    """Hands the rows committed so far in this context to the queue, or sends them now."""
    if not has_app_context() or not db.session.registry.has():
        return []  # no session in this context (the PDF download's cached answer): nothing committed
    ids = sorted(db.session().info.pop(_READY, ()) or ())
    if not ids:
        return []
    if current_app.config.get("REDIS_URL"):
        try:
            tasks.enqueue(deliver_job, ids=ids)
        except Exception as error:  # Redis away: the rows are safe in the database
            log.warning("could not queue e-mails %s (%s); they wait for `flask mail retry`", ids, error)
        return ids
    db.session.rollback()  # the request's own work is over; start the sender's on a clean session
    deliver_job(ids)
    return ids


def deliver_job(ids: list[int]) -> None:
    """The RQ job (and the inline path): deliver these rows if they are still pending.
    They were due when handed over, so the time is not checked again (a worker whose
    clock is behind the web's would otherwise leave them for `mail retry`)."""
    with _delivery_context():
        deliver_many(ids, ignore_backoff=True)


def deliver_many(ids, *, include_failed: bool = False, ignore_backoff: bool = False) -> dict:
    done = {"sent": 0, "failed": 0, "skipped": 0}
    for mail_id in ids:
        done[deliver(mail_id, include_failed=include_failed, ignore_backoff=ignore_backoff)] += 1
    return done


def deliver(mail_id: int, *, include_failed: bool = False, ignore_backoff: bool = False) -> str:
    """"sent", "failed" (this attempt) or "skipped" (another sender has it, or it is done)."""
    if not outbox.claim(mail_id, include_failed=include_failed, ignore_backoff=ignore_backoff):
        return "skipped"
    row = db.session.get(OutboxMail, mail_id)
    try:
        message = mail.build_message(row.recipient, row.subject, row.body, None, _attachments(row))
        mail.deliver(message, current_app.config["MAIL_URL"])
    except PermanentFailure as error:
        outbox.mark_attempt_failed(mail_id, str(error), permanent=True)
        return "failed"
    except Exception as error:
        log.warning("e-mail %s to %s failed: %s", mail_id, row.recipient, error)
        outbox.mark_attempt_failed(mail_id, f"{type(error).__name__}: {error}")
        return "failed"
    outbox.mark_sent(mail_id)
    return "sent"


def retry_due(*, include_failed: bool = False, ignore_backoff: bool = False) -> dict:
    """`flask mail retry`: every row not yet sent whose time has come (with the flags,
    also those waiting for their back-off, and failed ones). Safe in parallel: each row
    is claimed before it is sent. Each row is tried at most once per run."""
    done, seen = {"sent": 0, "failed": 0, "skipped": 0}, set()
    db.session().info.pop(_READY, None)  # this run takes the rows this context committed, too
    with _delivery_context():
        while True:
            ids = [i for i in outbox.due_ids(include_failed=include_failed, ignore_backoff=ignore_backoff,
                                             limit=len(seen) + 200) if i not in seen]
            if not ids:
                return done
            seen.update(ids)
            for key, count in deliver_many(ids, include_failed=include_failed,
                                           ignore_backoff=ignore_backoff).items():
                done[key] += count


@contextmanager
def _delivery_context():
    """Templates, url_for (links and QR codes) and Babel need a request; links are made
    absolute with BASE_URL. The tenant guard is off: the sender works for every company."""
    if has_request_context():
        set_current_company(None)
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        set_current_company(None)
        yield


def _attachments(row: OutboxMail) -> list[tuple[str, str, bytes]]:
    """PDFs are made at send time, from the ids the row keeps, not in the web request."""
    spec = row.attachment or {}
    if not spec:
        return []
    if spec.get("type") == "document_pdf":
        doc = db.session.get(Document, spec["id"])
        if doc is None or doc.withdrawn_at is not None:
            raise PermanentFailure("the document was withdrawn before its e-mail could be sent")
        return [(documents.pdf_filename(doc), "application/pdf", documents.render_pdf(doc))]
    if spec.get("type") == "billing_pdf":
        document = db.session.get(BillingDocument, spec["id"])
        if document is None:
            raise PermanentFailure("the billing document is gone")
        return [(document.number.replace("/", "-") + ".pdf", "application/pdf", billing.render(document))]
    raise PermanentFailure(f"unknown attachment {spec!r}")
