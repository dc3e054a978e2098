"""Import and export (issue 13, item 7): the address book from and to CSV/XLSX, the
document list to CSV/XLSX with the list's filters. Token and role as every endpoint."""
from __future__ import annotations

from flask import Response, jsonify, request, stream_with_context
from flask_babel import gettext as _

from ..errors import ValidationFailed
from ..services import impex
from ..services.addressbook import KINDS
from . import bp
from .auth import current
from .routes import date_arg

TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


def download(rows, fmt: str, what: str) -> Response:
    response = Response(stream_with_context(impex.stream(rows, fmt, what)), mimetype=impex.MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{impex.filename(what, fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


IMPORT_PARTS = ("file", "dry_run")


def uploaded_file() -> bytes:
    # A part the import does not read is refused, not ignored: a misspelt "file" would
    # otherwise be told only as a missing file.
    unknown = sorted((set(request.form) | set(request.files)) - set(IMPORT_PARTS))
    if unknown:
        message = _("The import reads only the parts “file” and “dry_run”.")
        raise ValidationFailed({name: [message] for name in unknown}, message)
    upload = request.files.get("file")
    if upload is None:
        message = "Send the file as the multipart/form-data field “file” (CSV or XLSX)."
        raise ValidationFailed({"file": [message]}, message)
    return upload.read()


def dry_run_flag() -> bool:
    """`dry_run` from the query or the form: true/false (1/0, yes/no, on/off); anything
    else is refused rather than taken for "no" and saved."""
    given = [raw.strip().lower() for raw in (request.args.get("dry_run"), request.form.get("dry_run"))
             if raw is not None] or [""]
    answers = {value in TRUE for value in given if value in TRUE or value in FALSE}
    if len(answers) == 1 and all(value in TRUE or value in FALSE for value in given):
        return answers.pop()
    message = _("Use true or false.")  # also when the query and the form say different things
    raise ValidationFailed({"dry_run": [message]}, message)


def _register(name: str, kind) -> None:
    def import_view():
        dry_run = dry_run_flag()
        return jsonify(impex.import_file(kind, current(), uploaded_file(), dry_run=dry_run))

    def export_view():
        fmt = impex.check_format(request.args.get("format"))
        return download(impex.entry_rows(kind, current().company_id, q=request.args.get("q", "")), fmt, name)

    bp.add_url_rule(f"/{name}/import", f"{name}_import", import_view, methods=["POST"])
    bp.add_url_rule(f"/{name}/export", f"{name}_export", export_view, methods=["GET"])


for _name, _kind in KINDS.items():
    _register(_name, _kind)


@bp.get("/documents/export")
def documents_export():
    fmt = impex.check_format(request.args.get("format"))
    rows = impex.document_rows(current().company_id, q=request.args.get("q", ""), date_from=date_arg("from"),
                               date_to=date_arg("to"), status=request.args.get("status") or None)
    return download(rows, fmt, "documents")
