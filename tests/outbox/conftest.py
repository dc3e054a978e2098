"""Fault injection for the e-mail outbox: a Redis that is away (a closed port), an SMTP
server that is away and then comes back (aiosmtpd), a queue that loses its jobs."""
from __future__ import annotations

import email
import email.policy
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

# Nothing listens on port 1 (it needs root to bind): Redis "away".
REDIS_AWAY = "redis://127.0.0.1:1/0"


class Sink:
    """An SMTP server that keeps what it accepts."""
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def start_smtp(smtp_port):
    """start_smtp() -> a Sink listening on smtp_port from now on."""
    controllers = []

    def start() -> Sink:
        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return sink
    yield start
    for controller in controllers:
        controller.stop()


def delivered(mail_dir: Path) -> list[email.message.EmailMessage]:
    """What the file:// backend wrote, without running queued jobs first."""
    files = sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


@pytest.fixture
def login(client):
    def do(user):
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return user
    return do


@pytest.fixture
def outbox_rows(app):
    """outbox_rows() -> every outbox row as (recipient, kind, status, attempts, last_error)."""
    def rows():
        from sqlalchemy import select

        from cmr_app.extensions import db
        from cmr_app.models import OutboxMail
        with app.app_context():
            return [(m.recipient, m.kind, m.status, m.attempts, m.last_error)
                    for m in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))]
    return rows
