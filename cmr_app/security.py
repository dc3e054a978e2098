"""Response headers set in one place: the Content-Security-Policy and its companions on
every answer, HSTS when the site is served over https, and `Cache-Control: private,
no-store` wherever an answer carries one company's data (signed-in pages, the API,
billing PDFs), so that no shared cache or back button shows it to someone else."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

# No inline script or style anywhere: the templates load app.js and the stylesheets
# from /static; `<script type="application/json">` data blocks are not executed.
def content_security_policy(script=(), connect=(), frame=(), img=()) -> str:
    """The policy; a page that loads an outside script (Stripe.js on the pay page only)
    names its origins here and gets them in its own answer, no other page does."""
    extra = lambda sources: "".join(" " + s for s in sources)  # noqa: E731
    directives = [
        "default-src 'self'",
        "script-src 'self'" + extra(script),
        "style-src 'self'",
        "img-src 'self' data:" + extra(img),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if connect:
        directives.insert(1, "connect-src 'self'" + extra(connect))
    if frame:
        directives.insert(1, "frame-src" + extra(frame))
    return "; ".join(directives)


CONTENT_SECURITY_POLICY = content_security_policy()
NO_STORE = "private, no-store"
HSTS = "max-age=31536000; includeSubDomains"


PRIVATE_PREFIXES = ("/api/", "/billing/", "/pay/")


def private_answer(path: str) -> bool:
    """Answers that must never be kept by a cache: the API, billing documents and checkout."""
    return path.startswith(PRIVATE_PREFIXES)


def init_app(app: Flask) -> None:
    https = app.config["BASE_URL"].startswith("https://")

    every_answer = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                    ("X-Frame-Options", "DENY")]  # X-Frame-Options: for browsers without frame-ancestors
    if https:
        every_answer.append(("Strict-Transport-Security", HSTS))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # Each header the view has not set (a view's own value stands); the names read
        # once, not once per header: this runs at every answer.
        present = {name.lower() for name, _ in headers.items()}
        wanted = every_answer
        if response.mimetype == "text/html":
            wanted = wanted + [("Content-Security-Policy", CONTENT_SECURITY_POLICY)]
        private = request.endpoint != "static" and (private_answer(request.path) or _signed_in())
        if private:
            # A view may ask for revalidation (ETag answers) but never for storing.
            if "no-store" not in headers.get("Cache-Control", ""):
                headers["Cache-Control"] = NO_STORE
            wanted = wanted + [("Pragma", "no-cache")]
        for name, value in wanted:
            if name.lower() not in present:
                headers.add(name, value)
        return response


def _signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # noqa: BLE001  (no user loader reachable: e.g. a static file)
        return False
