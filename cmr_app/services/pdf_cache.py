"""Rendered CMR PDFs kept for reuse: a 500-line document costs seconds of CPU to draw,
and the driver's link, the office's download and the API ask for the same bytes again
and again. The key holds everything that changes the output, so a cached PDF is never
stale: the document's id, fingerprint, last save and status, its signatures and last
event, the options asked for, the company's printer offset, its logo (and whether the
logo feature is on) and the site's address printed under the QR code. The key's hash is also the PDF's ETag.

Storage: Redis (with a TTL) when REDIS_URL is set, else a per-process LRU bounded in
bytes. With Redis, the process's LRU still answers first: a key names one rendering of
one version, so a copy kept in memory can never be stale. Redis being unreachable never
breaks a PDF: the PDF is rendered and the cache is skipped for a short while.

With Redis set, issuing a document or saving a new version queues the rendering of its
PDF with the default options (prerender_later): the document waits in a Redis set that a
job on the low-priority queue drains; the first download is then a hit."""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict, namedtuple

from flask import Response, current_app, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Company, Document
from . import documents, entitlements

log = logging.getLogger(__name__)

# Raise when the renderer's output changes for the same input: old entries then miss.
RENDER_FORMAT = 3
DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
DEFAULT_TTL_SECONDS = 24 * 3600
REDIS_RETRY_AFTER = 30.0  # seconds without trying Redis after it failed
REDIS_PREFIX = "cmr:pdf:"


def get_or_render(doc: Document, *, tag: str | None = None, **options) -> tuple[bytes, str]:
    """The PDF for `doc` with `options` (languages, copies, blank, annex, anonymous) and its
    ETag (`tag`, when the caller has just computed it)."""
    tag = tag or etag(doc, **options)
    store = _store()
    pdf = store.get(tag)
    if pdf is None:
        complete(doc)
        pdf = documents.render_pdf(doc, **options)
        store.put(tag, pdf)
    return pdf, tag


# The document's columns that the key and a download's checks read (etag,
# documents.get_document, pdf_filename): the API's PDF download brings only these with
# its token (services/tokens.py), and a rendering loads the rest (complete).
DOCUMENT_KEY_COLUMNS = (Document.id, Document.company_id, Document.number, Document.status,
                        Document.fingerprint, Document.created_at, Document.updated_at,
                        Document.first_signed_at, Document.taken_over_at, Document.delivered_at)
# Those columns' values, named as the document's attributes (etag and the checks read them).
DocumentValues = namedtuple("DocumentValues", [column.key for column in DOCUMENT_KEY_COLUMNS])


def complete(obj) -> None:
    """Loads in one statement the columns a light query (load_only) left out of `obj`,
    rather than one statement per column as each is read. Columns its mapping defers
    (a document's search text) stay deferred."""
    state = inspect(obj)
    columns = state.mapper.column_attrs
    missing = [key for key in state.unloaded if key in columns and not columns[key].deferred]
    if missing and state.persistent:
        db.session.refresh(obj, attribute_names=missing)


def prerender_later(doc: Document) -> None:
    """Queues the rendering of `doc`'s PDF (the options every download starts with) once
    the transaction that saves it commits, when REDIS_URL is set. Without Redis, with
    Redis away, or when the transaction is rolled back, nothing: the first download
    renders it, as before."""
    if not current_app.config.get("REDIS_URL"):
        return
    db.session.flush()  # a new document's id
    db.session().info.setdefault(_PENDING, set()).add((doc.id, doc.company_id))


_PENDING = "pdf_prerender"


# Documents whose PDF waits to be rendered ahead ("<doc id>:<company id>"), and the
# mark of a job queued to render them: issuing adds to the set in one round trip, and
# queues a job only when none waits or runs. An RQ job per document cost the request
# a tenth of its work, and the worker its overhead per document.
PRERENDER_PENDING = "cmr:prerender:pending"
PRERENDER_QUEUED = "cmr:prerender:queued"


@event.listens_for(Session, "after_commit")
def _queue_after_commit(session):
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    from .. import tasks
    try:
        redis = tasks.redis_connection()
        with redis.pipeline() as pipe:
            pipe.sadd(PRERENDER_PENDING, *(f"{doc_id}:{company_id}" for doc_id, company_id in sorted(pending)))
            pipe.set(PRERENDER_QUEUED, 1, nx=True, ex=tasks.LOW_TTL_SECONDS)
            _, job_needed = pipe.execute()
        if job_needed:
            # Dropped with the job when no worker takes it within the hour (a node whose
            # worker does not listen on cmr-low): Redis does not fill up with them. Set
            # once per job, not by each document, so that steady issuing cannot keep them.
            redis.expire(PRERENDER_PENDING, tasks.LOW_TTL_SECONDS)
            tasks.enqueue_low(prerender_pending_job)
    except Exception as exc:  # Redis away: the PDFs are rendered at their first download
        log.warning("could not queue the PDFs of documents %s (%s)", sorted(pending), exc)


# A job renders at most this many, then queues the next: a worker asked to stop (a
# deploy) stops after one such batch, not after the whole backlog.
PRERENDER_BATCH = 100


def prerender_pending_job() -> int:
    """The RQ job: renders the PDF of each document waiting in the set (prerender_job),
    up to PRERENDER_BATCH, then queues the next job if any are left; returns how many it
    took. It clears the mark first, so a document added from then on queues a new job:
    none waits without a job to take it. worker.sh runs these on a worker of their own
    that only gets the CPU nothing else wants."""
    from .. import tasks
    redis = tasks.redis_connection()
    redis.delete(PRERENDER_QUEUED)
    app = current_app._get_current_object()
    taken = 0
    while taken < PRERENDER_BATCH and (members := redis.spop(PRERENDER_PENDING, min(20, PRERENDER_BATCH - taken))):
        for member in members:
            doc_id, company_id = (int(part) for part in member.split(b":"))
            try:
                # A context of its own: nothing a request keeps (the company's plan, the
                # session's objects) outlives one document.
                tasks.in_own_request(app, prerender_job, doc_id=doc_id, company_id=company_id)
            except Exception:  # noqa: BLE001  (its first download renders it; the others go on)
                log.exception("rendering the PDF of document %s ahead failed", doc_id)
            taken += 1
    if taken == PRERENDER_BATCH and redis.scard(PRERENDER_PENDING) \
            and redis.set(PRERENDER_QUEUED, 1, nx=True, ex=tasks.LOW_TTL_SECONDS):
        tasks.enqueue_low(prerender_pending_job)
    return taken


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction):
    session.info.pop(_PENDING, None)


def prerender_job(doc_id: int, company_id: int) -> None:
    """Renders the document's PDF into the cache unless it is there (or the document is
    gone, withdrawn or changed into something that cannot be printed): one document of
    prerender_pending_job."""
    from ..errors import ServiceError
    from ..tenant import set_current_company
    set_current_company(company_id)
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.company_id != company_id:
        return
    company = _held_company(doc)  # noqa: F841 (held for the job)
    try:
        get_or_render(doc)
    except ServiceError:
        return


def response(doc: Document, filename: str, *, disposition: str = "inline",
             cache_control: str | None = None, **options) -> Response:
    """The PDF as an answer with its ETag; 304 when the client already holds this version."""
    company = _held_company(doc)  # noqa: F841 (held for the request)
    tag = etag(doc, **options)
    if tag in request.if_none_match:
        return _answer(tag, None, filename, disposition, cache_control)
    pdf, tag = get_or_render(doc, tag=tag, **options)
    return _answer(tag, pdf, filename, disposition, cache_control)


def cached_response(doc, company, filename: str, *, disposition: str = "inline",
                    cache_control: str | None = None, **options) -> Response | None:
    """`response` when it needs no rendering (a 304, or a PDF the cache holds), else None.
    `doc` and `company` may be plain values named as the models' attributes."""
    tag = etag(doc, company=company, **options)
    if tag in request.if_none_match:
        return _answer(tag, None, filename, disposition, cache_control)
    pdf = _store().get(tag)
    return None if pdf is None else _answer(tag, pdf, filename, disposition, cache_control)


def _answer(tag: str, pdf: bytes | None, filename: str, disposition: str, cache_control: str | None) -> Response:
    if pdf is None:
        answer = Response(status=304)
    else:
        answer = Response(pdf, mimetype="application/pdf")
        answer.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    answer.set_etag(tag)
    if cache_control:
        answer.headers["Cache-Control"] = cache_control
    return answer


def _held_company(doc: Document) -> Company:
    """The document's company, for the caller to hold while the key and a rendering each
    ask the session for it: the session keeps objects weakly, and a company nobody holds
    (the driver's page, the worker) was loaded twice for one rendering."""
    return db.session.get(Company, doc.company_id)


def etag(doc: Document, *, company=None, languages=None, copies=None, blank: bool = False,
         anonymous: bool = False, annex: str = "after") -> str:
    """The key of `doc`'s PDF with these options. `company`: the document's, when the
    caller holds it (else read from the session)."""
    company = company if company is not None else db.session.get(Company, doc.company_id)
    # The logo's hash, stored with it: the logo itself (up to 1 MB) is not read to answer.
    logo_on = bool(company.logo_hash) and entitlements.feature_on(company, "company_logo")
    key = {
        "format": RENDER_FORMAT, "doc": doc.id, "fingerprint": doc.fingerprint,
        "updated_at": doc.updated_at.isoformat(), "status": doc.status,
        # A signature changes the PDF (boxes 22-24, the record) without touching the
        # content: each one moves one of these times (the first signature, the second of
        # sender and carrier, the consignee's), and cancelling moves the status.
        "signed": [t.isoformat() if t else None for t in (doc.first_signed_at, doc.taken_over_at,
                                                          doc.delivered_at)],
        "languages": list(languages) if languages else None, "copies": copies, "blank": bool(blank),
        "anonymous": bool(anonymous), "annex": annex, "offset": documents.print_offset(company),
        "scale": documents.print_scale(company),
        "logo": company.logo_hash if logo_on else None,
        "base_url": current_app.config["BASE_URL"],
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:40]


def _store():
    store = current_app.extensions.get("pdf_cache")
    if store is None:
        config = current_app.config
        memory = MemoryStore(int(config.get("PDF_CACHE_BYTES") or DEFAULT_MEMORY_BYTES))
        url = config.get("REDIS_URL")
        store = RedisStore(url, int(config.get("PDF_CACHE_TTL") or DEFAULT_TTL_SECONDS), memory) \
            if url else memory
        current_app.extensions["pdf_cache"] = store
    return store


class MemoryStore:
    """An LRU bounded by the bytes it holds; a PDF larger than a quarter of it is not kept."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.size -= len(old) if old else 0
            self.items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


class RedisStore:
    """Redis shared by every web process (and the worker that renders at issue), with a
    TTL, behind the process's own memory store, which also stands in while Redis is away."""

    def __init__(self, url: str, ttl: int, fallback: MemoryStore):
        from redis import Redis
        self.redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
        self.ttl, self.fallback = ttl, fallback
        self.down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self.down_until

    def _failed(self, exc: Exception) -> None:
        log.warning("PDF cache: Redis unreachable (%s); rendering without it for %ss", exc, REDIS_RETRY_AFTER)
        self.down_until = time.monotonic() + REDIS_RETRY_AFTER

    def get(self, key: str) -> bytes | None:
        value = self.fallback.get(key)  # kept by this process: a key is never stale
        if value is not None or not self._available():
            return value
        from redis.exceptions import RedisError
        try:
            value = self.redis.get(REDIS_PREFIX + key)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        if value is not None:
            self.fallback.put(key, value)
        return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.fallback.max_bytes // 4:
            return
        self.fallback.put(key, value)
        if self._available():
            from redis.exceptions import RedisError
            try:
                self.redis.set(REDIS_PREFIX + key, value, ex=self.ttl)
            except (RedisError, OSError) as exc:
                self._failed(exc)
