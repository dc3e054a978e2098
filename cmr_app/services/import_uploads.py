"""Address-book files waiting between the web's preview (a dry run) and the user's
"Confirm import": kept on disk beside the owners' exports, not in the cookie session
nor sent back and forth through the page.

Bounded: each file is at most the request limit (4 MB), one per user and kind (a new
upload replaces the previous one), for an hour; a confirmed or discarded file is
deleted at once, expired ones by the next upload and by `flask exports run`. Scoped:
the file lives in its company's folder under a name carrying the user, the kind, its
time and a random token, so it is read only by that user of that company, for that
kind, holding the token the preview page gave."""
from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from .. import clock
from .exports import export_dir

TTL = timedelta(hours=1)
TOKEN = re.compile(r"(\d{1,12})-([A-Za-z0-9_-]{32})")
NAME = re.compile(r"\d+-[a-z]+-(\d{1,12})-[A-Za-z0-9_-]{32}\.(upload|part)")


def _root() -> Path:
    return export_dir() / "imports"


def _path(user, kind: str, token) -> Path | None:
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or not kind.isalpha():
        return None
    return _root() / str(int(user.company_id)) / f"{int(user.id)}-{kind}-{token}.upload"


def _expired(created: int, now) -> bool:
    return now.timestamp() - created > TTL.total_seconds()


def keep(user, kind: str, data: bytes) -> str:
    """Stores the upload; returns the token that finds it again."""
    sweep()
    drop(user, kind)
    folder = _root() / str(int(user.company_id))
    folder.mkdir(parents=True, exist_ok=True)
    token = f"{int(clock.now().timestamp())}-{secrets.token_urlsafe(24)}"
    path = _path(user, kind, token)
    part = path.with_suffix(".part")
    part.write_bytes(data)
    os.replace(part, path)  # never a half-written file under the name
    return token


def drop(user, kind: str) -> None:
    """Deletes the user's file waiting for this kind, if any: a newer upload replaces it."""
    folder = _root() / str(int(user.company_id))
    if folder.is_dir() and kind.isalpha():
        for old in folder.glob(f"{int(user.id)}-{kind}-*.upload"):
            old.unlink(missing_ok=True)


def load(user, kind: str, token) -> bytes | None:
    """The stored file, or None when there is none (another user's, another kind,
    confirmed already, discarded, expired or a made-up token)."""
    path = _path(user, kind, token)
    if path is None or not path.is_file():
        return None
    if _expired(int(TOKEN.fullmatch(token).group(1)), clock.now()):
        path.unlink(missing_ok=True)
        return None
    return path.read_bytes()


def discard(user, kind: str, token) -> None:
    path = _path(user, kind, token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(now=None) -> int:
    """Deletes every stored upload older than TTL (and a write that died half way); the
    company folders stay (a concurrent upload may be about to write into one)."""
    now = now or clock.now()
    root = _root()
    if not root.is_dir():
        return 0
    deleted = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = NAME.fullmatch(path.name)
            stale = _expired(int(match.group(1)), now) if match else \
                now.timestamp() - path.stat().st_mtime > TTL.total_seconds()
            if stale:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted
