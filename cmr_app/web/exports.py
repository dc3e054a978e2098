"""Settings → "Export my data" (terms §11.6), and the download behind the e-mailed link.
The link is the key (a random token, like the driver's link): it works without signing
in, for 7 days."""
from __future__ import annotations

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError
from ..services import exports
from . import bp
from .common import flash_refusal


def exports_context(company, owner: bool) -> dict:
    """What the Settings page shows of the exports (the owner's only)."""
    return {"exports": exports.list_exports(company.id) if owner else [],
            "export_status": exports.public_status, "export_expired": exports.expired,
            "export_url": exports.download_url, "export_days": exports.LINK_DAYS}


@bp.post("/settings/exports")
@login_required
def settings_export_create():
    try:
        exports.request_export(current_user)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("Your export is being prepared. We will e-mail you the download link; it also appears here."),
              "success")
    return redirect(url_for("web.settings", _anchor="export"))


@bp.get("/exports/<token>")
def export_download(token: str):
    export, path = exports.file_for_download(token)
    response = send_file(path, mimetype="application/zip", as_attachment=True, conditional=True,
                         download_name=f"cmr-online-export-{export.ready_at:%Y-%m-%d}-{export.id}.zip")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
