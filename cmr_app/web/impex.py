"""Import and export in the web interface (issue 13, item 7): an address book from a CSV
or XLSX file, a dry run shown first and applied on "Confirm import"; the address books
and the document list to CSV or XLSX with the list's search and filters. The rules live
in services/impex.py, as for the API; the uploaded file waits for the confirmation in
services/import_uploads.py."""
from __future__ import annotations

from functools import wraps

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..api.impex import download
from ..errors import ServiceError, ValidationFailed
from ..schemas import ALL_STATUSES
from ..services import impex, import_uploads
from . import bp
from .common import can_edit, flash_refusal, parse_date_arg
from .entries import KIND_PAGES, _kind, read_only
from .errors import TOO_LARGE_PAGES

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_NAME = 120


def _labels(kind: str) -> dict[str, str]:
    return {name: str(label) for name, label, _type in KIND_PAGES[kind]["fields"]}


def _render_upload(kind: str, message: str | None = None, status: int = 200):
    model_kind, page = _kind(kind)
    return render_template("web/entries/import.html", kind=kind, page=page, error=message, accept=ACCEPT,
                           columns=list(impex.columns(model_kind)), labels=_labels(kind),
                           max_rows=impex.MAX_ROWS), status


def _editing(view):
    """The import's views: a known address book (else 404) and a user who may change it
    (else back to the list); the view gets the book's model kind and page."""
    @wraps(view)
    def checked(kind: str):
        model_kind, page = _kind(kind)
        if not can_edit():
            return read_only(kind)
        return view(kind, model_kind, page)
    return checked


def _too_large():
    """An upload over the request limit, refused before the view: the form again, saying so."""
    kind = (request.view_args or {}).get("kind")
    if kind not in KIND_PAGES:
        return None
    limit = (request.max_content_length or 0) // (1024 * 1024)
    return _render_upload(kind, _("The file is larger than %(mb)s MB; split it into smaller files.", mb=limit), 413)


TOO_LARGE_PAGES["web.entries_import_preview"] = _too_large


@bp.get("/book/<kind>/import")
@login_required
@_editing
def entries_import_form(kind: str, model_kind, page):
    return _render_upload(kind)


@bp.post("/book/<kind>/import")
@login_required
@_editing
def entries_import_preview(kind: str, model_kind, page):
    """The dry run: what the file would create, change and refuse; nothing is saved."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_upload(kind, _("Choose a CSV or XLSX file."), 422)
    data = upload.read()
    try:
        result = impex.import_file(model_kind, current_user, data, dry_run=True, details=True)
    except ValidationFailed as exc:
        return _render_upload(kind, " ".join(m for ms in exc.errors.values() for m in ms) or exc.message, 422)
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("web.entries", kind=kind))
    # Kept only when there is something to confirm; either way it replaces an earlier upload.
    if result["created"] or result["updated"]:
        token = import_uploads.keep(current_user, kind, data)
    else:
        token = ""
        import_uploads.drop(current_user, kind)
    return render_template("web/entries/import_preview.html", kind=kind, page=page, result=result,
                           token=token, filename=(upload.filename or "")[:MAX_NAME], labels=_labels(kind))


@bp.post("/book/<kind>/import/confirm")
@login_required
@_editing
def entries_import_confirm(kind: str, model_kind, page):
    """Applies the file previewed (valid rows saved, rows with errors skipped), or drops it."""
    token = request.form.get("token")
    if request.form.get("action") == "discard":
        import_uploads.discard(current_user, kind, token)
        flash(_("Nothing was imported."), "info")
        return redirect(url_for("web.entries", kind=kind))
    data = import_uploads.load(current_user, kind, token)
    if data is None:
        flash(_("The uploaded file is no longer waiting (it was imported already, or an hour has passed). "
                "Upload it again."), "error")
        return redirect(url_for("web.entries_import_form", kind=kind))
    try:
        result = impex.import_file(model_kind, current_user, data, dry_run=False)
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("web.entries_import_form", kind=kind))
    import_uploads.discard(current_user, kind, token)
    flash(_("Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=result["created"], updated=result["updated"], unchanged=result["unchanged"]), "success")
    if result["errors"]:
        rows = len({e["row"] for e in result["errors"]})
        flash(ngettext("%(num)d row with errors was skipped.", "%(num)d rows with errors were skipped.", rows),
              "warning")
    return redirect(url_for("web.entries", kind=kind))


@bp.get("/book/<kind>/import/example.csv")
@login_required
def entries_import_example(kind: str):
    _kind(kind)
    response = download(iter(impex.example_rows(kind)), "csv", kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}-example.csv"'
    return response


@bp.get("/book/<kind>/export")
@login_required
def entries_export(kind: str):
    """The list as a file, with the list's search."""
    model_kind, page = _kind(kind)
    try:
        fmt = impex.check_format(request.args.get("format"))
    except ValidationFailed as exc:
        flash_refusal(exc)
        return redirect(url_for("web.entries", kind=kind, q=request.args.get("q") or None))
    rows = impex.entry_rows(model_kind, current_user.company_id, q=(request.args.get("q") or "").strip())
    return download(rows, fmt, kind)


@bp.get("/documents/export")
@login_required
def documents_export():
    """The document list as a file, with the list's search, dates and status; filters
    the list would refuse send the user back to it, where they are said under the fields."""
    errors: dict = {}
    q = (request.args.get("q") or "").strip()
    date_from, date_to = parse_date_arg("from", errors), parse_date_arg("to", errors)
    status = request.args.get("status") or None
    back = {k: request.args.get(k) or None for k in ("q", "from", "to", "status")}
    if errors or status not in (None, *ALL_STATUSES):
        flash(_("Correct the filters, then export again."), "error")
        return redirect(url_for("web.documents", **back))
    try:
        fmt = impex.check_format(request.args.get("format"))
        rows = impex.document_rows(current_user.company_id, q=q, date_from=date_from, date_to=date_to,
                                   status=status)
    except ValidationFailed as exc:  # the date range, a format other than csv or xlsx
        flash_refusal(exc)
        return redirect(url_for("web.documents", **back))
    return download(rows, fmt, "documents")
