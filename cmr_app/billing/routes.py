from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import ServiceError
from ..extensions import csrf, limiter
from ..services import billing, payments
from . import bp


@bp.get("/billing/<token>.pdf")
@limiter.limit("60/minute")
def document_pdf(token: str):
    # The link carries 192 random bits: it is how e-mails reach the invoice.
    document = billing.document_by_token(token)
    filename = document.number.replace("/", "-") + ".pdf"
    return Response(billing.render(document), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


# Refused notifications are what an attacker or a broken sender produces; a real
# provider's accepted ones are not counted, so a busy day of payments is never throttled.
NOTIFY_LIMIT = "20/minute"


@bp.route("/pay/fake/<token>", methods=["GET", "POST"])
def fake_checkout(token: str):
    """The fake provider's own checkout page (a real provider's would be on its site).
    Only where PAYMENT_PROVIDER is `fake`: anywhere else it would be a free plan button."""
    try:
        adapter = payments.require_provider("fake")
    except ServiceError:
        abort(404)
    document = billing.document_by_token(token)
    if document.kind != "proforma":
        abort(404)
    if request.method == "POST":
        if request.form.get("action") != "pay":
            flash(_("The payment was cancelled."), "info")
            return redirect(url_for("web.settings", _anchor="billing"))
        body, signature = adapter.notification_for(document)
        try:
            payments.handle_notification(adapter.name, body, signature)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Payment received. Your plan is active; the invoice is on its way."), "success")
        return redirect(url_for("web.settings", _anchor="billing"))
    return render_template("billing/fake_checkout.html", document=document)


@bp.post("/payments/<provider_name>/notify")
@csrf.exempt
@limiter.limit(NOTIFY_LIMIT, deduct_when=lambda response: response.status_code >= 400)
def notify(provider_name: str):
    try:
        invoice = payments.handle_notification(provider_name, request.get_data(),
                                               request.headers.get("X-Signature", ""))
    except ServiceError as exc:
        return jsonify({"error": {"code": exc.code, "message": exc.message, "details": exc.details}}), exc.status
    return jsonify({"status": "booked", "invoice": invoice.number})
