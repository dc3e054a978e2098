"""Billing fixtures: a real SMTP server (aiosmtpd) the app sends through."""
from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def attachments(message) -> list[tuple[str, bytes]]:
        return [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_config(app_config, smtp):
    return {**app_config, "MAIL_URL": f"smtp://127.0.0.1:{smtp_port(smtp)}"}


def smtp_port(sink) -> int:
    return sink.port


@pytest.fixture
def smtp(request):
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


@pytest.fixture
def drain(app):
    """Runs queued jobs (RQ on Redis when configured; inline otherwise nothing waits)."""
    from cmr_app import tasks
    return lambda: tasks.drain(app)


INVOICE_PL = {"name": "Spedycja Test Sp. z o.o.", "address": "ul. Portowa 1", "postal_code": "81-001",
              "city": "Gdynia", "country": "PL", "tax_id": "7010847517"}
INVOICE_DE = {"name": "Spedition Müller GmbH", "address": "Hafenstraße 3", "postal_code": "20457",
              "city": "Hamburg", "country": "DE", "tax_id": "DE136695976"}
