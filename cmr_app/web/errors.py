"""Error pages for the HTML side; API paths get the JSON error object instead."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import ServiceError

# Endpoint → a view of its own for a request over MAX_CONTENT_LENGTH (refused before the
# view runs): an upload form shows it again with the limit said under the file input
# (None: the generic error page).
TOO_LARGE_PAGES: dict = {}


def register(app, *, api_prefix: str, api_error) -> None:
    def wants_json() -> bool:
        # The API, and the signing page's submissions (its script reads the error object).
        return request.path.startswith(api_prefix) or (request.method == "POST" and request.path.startswith("/s/"))

    def describe(exc: HTTPException) -> str:
        if exc.code == 413 and exc.description == RequestEntityTooLarge.description:
            # Files may take MAX_CONTENT_LENGTH, typed text far less (MAX_FORM_MEMORY_SIZE).
            return _("What you sent is too large for one request; send less at once.")
        return exc.description

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413 and request.endpoint in TOO_LARGE_PAGES and not wants_json():
            page = TOO_LARGE_PAGES[request.endpoint]()
            if page is not None:
                return page
        if wants_json():
            from ..api import HTTP_CODES
            code = HTTP_CODES.get(exc.code, "error")
            response = api_error(exc.code, code, describe(exc) or code)
        else:
            response = app.make_response(
                (render_template("error.html", status=exc.code, message=describe(exc)), exc.code))
        allow = dict(exc.get_headers()).get("Allow")  # a 405 names the methods the address takes
        if allow:
            response.headers["Allow"] = allow
        return response

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
