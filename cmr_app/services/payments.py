"""Payment providers behind one adapter, chosen by PAYMENT_PROVIDER. Shipped: Stripe
(services/stripe_provider.py) and a local fake provider (development and tests only) that
sends the user to its own checkout page and notifies us with an HMAC-signed message, as
real providers do. Unset: bank transfer only, booked by an admin; no online payment is
offered and every provider route is 404.

A refused notification (bad signature, wrong amount, unknown order) books nothing and
is logged for admins, boundedly: identical refusals are counted on one row, payloads are
cut short and only the newest MAX_REFUSED_EVENTS rows are kept. The same notification
twice books once."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import delete, select, update

from .. import clock
from ..errors import NotFound, ServiceError
from ..extensions import db, insert_ignoring_conflict
from ..models import BillingDocument, Order, PaymentEvent
from . import billing


class NotificationRefused(ServiceError):
    status, code = 400, "bad_request"


class ChargeDeferred(Exception):
    """The provider could not be reached to charge a saved card: nothing was charged or
    refused, so the renewal is tried again by the next daily run instead of lapsing."""


# How long after the end of a paid period a renewal charge that met an outage is tried
# again before the account lapses as unpaid.
CHARGE_RETRY_DAYS = 3


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
            note = Notification(str(data["order"]), str(data["amount"]), str(data["transaction_id"]))
            currency = str(data.get("currency") or "PLN")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise NotificationRefused("malformed notification")
        if currency != "PLN":
            raise NotificationRefused(f"currency {currency[:10]} is not PLN")
        return note


PROVIDERS = {"fake": FakeProvider()}
MAX_REFUSED_EVENTS = 500
PAYLOAD_KEPT = 2000


def _adapter(name: str):
    if name == "stripe":  # imported when asked for: it imports this module
        from .stripe_provider import StripeProvider
        return PROVIDERS.setdefault("stripe", StripeProvider())
    return PROVIDERS.get(name)


def configured():
    """The provider PAYMENT_PROVIDER names, or None: bank transfer only."""
    return _adapter(current_app.config.get("PAYMENT_PROVIDER") or "")


def require_provider(name: str):
    """The adapter for a provider route: 404 unless it is the configured provider, so the
    fake checkout cannot pay anything where the fake provider is not switched on."""
    adapter = configured()
    if adapter is None or adapter.name != name:
        raise NotFound()
    return adapter


def provider(name: str = "fake"):
    return _adapter(name)


def _log(provider_name: str, body: bytes, problem: str) -> None:
    db.session.rollback()
    provider_name, problem = provider_name[:20], problem[:200]
    digest = hashlib.sha256(b"\0".join([provider_name.encode(), problem.encode(), body])).hexdigest()
    now = clock.now()
    inserted = db.session.execute(insert_ignoring_conflict(
        PaymentEvent.__table__, provider=provider_name, payload=body.decode("utf-8", "replace")[:PAYLOAD_KEPT],
        problem=problem, created_at=now, last_at=now, digest=digest, repeats=1)
        .returning(PaymentEvent.id)).scalar_one_or_none()
    if inserted is None:
        db.session.execute(update(PaymentEvent).where(PaymentEvent.digest == digest)
                           .values(repeats=PaymentEvent.repeats + 1, last_at=now)
                           .execution_options(synchronize_session=False))
    else:
        oldest_kept = (select(PaymentEvent.id).order_by(PaymentEvent.id.desc())
                       .offset(MAX_REFUSED_EVENTS - 1).limit(1).scalar_subquery())
        db.session.execute(delete(PaymentEvent).where(PaymentEvent.id < oldest_kept)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    current_app.logger.warning("payment notification refused (%s): %s", provider_name, problem)


def handle_notification(provider_name: str, body: bytes, signature: str) -> BillingDocument:
    """Verifies and books one provider notification; returns the VAT invoice."""
    adapter = require_provider(provider_name)
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
    """Card auto-renewal: the provider charges the saved card and notifies us. Without
    a provider nothing is charged: the renewal pro-forma waits for a transfer."""
    proforma = billing.proforma_of(order)
    adapter = configured()
    if adapter is None or proforma is None:
        return False
    if hasattr(adapter, "charge_saved_card"):  # a real provider charges the card it keeps
        return adapter.charge_saved_card(order)
    body, signature = adapter.notification_for(proforma)
    try:
        handle_notification(adapter.name, body, signature)
    except ServiceError:
        return False
    return True


def refused_events(limit: int = 100) -> list[PaymentEvent]:
    return list(db.session.scalars(select(PaymentEvent).order_by(PaymentEvent.id.desc()).limit(limit)))
