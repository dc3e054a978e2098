"""Where a `next` parameter may send the browser: only to a page of this site.

Browsers forgive a lot in a Location header (they drop tabs and line breaks, read a
backslash as a slash, treat `//host` as another site), so a target is refused at the
first doubt and otherwise rebuilt from its parsed path and query, never echoed."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

MAX_LENGTH = 2000


def _suspicious(text: str) -> bool:
    """Control, format and separator characters (tab, NUL, RTL marks, spaces) and
    backslashes have no place in a path we would send a browser to."""
    return "\\" in text or any(unicodedata.category(ch)[0] in "CZ" for ch in text)


def _is_site_path(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:  # e.g. a missing trailing slash: still one of our pages
        return True
    except HTTPException:
        return False
    return True


def local_target(target) -> str | None:
    """The target rebuilt as a path of this site, or None when it is anything else."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    decoded = unquote(target)
    for text in (target, decoded):
        if _suspicious(text) or not text.startswith("/") or text.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if not _is_site_path(unquote(parts.path)):
        return None
    rebuilt = urlunsplit(("", "", parts.path, parts.query, ""))
    return rebuilt if not rebuilt.startswith("//") else None


def safe_next(target, fallback: str = "web.documents") -> str:
    return local_target(target) or url_for(fallback)


def safe_back(fallback: str = "web.documents") -> str:
    """Back to the page the form was posted from, when that page is ours."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.scheme in ("http", "https") and parts.netloc == request.host:
            target = local_target(urlunsplit(("", "", parts.path, parts.query, "")))
            if target:
                return target
    return url_for(fallback)
