"""Payment providers behind one adapter. Shipped: a local fake provider that sends the
user to its own checkout page and notifies us with an HMAC-signed message, as real
providers do. A refused notification (bad signature, wrong amount, unknown order)
books nothing and is logged for admins; the same notification twice books once."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from .. import clock
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..models import BillingDocument, Order, PaymentEvent
from . import billing


class NotificationRefused(ServiceError):
    status, code = 400, "bad_request"


@dataclass(frozen=True)
class Notification:
    proforma_number: str
    amount: str
    transaction_id: str


class FakeProvider:
    name = "fake"

    def _secret(self) -> bytes:
        return hmac.new(current_app.config["SECRET_KEY"].encode(), b"fake-payment-provider",
                        hashlib.sha256).digest()

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret(), body, hashlib.sha256).hexdigest()

    def checkout_url(self, proforma: BillingDocument) -> str:
        return url_for("billing.fake_checkout", token=proforma.access_token)

    def notification_for(self, proforma: BillingDocument) -> tuple[bytes, str]:
        """What the provider sends after a successful payment: a body and its signature."""
        body = json.dumps({"order": proforma.number, "amount": billing._money(proforma.order.gross),
                           "currency": "PLN", "transaction_id": "FAKE-" + secrets.token_hex(8),
                           "paid_at": clock.now().isoformat()}).encode()
        return body, self.sign(body)

    def parse(self, body: bytes, signature: str) -> Notification:
        if not signature or not hmac.compare_digest(self.sign(body), signature.strip().lower()):
            raise NotificationRefused("bad signature")
        try:
            data = json.loads(body)
            return Notification(str(data["order"]), str(data["amount"]), str(data["transaction_id"]))
        except (ValueError, KeyError, TypeError):
            raise NotificationRefused("malformed notification")


PROVIDERS = {"fake": FakeProvider()}


def provider(name: str = "fake") -> FakeProvider:
    return PROVIDERS[name]


def _log(provider_name: str, body: bytes, problem: str) -> None:
    db.session.rollback()
    db.session.add(PaymentEvent(provider=provider_name, payload=body.decode("utf-8", "replace")[:4000],
                                problem=problem[:200], created_at=clock.now()))
    db.session.commit()
    current_app.logger.warning("payment notification refused (%s): %s", provider_name, problem)


def handle_notification(provider_name: str, body: bytes, signature: str) -> BillingDocument:
    """Verifies and books one provider notification; returns the VAT invoice."""
    adapter = PROVIDERS.get(provider_name)
    if adapter is None:
        raise NotFound()
    try:
        note = adapter.parse(body, signature)
        order = billing.find_order_by_proforma(note.proforma_number)
        invoice, _new = billing.book_payment(order, note.amount, provider=adapter.name,
                                             external_id=note.transaction_id)
        return invoice
    except (NotificationRefused, billing.PaymentRefused, NotFound) as exc:
        _log(provider_name, body, f"{exc.code}: {exc.message}")
        raise


def charge_saved_card(order: Order) -> bool:
    """Card auto-renewal: the provider charges the saved card and notifies us."""
    proforma = billing.proforma_of(order)
    adapter = provider("fake")
    body, signature = adapter.notification_for(proforma)
    try:
        handle_notification(adapter.name, body, signature)
    except ServiceError:
        return False
    return True


def refused_events(limit: int = 100) -> list[PaymentEvent]:
    return list(db.session.scalars(select(PaymentEvent).order_by(PaymentEvent.id.desc()).limit(limit)))
