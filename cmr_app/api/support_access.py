"""Support access by consent (terms §14): the owner's switch and the log of looks."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import ValidationFailed
from ..services import support_access
from . import bp
from .auth import current
from .routes import body, limit_arg


@bp.get("/account/support-access")
def support_access_state():
    return jsonify(support_access.state(current().company).to_dict())


@bp.put("/account/support-access")
def support_access_switch():
    """{"enabled": true, "days": 1–90} lets support in until then; {"enabled": false} ends it at once."""
    data = body()
    if not isinstance(data.get("enabled"), bool):
        raise ValidationFailed({"enabled": ["Send true or false."]})
    if data["enabled"]:
        result = support_access.grant(current(), data.get("days"))
    else:
        result = support_access.withdraw(current())
    return jsonify(result.to_dict())


@bp.get("/account/support-access/log")
def support_access_log():
    cursor = request.args.get("cursor") or None
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 10):
        raise ValidationFailed({"cursor": ["Send the next_cursor of the previous page."]})
    rows, next_id = support_access.log_page(current().company_id, limit_arg(),
                                            int(cursor) if cursor else None)
    return jsonify({"items": [support_access.entry_dict(r) for r in rows],
                    "next_cursor": str(next_id) if next_id else None})
