"""The mail transport: builds a message and hands it to the MAIL_URL backend,
smtp://user:pass@host:port[?tls=1], console:// (printed) or file:///dir (one .eml per
message). Only cmr_app/sender.py calls it; services record e-mails in the outbox."""
from __future__ import annotations

import smtplib
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app

SMTP_TIMEOUT = 20  # seconds; a failed attempt is retried later from the outbox


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
        with smtplib.SMTP(url.hostname or "localhost", url.port or 25, timeout=SMTP_TIMEOUT) as smtp:
            if query.get("tls", ["0"])[0] in ("1", "true", "yes"):
                smtp.starttls()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(msg)
    else:
        raise ValueError(f"unsupported MAIL_URL scheme: {url.scheme!r}")
