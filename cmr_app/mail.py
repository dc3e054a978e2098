"""Outgoing e-mail through the MAIL_URL backend: smtp://user:pass@host:port[?tls=1],
console:// (printed) or file:///dir (one .eml per message)."""
from __future__ import annotations

import smtplib
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, str, bytes]] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@cmr>"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def deliver(msg: EmailMessage, mail_url: str) -> None:
    url = urlparse(mail_url)
    if url.scheme == "console":
        print(msg.as_string(), file=sys.stdout, flush=True)
    elif url.scheme == "file":
        folder = Path(unquote(url.path))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
    elif url.scheme == "smtp":
        query = parse_qs(url.query)
        with smtplib.SMTP(url.hostname or "localhost", url.port or 25, timeout=30) as smtp:
            if query.get("tls", ["0"])[0] in ("1", "true", "yes"):
                smtp.starttls()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(msg)
    else:
        raise ValueError(f"unsupported MAIL_URL scheme: {url.scheme!r}")


def send(to: str, subject: str, text: str, html: str | None = None, attachments=()) -> None:
    """Composed now (in the user's language), delivered by a job: on the RQ queue when
    Redis is configured, inline otherwise."""
    from .tasks import enqueue
    enqueue("deliver", raw=bytes(build_message(to, subject, text, html, list(attachments))))


def deliver_now(to: str, subject: str, text: str, attachments=()) -> None:
    """For code already running in a job: compose and deliver at once."""
    deliver(build_message(to, subject, text, None, list(attachments)), current_app.config["MAIL_URL"])
