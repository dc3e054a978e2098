"""The owner's export (terms §11.6, GDPR art. 20): one ZIP with everything the company
keeps here, made by a job, e-mailed as a link that works for 7 days.

The ZIP is written entry by entry into a file on disk (EXPORT_DIR), never held in
memory: documents are read in batches of BATCH rows (keyset pages, so no transaction
stays open for the whole export), one PDF is rendered at a time, and documents.json and
the CSVs are streamed into their entries. Memory is bounded by one batch and one PDF,
whatever the size of the account; the disk holds the ZIP.

Who builds it: with REDIS_URL the RQ worker (the web request only records the row);
without Redis a background thread of the web process (development and small
installations), never the request itself. A row that no one finished (Redis refused
the job, a worker or a process died) is taken again by `flask exports run`, which cron
runs with `flask jobs daily`; that command also deletes ZIPs whose 7 days are over."""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import secrets
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import current_app, g, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from .. import clock, tasks
from ..errors import ServiceError
from ..extensions import db
from ..models import (AccountExport, BillingDocument, Carrier, Client, Company, Document, DocumentEvent,
                      DocumentVersion, Product, User)
from ..tenant import get_owned, set_current_company
from . import accounts
from .addressbook import PRODUCT_ADR

log = logging.getLogger(__name__)

LINK_DAYS = 7
VALID_FOR = timedelta(days=LINK_DAYS)
BATCH = 100              # documents per query; the most the job holds at once
STALE_BUILD = timedelta(hours=2)  # a build silent this long died with its process
FORMAT_VERSION = 1


def N_(text: str) -> str:
    """Marks a subject for extraction; record_user_mail translates it in the recipient's language."""
    return text


class ExportGone(ServiceError):
    status, code = 410, "gone"


# Where the files live

def export_dir() -> Path:
    """EXPORT_DIR (or CMR_EXPORT_DIR), else instance/exports. Every web node and worker
    must see the same folder: the worker writes, the web serves."""
    configured = current_app.config.get("EXPORT_DIR") or os.environ.get("CMR_EXPORT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# What the owner asks and sees

def request_export(user: User) -> AccountExport:
    """Records a pending export and hands it to the job. While one is being prepared,
    asking again returns that one: a second click must not build the ZIP twice."""
    accounts.require_owner(user)
    running = db.session.scalar(select(AccountExport).where(
        AccountExport.company_id == user.company_id, AccountExport.status.in_(("pending", "building")))
        .order_by(AccountExport.id.desc()).limit(1))
    if running is not None:
        return running
    export = AccountExport(company_id=user.company_id, requested_by_id=user.id, status="pending",
                           error="", created_at=clock.now())
    db.session.add(export)
    db.session.commit()
    start(export.id)
    return export


def get_export(user: User, export_id) -> AccountExport:
    accounts.require_owner(user)
    return get_owned(AccountExport, export_id, user.company_id)


def list_exports(company_id: int, limit: int = 10) -> list[AccountExport]:
    return list(db.session.scalars(select(AccountExport).where(AccountExport.company_id == company_id)
                                   .order_by(AccountExport.id.desc()).limit(limit)))


def public_status(export: AccountExport) -> str:
    """API.md knows three states; "building" is still "pending" to the owner."""
    return {"building": "pending"}.get(export.status, export.status)


def expired(export: AccountExport, now=None) -> bool:
    return export.expires_at is not None and (now or clock.now()) >= export.expires_at


def download_url(export: AccountExport) -> str | None:
    if export.status != "ready" or not export.token:
        return None
    return current_app.config["BASE_URL"] + url_for("web.export_download", token=export.token)


def to_dict(export: AccountExport) -> dict:
    return {"id": export.id, "status": public_status(export), "download_url": download_url(export),
            "created_at": export.created_at.isoformat(),
            "ready_at": export.ready_at.isoformat() if export.ready_at else None,
            "expires_at": export.expires_at.isoformat() if export.expires_at else None,
            "expired": expired(export), "size_bytes": export.size_bytes,
            "contents": export.summary,
            # The cause (a full disk, a path) is for the operator's log and the row, not the customer.
            "error": _("The export could not be made. Please try again.") if export.status == "failed" else None}


def file_for_download(token: str) -> tuple[AccountExport, Path]:
    """The export behind a download link: 404 for a link that never existed, 410 once
    its 7 days are over (the file is deleted by then or soon after)."""
    export = db.session.scalar(select(AccountExport).where(AccountExport.token == token)
                               .execution_options(all_tenants=True)) if token else None
    if export is None or export.status != "ready":
        from ..errors import NotFound
        raise NotFound(_("This download link does not exist."))
    if expired(export):
        raise ExportGone(_("This download link expired on %(date)s: exports are kept for %(days)d days. "
                           "The account owner can make a new export in Settings.",
                           date=_date(export), days=LINK_DAYS))
    path = export_dir() / export.file_name if export.file_name else None
    if path is None or not path.is_file():
        raise ExportGone(_("This export is no longer stored. The account owner can make a new export "
                           "in Settings."))
    return export, path


def _date(export: AccountExport) -> str:
    """The last day in the company's time (whoever opens the link)."""
    from zoneinfo import ZoneInfo
    from flask_babel import format_date
    company = db.session.get(Company, export.company_id)
    return format_date(export.expires_at.astimezone(ZoneInfo(company.timezone)).date(), "long")


# Handing it to a worker

_local_pool: ThreadPoolExecutor | None = None
_local_lock = threading.Lock()
_local_futures: list[Future] = []


def start(export_id: int) -> None:
    """With Redis: an RQ job (if Redis cannot take it, the row waits for `flask exports
    run`). Without: one background thread per process, exports one after another, so
    the request answers at once and a burst of requests cannot eat every core."""
    if current_app.config.get("REDIS_URL"):
        try:
            tasks.enqueue(build, export_id=export_id)
        except Exception as error:
            log.warning("could not queue export %s (%s); it waits for `flask exports run`", export_id, error)
        return
    global _local_pool
    app = current_app._get_current_object()
    with _local_lock:
        if _local_pool is None:
            _local_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cmr-export")
        future = _local_pool.submit(_build_in_thread, app, export_id)
        _local_futures.append(future)
    future.add_done_callback(_forget_future)


def _forget_future(future: Future) -> None:
    with _local_lock:
        if future in _local_futures:
            _local_futures.remove(future)


def _build_in_thread(app, export_id: int) -> None:
    with app.app_context():
        try:
            tasks._run_in_request(app, build, {"export_id": export_id})
        except Exception:
            log.exception("export %s failed in its background thread", export_id)


def wait_for_local_builds(timeout: float = 120) -> int:
    """Waits for the background threads' exports (tests)."""
    with _local_lock:
        futures = list(_local_futures)
        _local_futures.clear()
    for future in futures:
        future.result(timeout=timeout)
    return len(futures)


# The job

def claim(export_id: int, now=None) -> bool:
    """pending → building for one builder (or a build that died long ago, again)."""
    now = now or clock.now()
    taken = db.session.execute(
        update(AccountExport).where(
            AccountExport.id == export_id,
            or_(AccountExport.status == "pending",
                (AccountExport.status == "building") & (AccountExport.started_at < now - STALE_BUILD)))
        .values(status="building", started_at=now)
        .execution_options(synchronize_session=False, all_tenants=True)).rowcount
    db.session.commit()
    return taken == 1


def build(export_id: int) -> str:
    """The job: builds the ZIP, marks the export ready and records the owner's e-mail in
    the same commit. Returns the export's status afterwards ("skipped" if another
    builder has it)."""
    set_current_company(None)
    if not claim(export_id):
        return "skipped"
    export = db.session.get(AccountExport, export_id)
    company = db.session.get(Company, export.company_id)
    set_current_company(company.id)  # every query below is also held to this company
    g.export_building = export_id
    folder = export_dir()
    name = f"export-{export.id}-{secrets.token_hex(8)}.zip"
    partial = folder / (name + ".part")
    try:
        summary = write_zip(partial, company)
        os.replace(partial, folder / name)
    except Exception as error:
        log.exception("export %s of company %s failed", export_id, company.id)
        db.session.rollback()
        partial.unlink(missing_ok=True)
        export = db.session.get(AccountExport, export_id)
        export.status, export.error = "failed", f"{type(error).__name__}: {error}"[:500]
        db.session.commit()
        return "failed"
    finally:
        g.pop("export_building", None)
    export = db.session.get(AccountExport, export_id)
    now = clock.now()
    export.status, export.file_name, export.summary = "ready", name, summary
    export.size_bytes = (folder / name).stat().st_size
    export.token, export.ready_at, export.expires_at = secrets.token_urlsafe(32), now, now + VALID_FOR
    _record_ready_mail(export, company)
    db.session.commit()
    return "ready"


def _record_ready_mail(export: AccountExport, company: Company) -> None:
    from flask import g
    from flask_babel import refresh
    g.display_timezone = company.timezone  # the link's last day in the company's time
    refresh()
    requester = db.session.get(User, export.requested_by_id) if export.requested_by_id else None
    recipients = [requester] if requester is not None and requester.role == "owner" \
        else accounts.company_owners(company.id)
    for owner in recipients:
        accounts.record_user_mail(owner, "export_ready", N_("Your data export is ready"),
                                  company=company, export=export, link=download_url(export),
                                  days=LINK_DAYS, size=_megabytes(export.size_bytes))


def _megabytes(size: int | None) -> str:
    return f"{(size or 0) / (1024 * 1024):.1f} MB"


# The ZIP

CLIENT_COLUMNS = ("id", "name", "address", "postal_code", "city", "country", "tax_id", "email", "phone",
                  "created_at")
CARRIER_COLUMNS = CLIENT_COLUMNS[:-1] + ("vehicle_registration", "created_at")
PRODUCT_COLUMNS = ("id", "name", "marks", "packages", "packing", "nature", "statistical_number",
                   "gross_weight_kg", "volume_m3", *PRODUCT_ADR.values(), "created_at")


def write_zip(path: Path, company: Company) -> dict:
    """Writes the whole export into `path`; returns the counts of what it holds."""
    counts = {"documents": 0, "document_pdfs": 0, "invoices": 0, "clients": 0, "carriers": 0, "products": 0}
    pdf_errors: dict[int, str] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        names = _PdfNames()
        for doc in _documents(company.id):
            counts["documents"] += 1
            if doc.withdrawn_at is not None:
                continue  # its content is erased: documents.json keeps the number and the record
            try:
                pdf = _render(doc)
            except Exception as error:  # one document the renderer refuses must not lose the rest
                pdf_errors[doc.id] = f"{type(error).__name__}: {error}"[:300]
                continue
            # PDFs are compressed already: stored as they are.
            archive.writestr(names.document(doc), pdf, compress_type=zipfile.ZIP_STORED)
            counts["document_pdfs"] += 1
        for invoice in _billing_documents(company.id):
            archive.writestr(f"invoices/{invoice.number.replace('/', '-')}.pdf", _render_billing(invoice),
                             compress_type=zipfile.ZIP_STORED)
            counts["invoices"] += 1
        _write_documents_json(archive, company, _PdfNames(), pdf_errors)
        counts["clients"] = _write_csv(archive, "clients.csv", Client, CLIENT_COLUMNS, company.id)
        counts["carriers"] = _write_csv(archive, "carriers.csv", Carrier, CARRIER_COLUMNS, company.id)
        counts["products"] = _write_csv(archive, "products.csv", Product, PRODUCT_COLUMNS, company.id)
    return counts


class _PdfNames:
    """documents/CMR-<number>.pdf, with the id added when two numbers print alike
    (1/11/2026 and 1-11-2026). Both passes walk the documents in the same order, so
    documents.json names the same files the ZIP holds."""

    def __init__(self):
        self.seen: set[str] = set()

    def document(self, doc: Document) -> str:
        from . import documents
        name = "documents/" + documents.pdf_filename(doc)
        if name in self.seen:
            name = name[:-4] + f"-id{doc.id}.pdf"
        self.seen.add(name)
        return name


def _pages(model, company_id: int):
    """Every row of the company, oldest first, BATCH at a time; each page is a short
    query and the session is emptied after it, so the job holds one page."""
    last_id = 0
    while True:
        page = list(db.session.scalars(select(model).where(model.company_id == company_id, model.id > last_id)
                                       .order_by(model.id).limit(BATCH)))
        if not page:
            return
        yield from page
        last_id = page[-1].id
        _forget(page)
        del page  # let the page go before the next one is read


def _documents(company_id: int):
    return _pages(Document, company_id)


def _forget(objects) -> None:
    for obj in objects:
        if obj in db.session:
            db.session.expunge(obj)
    db.session.rollback()  # ends the read transaction between pages (no snapshot held for hours)
    _heartbeat()


def _heartbeat() -> None:
    """A sign of life after each page: `exports run` takes a build again only when it
    has been silent for STALE_BUILD, however long a big account takes."""
    export_id = g.get("export_building")
    if export_id:
        db.session.execute(update(AccountExport).where(AccountExport.id == export_id,
                                                       AccountExport.status == "building")
                           .values(started_at=clock.now())
                           .execution_options(synchronize_session=False))
        db.session.commit()


def _render(doc: Document) -> bytes:
    from . import documents
    # Rendered directly, not through the PDF cache: an export of every document would
    # push what drivers and offices are opening right now out of it.
    return documents.render_pdf(doc)


def _billing_documents(company_id: int):
    return _pages(BillingDocument, company_id)


def _render_billing(invoice: BillingDocument) -> bytes:
    from . import billing
    return billing.render(invoice)


def _write_documents_json(archive: zipfile.ZipFile, company: Company, names: _PdfNames,
                          pdf_errors: dict[int, str]) -> None:
    """{"format", "exported_at", "company", "documents": [...]} streamed into its entry:
    each document as the API gives it, with every version's content and the
    hash-chained record (verifiable as GET /documents/{id}/events)."""
    with archive.open("documents.json", "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        head = {"format": f"cmr-online-export/{FORMAT_VERSION}", "exported_at": clock.now().isoformat(),
                "company": _company_dict(company)}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "documents": [\n')
        first = True
        page: list[Document] = []
        for doc in _documents(company.id):
            page.append(doc)
            if len(page) == BATCH:
                first = _write_page(out, page, names, pdf_errors, first)
                page = []
        if page:
            _write_page(out, page, names, pdf_errors, first)
        out.write("\n]}\n")
        out.flush()
        out.detach()


def _write_page(out, page: list[Document], names: _PdfNames, pdf_errors: dict[int, str], first: bool) -> bool:
    from . import documents, lifecycle, record
    ids = [d.id for d in page]
    versions: dict[int, list] = {i: [] for i in ids}
    for version in db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id.in_(ids))
                                      .order_by(DocumentVersion.document_id, DocumentVersion.version)):
        versions[version.document_id].append(version)
    events: dict[int, list] = {i: [] for i in ids}
    for event in db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id.in_(ids))
                                    .order_by(DocumentEvent.document_id, DocumentEvent.seq)):
        events[event.document_id].append(event)
    for doc in page:
        item = documents.to_dict(doc)
        if doc.withdrawn_at is None and doc.id not in pdf_errors:
            item["pdf"] = names.document(doc)
        else:
            item["pdf"] = None
            if doc.id in pdf_errors:
                item["pdf_error"] = pdf_errors[doc.id]
        item["versions"] = [{**lifecycle.version_dict(doc, v), "data": v.data} for v in versions[doc.id]]
        item["events"] = [record.event_dict(e) for e in events[doc.id]]
        out.write(("" if first else ",\n") + json.dumps(item, ensure_ascii=False, default=str))
        first = False
    return first


def _company_dict(company: Company) -> dict:
    fields = ("name", "first_name", "last_name", "tax_id", "address", "postal_code", "city", "country",
              "timezone", "numbering_pattern", "default_languages")
    return {"id": company.id, **{f: getattr(company, f) for f in fields},
            "registered_at": company.registered_at.isoformat()}


def _write_csv(archive: zipfile.ZipFile, name: str, model, columns: tuple[str, ...], company_id: int) -> int:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Polish and German
    letters right; rows streamed from the database 1000 at a time."""
    count = 0
    with archive.open(name, "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(out)
        writer.writerow(columns)
        rows = db.session.scalars(select(model).where(model.company_id == company_id).order_by(model.id)
                                  .execution_options(yield_per=1000))
        for row in rows:
            writer.writerow([_cell(getattr(row, c)) for c in columns])
            count += 1
        out.flush()
        out.detach()
    db.session.rollback()
    return count


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Housekeeping (`flask exports run`, `flask jobs daily`)

def run_pending(now=None) -> dict:
    """Builds every export still waiting (Redis refused it, or no worker took it) and
    every build that died; then deletes what has expired."""
    now = now or clock.now()
    ids = list(db.session.scalars(select(AccountExport.id).where(or_(
        AccountExport.status == "pending",
        (AccountExport.status == "building") & (AccountExport.started_at < now - STALE_BUILD)))
        .order_by(AccountExport.id).execution_options(all_tenants=True)))
    db.session.rollback()
    done = {"ready": 0, "failed": 0, "skipped": 0}
    for export_id in ids:
        done[build(export_id)] += 1
    set_current_company(None)
    from . import import_uploads  # address-book files left waiting for "Confirm import"
    done["deleted"] = delete_expired(now) + import_uploads.sweep(now)
    return done


def delete_expired(now=None) -> int:
    """Deletes the ZIPs whose 7 days are over, and any file in EXPORT_DIR no live export
    names (a deleted company's, a build that crashed). The rows stay, so an old link
    says it expired."""
    now = now or clock.now()
    rows = db.session.scalars(select(AccountExport).where(AccountExport.file_name.is_not(None),
                                                          AccountExport.expires_at <= now)
                              .execution_options(all_tenants=True)).all()
    folder = export_dir()
    deleted = 0
    for export in rows:
        path = folder / export.file_name
        if path.is_file():
            path.unlink()
            deleted += 1
        export.file_name = None
    db.session.commit()
    live = set(db.session.scalars(select(AccountExport.file_name).where(AccountExport.file_name.is_not(None))
                                  .execution_options(all_tenants=True)))
    for path in folder.iterdir():
        if not path.is_file() or not path.name.startswith("export-") or path.name in live:
            continue
        # A file no row names yet may be a build in progress (its ".part", or the ZIP
        # between its rename and the commit): left alone until older than any build takes.
        if now.timestamp() - path.stat().st_mtime < STALE_BUILD.total_seconds():
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    return deleted
