"""The JSON API (/api/v1): bearer tokens, the error object, thin views over services."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError

bp = Blueprint("api", __name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited"}


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    code = HTTP_CODES.get(exc.code, "error")
    message = exc.description or code
    if exc.code == 413:
        message = "The request body is too large (at most %d MB)." % (
            current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
    return error_response(exc.code or 500, code, message)


from . import auth, routes  # noqa: E402,F401
from . import support_access  # noqa: E402,F401
from . import impex  # noqa: E402,F401  (import and export, issue 13 item 7)
