"""Stripe as the payment provider (PAYMENT_PROVIDER=stripe), through the `stripe` library.

Paying a pro-forma on the pay page (Stripe.js):
- card: a SetupIntent for the company's Stripe customer is confirmed in the browser
  (Stripe.js collects the card and runs 3-D Secure); the server then charges the saved
  payment method with a PaymentIntent it confirms itself, and hands a 3-D Secure
  challenge back to Stripe.js when the bank asks for one. For a card order (automatic
  renewal) the payment method is kept: at the end of the paid period the daily job
  charges it off-session (§5.9), unless the owner cancelled the renewal in time.
- BLIK and Przelewy24 (Stripe payment methods in PLN): a PaymentIntent of that type,
  confirmed by Stripe.js (a BLIK code, or a redirect to the bank and back).

A payment is booked through `billing.book_payment`, the path the fake provider and the
admins use: from a verified webhook (`payment_intent.succeeded`, signature checked with
STRIPE_WEBHOOK_SECRET), or from the PaymentIntent the server itself retrieved from Stripe
with the secret key. Either may come first, or both twice: the order is booked once.
A refused webhook (bad signature, wrong amount) books nothing and is logged for admins
like the fake provider's refusals."""
from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlsplit

import stripe
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..models import BillingDocument, Company, Order, StripeCustomer, StripeIntent, User
from . import billing, payments

STRIPE_JS = "https://js.stripe.com/v3/"
PAGE_METHODS = ("card", "blik", "p24")
# PaymentIntent states in which the money is taken or on its way: never charge again.
CHARGING = ("succeeded", "processing", "requires_capture")
# States in which the intent can still be completed by the payer.
OPEN = ("requires_payment_method", "requires_confirmation", "requires_action")


class PaymentFailed(ServiceError):
    status, code = 402, "payment_failed"


class StripeUnavailable(ServiceError):
    status, code = 503, "provider_unavailable"


class StripeProvider:
    name = "stripe"

    def checkout_url(self, proforma: BillingDocument) -> str:
        return url_for("billing.stripe_checkout", token=proforma.access_token)

    def charge_saved_card(self, order: Order) -> bool:
        return charge_saved_card(order)

    def parse(self, body: bytes, signature: str):
        # Stripe signs its webhooks in its own way: they go to /payments/stripe/webhook.
        raise payments.NotificationRefused("Stripe events are accepted at /payments/stripe/webhook only")


# Settings and the browser side

def client() -> stripe.StripeClient:
    config = current_app.config
    bases = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else None
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=bases, max_network_retries=2)


def js_url() -> str:
    """Stripe.js; with a local stand-in (STRIPE_API_BASE), the one it serves."""
    base = current_app.config.get("STRIPE_API_BASE")
    return f"{base}/js.stripe.com/v3/" if base else STRIPE_JS


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def csp_sources() -> dict[str, tuple[str, ...]]:
    """What the pay page's Content-Security-Policy must allow for Stripe.js, and nothing
    more: its script, the API it calls, and the frames it draws the card fields and the
    3-D Secure challenge in (stripe.com/docs/security/guide#content-security-policy)."""
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        origin = _origin(base)
        return {"script": (origin,), "connect": (origin,), "frame": (origin,), "img": ()}
    return {"script": ("https://js.stripe.com",), "connect": ("https://api.stripe.com",),
            "frame": ("https://js.stripe.com", "https://hooks.stripe.com"), "img": ("https://*.stripe.com",)}


def methods_for(order: Order) -> tuple[str, ...]:
    """A card order renews automatically, so it is paid with a card that is kept; a
    transfer order may be paid once by card, BLIK or Przelewy24."""
    return ("card",) if order.payment_method == "card" else PAGE_METHODS


# Helpers

def _grosze(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def _as_dict(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _id(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.get("id") if isinstance(value, dict) else getattr(value, "id", None)


def _unavailable(exc: Exception) -> StripeUnavailable:
    current_app.logger.warning("Stripe call failed: %s", exc)
    return StripeUnavailable(_("The payment service cannot be reached. Nothing was charged; please try again "
                               "in a moment."))


def _pending_order(proforma: BillingDocument) -> Order:
    order = proforma.order
    if proforma.kind != "proforma":
        raise NotFound()
    if order.status != "pending":
        raise billing.PaymentRefused(_("This order cannot be paid any more."))
    return order


def _site() -> str:
    """Which installation made an intent: a Stripe account shared by a test and a live
    site sends both their events, and order numbers repeat between them."""
    return current_app.config["BASE_URL"][:500]


def _metadata(order: Order, proforma: BillingDocument, save_card: bool = False) -> dict:
    data = {"order_id": str(order.id), "proforma": proforma.number, "site": _site()}
    if save_card:
        data["save_card"] = "1"
    return data


def _intent_row(order: Order, purpose: str) -> StripeIntent | None:
    return db.session.scalar(select(StripeIntent).where(StripeIntent.order_id == order.id,
                                                        StripeIntent.purpose == purpose))


def _remember(order: Order, purpose: str, intent_id: str) -> None:
    row = _intent_row(order, purpose)
    if row is None:
        db.session.add(StripeIntent(order_id=order.id, purpose=purpose, intent_id=intent_id, created_at=clock.now()))
    else:
        row.intent_id, row.created_at = intent_id, clock.now()
    try:
        db.session.commit()
    except IntegrityError:  # the same page opened twice at once: the other one is kept
        db.session.rollback()


def customer_of(company_id: int) -> StripeCustomer | None:
    return db.session.scalar(select(StripeCustomer).where(StripeCustomer.company_id == company_id))


def _ensure_customer(order: Order) -> StripeCustomer:
    row = customer_of(order.company_id)
    if row is not None:
        return row
    company = db.session.get(Company, order.company_id)
    owner = db.session.scalar(select(User).where(User.company_id == company.id, User.role == "owner")
                              .order_by(User.id).limit(1))
    params = {"name": (order.buyer or {}).get("name") or company.name,
              "metadata": {"company_id": str(company.id)}}
    if owner is not None:
        params["email"] = owner.email
    try:
        customer = client().v1.customers.create(
            params=params, options={"idempotency_key": f"cmr-customer-{company.id}"})
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    row = StripeCustomer(company_id=company.id, customer_id=customer.id, updated_at=clock.now())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        row = customer_of(company.id)
    return row


# The pay page

PAYMENT_PURPOSES = ("card", "blik", "p24", "renewal")


def _under_way(api: stripe.StripeClient, order: Order, purpose: str) -> dict | None:
    """A payment of this order by another method that has succeeded (booked now, if the
    webhook has not come yet) or is on its way: then no second one is started."""
    rows = db.session.scalars(select(StripeIntent).where(StripeIntent.order_id == order.id,
                                                         StripeIntent.purpose.in_(PAYMENT_PURPOSES),
                                                         StripeIntent.purpose != purpose)).all()
    for intent_id in [row.intent_id for row in rows]:
        intent = api.v1.payment_intents.retrieve(intent_id)
        if intent.status in CHARGING:
            return _outcome(intent)
    return None


def start(proforma: BillingDocument, method: str) -> dict:
    """The intent Stripe.js confirms on the pay page: for a card, a SetupIntent (the card
    is then charged by `confirm_card`); for BLIK and Przelewy24, the PaymentIntent itself.
    An intent still open for this order and method is given again, not a new one."""
    order = _pending_order(proforma)
    if method not in methods_for(order):
        raise ServiceError(_("This payment method is not offered for this order."))
    api = client()
    try:
        under_way = _under_way(api, order, method)
        if under_way is not None:
            return under_way
        if method == "card":
            customer = _ensure_customer(order)
            row = _intent_row(order, "setup")
            if row is not None:
                intent = api.v1.setup_intents.retrieve(row.intent_id)
                if intent.status in OPEN:
                    return {"kind": "setup", "client_secret": intent.client_secret}
            intent = api.v1.setup_intents.create(params={
                "customer": customer.customer_id, "payment_method_types": ["card"],
                "usage": "off_session" if order.payment_method == "card" else "on_session",
                "metadata": _metadata(order, proforma)})
            _remember(order, "setup", intent.id)
            return {"kind": "setup", "client_secret": intent.client_secret}
        row = _intent_row(order, method)
        if row is not None:
            intent = api.v1.payment_intents.retrieve(row.intent_id)
            if intent.status in CHARGING:
                return _outcome(intent)
            if intent.status in OPEN:
                return {"kind": "payment", "client_secret": intent.client_secret}
        intent = api.v1.payment_intents.create(params={
            "amount": _grosze(order.gross), "currency": "pln", "payment_method_types": [method],
            "metadata": _metadata(order, proforma)})
        _remember(order, method, intent.id)
        return {"kind": "payment", "client_secret": intent.client_secret}
    except stripe.StripeError as exc:
        raise _unavailable(exc)


def confirm_card(proforma: BillingDocument, setup_intent_id: str) -> dict:
    """After Stripe.js confirmed the SetupIntent: the server charges the card it saved.
    A card payment already under way for this order is looked at, never made twice."""
    order = _pending_order(proforma)
    setup_row = _intent_row(order, "setup")
    if setup_row is None or setup_row.intent_id != setup_intent_id:
        raise NotFound()
    api = client()
    try:
        under_way = _under_way(api, order, "card")
        if under_way is not None:
            return under_way
        payment_row = _intent_row(order, "card")
        if payment_row is not None:
            existing = api.v1.payment_intents.retrieve(payment_row.intent_id)
            if existing.status in CHARGING or existing.status == "requires_action":
                return _outcome(existing)
            if existing.status in ("requires_confirmation",):
                api.v1.payment_intents.cancel(existing.id)
        setup = api.v1.setup_intents.retrieve(setup_intent_id)
        if setup.status != "succeeded" or not _id(setup.payment_method):
            raise PaymentFailed(_("The card was not accepted. Check its details or use another card."))
        customer = customer_of(order.company_id)
        intent = api.v1.payment_intents.create(params={
            "amount": _grosze(order.gross), "currency": "pln", "customer": customer.customer_id,
            "payment_method": _id(setup.payment_method), "payment_method_types": ["card"], "confirm": True,
            "metadata": _metadata(order, proforma, save_card=order.payment_method == "card")},
            options={"idempotency_key": f"cmr-card-{order.id}-{setup_intent_id}"})
    except stripe.CardError as exc:
        raise PaymentFailed(_("The card was declined: %(reason)s", reason=exc.user_message or exc.code or ""))
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    _remember(order, "card", intent.id)
    return _outcome(intent)


def check(proforma: BillingDocument, payment_intent_id: str) -> dict:
    """After Stripe.js finished a payment (3-D Secure, BLIK, the return from Przelewy24):
    what Stripe says about it, booked at once if it succeeded."""
    order = proforma.order
    known = set(db.session.scalars(select(StripeIntent.intent_id).where(
        StripeIntent.order_id == order.id, StripeIntent.purpose.in_(PAYMENT_PURPOSES))))
    if payment_intent_id not in known:
        raise NotFound()
    if order.status == "paid":
        return {"status": "paid"}
    try:
        intent = client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    return _outcome(intent)


def _outcome(intent) -> dict:
    status = intent.status
    if status == "succeeded":
        book(_as_dict(intent))
        return {"status": "paid"}
    if status == "requires_action":
        return {"status": "requires_action", "client_secret": intent.client_secret, "payment_intent": intent.id}
    if status in ("processing", "requires_capture"):
        return {"status": "processing", "payment_intent": intent.id}
    error = _as_dict(intent).get("last_payment_error") or {}
    raise PaymentFailed(_("The payment did not go through: %(reason)s",
                          reason=error.get("message") or _("it was cancelled or declined.")))


# Booking

class NotOurs(Exception):
    """A Stripe object without our order in its metadata (another integration's)."""


def book(intent: dict) -> BillingDocument:
    """Books a succeeded PaymentIntent (a dict, from the API or a verified webhook) through
    billing.book_payment; the same intent twice books once."""
    if intent.get("status") != "succeeded":
        raise payments.NotificationRefused(f"payment intent status {str(intent.get('status'))[:30]}")
    metadata = intent.get("metadata") or {}
    if not metadata.get("proforma") or not metadata.get("order_id") or metadata.get("site") != _site():
        raise NotOurs()
    if str(intent.get("currency", "")).lower() != "pln":
        raise payments.NotificationRefused(f"currency {str(intent.get('currency'))[:10]} is not PLN")
    order = billing.find_order_by_proforma(str(metadata["proforma"]))
    if str(order.id) != str(metadata["order_id"]):
        raise payments.NotificationRefused("the order does not match the pro-forma")
    received = intent.get("amount_received") or intent.get("amount")
    try:
        amount = (Decimal(int(received)) / 100).quantize(Decimal("0.01"))
    except (TypeError, ValueError, ArithmeticError):
        raise payments.NotificationRefused("no amount")
    company_id, save_card = order.company_id, metadata.get("save_card") == "1"
    invoice, _new = billing.book_payment(order, amount, provider="stripe", external_id=str(intent.get("id"))[:100])
    if save_card:
        _keep_card(company_id, _id(intent.get("customer")), _id(intent.get("payment_method")))
    return invoice


def _keep_card(company_id: int, customer_id: str | None, payment_method_id: str | None) -> None:
    """The card of a card order is kept for the automatic renewal."""
    row = customer_of(company_id)
    if row is None or not payment_method_id or row.customer_id != customer_id:
        return
    if row.payment_method_id == payment_method_id:
        return
    brand = last4 = ""
    try:
        method = _as_dict(client().v1.payment_methods.retrieve(payment_method_id))
        brand, last4 = str((method.get("card") or {}).get("brand") or "")[:20], str(
            (method.get("card") or {}).get("last4") or "")[:4]
    except stripe.StripeError as exc:  # the card is kept without its label
        current_app.logger.warning("Stripe payment method %s not read: %s", payment_method_id, exc)
    row.payment_method_id, row.card_brand, row.card_last4, row.updated_at = payment_method_id, brand, last4, clock.now()
    db.session.commit()


def handle_webhook(body: bytes, signature: str) -> BillingDocument | None:
    """A webhook from Stripe: verified with STRIPE_WEBHOOK_SECRET before anything is read.
    `payment_intent.succeeded` of one of our orders books it; other events are accepted
    and ignored. Refusals are logged for admins and raised (400, or 409 for a payment the
    order cannot take)."""
    payments.require_provider("stripe")
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        stripe.Webhook.construct_event(body, signature or None, secret)
        event = json.loads(body)
        kind, obj = event["type"], event["data"]["object"]
        if not isinstance(obj, dict):
            raise ValueError("object")
    except stripe.SignatureVerificationError:
        payments._log("stripe", body, "bad_request: bad signature")
        raise payments.NotificationRefused("bad signature")
    except (ValueError, KeyError, TypeError, RecursionError):
        payments._log("stripe", body, "bad_request: malformed event")
        raise payments.NotificationRefused("malformed event")
    if kind != "payment_intent.succeeded":
        return None
    try:
        return book(obj)
    except NotOurs:
        return None
    except (payments.NotificationRefused, billing.PaymentRefused, NotFound) as exc:
        payments._log("stripe", body, f"{exc.code}: {exc.message}")
        raise


# Automatic renewal (§5.9)

def saved_card(company_id: int) -> StripeCustomer | None:
    row = customer_of(company_id)
    return row if row is not None and row.payment_method_id else None


def charge_saved_card(order: Order) -> bool:
    """The daily job at the end of a paid period: the renewal order is charged to the saved
    card off-session and booked at once. One PaymentIntent per renewal order, whatever
    retries do: the one made before is looked at, and Stripe's idempotency key covers a
    crash between making it and remembering it. False: not charged (no saved card, the
    bank refused); the caller lets the account lapse as without a card. Stripe away:
    payments.ChargeDeferred, and the next daily run tries again."""
    proforma = billing.proforma_of(order)
    card = saved_card(order.company_id)
    if proforma is None or card is None or order.status != "pending":
        return False
    api = client()
    try:
        row = _intent_row(order, "renewal")
        if row is not None:
            intent = api.v1.payment_intents.retrieve(row.intent_id)
        else:
            intent = api.v1.payment_intents.create(params={
                "amount": _grosze(order.gross), "currency": "pln", "customer": card.customer_id,
                "payment_method": card.payment_method_id, "payment_method_types": ["card"],
                "confirm": True, "off_session": True, "metadata": _metadata(order, proforma)},
                options={"idempotency_key": f"cmr-renewal-{order.id}"})
            _remember(order, "renewal", intent.id)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        current_app.logger.warning("card renewal of order %s waits, Stripe unreachable: %s", order.id, exc)
        raise payments.ChargeDeferred(str(exc))
    except stripe.StripeError as exc:
        if (exc.http_status or 0) >= 500:
            current_app.logger.warning("card renewal of order %s waits, Stripe failed: %s", order.id, exc)
            raise payments.ChargeDeferred(str(exc))
        current_app.logger.warning("card renewal of order %s not charged: %s", order.id, exc)
        return False
    if intent.status != "succeeded":
        return False
    try:
        book(_as_dict(intent))
    except (ServiceError, NotOurs) as exc:
        current_app.logger.warning("card renewal of order %s not booked: %s", order.id, exc)
        return False
    return True
