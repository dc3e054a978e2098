"""The CMR form's searchable pickers ask here (issue 13 item 1): GET
/documents/lookup/<kind>?q= answers at most ten address-book entries of the user's
company as JSON, found by the same search as the API's `?q=`. Bad input gets the API's
error object, never a 500 (control characters are
refused for every address by inputs.py)."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import addressbook, quick
from . import bp


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.get("/documents/lookup/<kind>")
@login_required
def document_lookup(kind: str):
    if kind not in addressbook.KINDS:
        return _error(404, "not_found", _("Nothing to look up here: choose clients, carriers or products."))
    q = request.args.get("q", "")
    if len(q) > quick.MAX_QUERY:
        return _error(400, "bad_request", _("The search text is too long: at most %(n)s characters.",
                                            n=quick.MAX_QUERY))
    role = request.args.get("role") or None
    if role is not None and (kind != "clients" or role not in quick.PLACE_OF):
        return _error(400, "bad_request", _("The role is sender or consignee, and only for clients."))
    items = quick.lookup(kind, current_user.company_id, q.strip(), role)
    return jsonify({"items": items})
