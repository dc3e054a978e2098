"""Stripe's pay page (Stripe.js), the calls it makes, the return from a bank's page and
the webhook. Every route is 404 unless PAYMENT_PROVIDER is `stripe`. Like the e-mailed
PDF links, the pay page is reached by the pro-forma's 192-bit token."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import security
from ..errors import NotFound, ServiceError
from ..extensions import csrf, limiter
from ..services import billing, payments
from . import bp
from .routes import NOTIFY_LIMIT


def _provider():
    try:
        payments.require_provider("stripe")
    except ServiceError:
        abort(404)
    from ..services import stripe_provider
    return stripe_provider


def _proforma(token: str):
    document = billing.document_by_token(token)
    if document.kind != "proforma":
        abort(404)
    return document


def _error(exc: ServiceError):
    return jsonify({"error": {"code": exc.code, "message": exc.message, "details": exc.details}}), exc.status


def _done(result: dict):
    if result.get("status") == "paid":
        flash(_("Payment received. Your plan is active; the invoice is on its way."), "success")
        result = {**result, "redirect": url_for("web.settings", _anchor="billing")}
    return jsonify(result)


@bp.get("/pay/stripe/<token>")
def stripe_checkout(token: str):
    provider = _provider()
    document = _proforma(token)
    order = document.order
    if order.status == "paid":
        flash(_("This pro-forma is paid."), "info")
        return redirect(url_for("web.settings", _anchor="billing"))
    if order.status != "pending":
        abort(404)
    response = current_app.make_response(render_template(
        "billing/stripe_checkout.html", document=document, order=order, methods=provider.methods_for(order),
        js_url=provider.js_url(), publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        saved_card=provider.saved_card(order.company_id) if order.payment_method == "card" else None))
    response.headers["Content-Security-Policy"] = security.content_security_policy(**provider.csp_sources())
    return response


@bp.post("/pay/stripe/<token>/intent")
@limiter.limit("30/minute")
def stripe_intent(token: str):
    provider = _provider()
    document = _proforma(token)
    method = str((request.get_json(silent=True) or {}).get("method") or "")
    try:
        return jsonify(provider.start(document, method))
    except ServiceError as exc:
        return _error(exc)


@bp.post("/pay/stripe/<token>/confirm")
@limiter.limit("30/minute")
def stripe_confirm(token: str):
    provider = _provider()
    document = _proforma(token)
    data = request.get_json(silent=True) or {}
    setup_intent, payment_intent = data.get("setup_intent"), data.get("payment_intent")
    try:
        if isinstance(setup_intent, str) and setup_intent:
            return _done(provider.confirm_card(document, setup_intent))
        if isinstance(payment_intent, str) and payment_intent:
            return _done(provider.check(document, payment_intent))
        raise ServiceError(_("Nothing to confirm."))
    except ServiceError as exc:
        return _error(exc)


@bp.get("/pay/stripe/<token>/return")
@limiter.limit("30/minute")
def stripe_return(token: str):
    """Where Stripe sends the payer back from a bank's page (Przelewy24)."""
    provider = _provider()
    document = _proforma(token)
    try:
        result = provider.check(document, request.args.get("payment_intent", ""))
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("billing.stripe_checkout", token=token))
    if result["status"] == "paid":
        flash(_("Payment received. Your plan is active; the invoice is on its way."), "success")
    else:
        flash(_("The payment is being processed; the plan starts as soon as the bank confirms it."), "info")
    return redirect(url_for("web.settings", _anchor="billing"))


@bp.post("/payments/stripe/webhook")
@csrf.exempt
@limiter.limit(NOTIFY_LIMIT, deduct_when=lambda response: response.status_code >= 400)
def stripe_webhook():
    provider = _provider()
    try:
        invoice = provider.handle_webhook(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except ServiceError as exc:
        return _error(exc)
    if invoice is None:
        return jsonify({"status": "ignored"})
    return jsonify({"status": "booked", "invoice": invoice.number})
