"""Error pages for the HTML side; API paths get the JSON error object instead."""
from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError


def register(app, *, api_prefix: str, api_error) -> None:
    def wants_json() -> bool:
        return request.path.startswith(api_prefix)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            from ..api import HTTP_CODES
            code = HTTP_CODES.get(exc.code, "error")
            return api_error(exc.code, code, exc.description or code)
        return render_template("error.html", status=exc.code, message=exc.description), exc.code

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if wants_json():
            return api_error(exc.status, exc.code, exc.message, exc.details)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(429)
    def rate_limited(exc):
        if wants_json():
            return api_error(429, "rate_limited", "Too many requests; try again later.")
        limit = getattr(exc, "limit", None)
        # A limit with its own message (per e-mail address) says what to do; others the generic line.
        message = exc.description if getattr(limit, "error_message", None) else \
            "Too many attempts. Wait a minute and try again."
        return render_template("error.html", status=429, message=message), 429
