"""Settings → Plan & features and Plan & billing: the plan, the trial, usage, feature
switches, orders, pro-formas and invoices."""
from __future__ import annotations

from flask import flash, has_request_context, redirect, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError, ValidationFailed
from ..services import account as account_service
from ..services import billing, entitlements, payments, quota, subscriptions
from . import bp
from ..formatting import money
from .common import FormState, flash_refusal, form_state_from_request

INVOICE_FIELDS = ("name", "address", "postal_code", "city", "country", "tax_id")


def plan_context(company, order_form: FormState | None = None, order_quote: dict | None = None) -> dict:
    now = entitlements.current(company)
    catalogue = entitlements.catalogue()
    documents = billing.list_documents(company.id)
    open_proformas = [d for d in documents if d.kind == "proforma" and d.order.status == "pending"]
    if order_form is None:
        values = {f"invoice.{k}": getattr(company, k) or "" for k in INVOICE_FIELDS}
        values.update({"plan": company.plan_code if company.plan_code != "free" else "standard",
                       "period_months": "12", "payment_method": "transfer"})
        order_form = FormState(values, readonly=current_user.role != "owner")
    lang = current_user.language or "en"
    trial_ends_at = entitlements.trial_ends_at(company)
    return {
        "now": now, "catalogue": catalogue, "sub": subscriptions.current(company),
        "plan_choices": [(p.code, p.name(lang)) for p in catalogue if not p.is_free],
        "trial_last_day": entitlements.trial_last_day(company), "chosen": entitlements.chosen_plan(company),
        "trial_ends_at": trial_ends_at, "usage": quota.usage(company),
        "subscription": subscriptions.summary(company), "enabled": set(company.enabled_features or ()),
        "billing_documents": documents, "open_proformas": open_proformas, "seller": billing.seller(),
        "order_form": order_form, "order_quote": order_quote,
        "online_payment": payments.configured() is not None,
        "checkout_url": lambda d: payments.configured().checkout_url(d),
        "saved_card": _saved_card(company),
        "pdf_url": lambda d: url_for("billing.document_pdf", token=d.access_token),
        "suspension_warning": suspension_warning,
    }


@bp.app_context_processor
def _trial_banner():
    """What the trial gives and until when, on every page of the desk. Built from the
    company, its subscription and the catalogue the request has already loaded: no query
    of its own."""
    if not has_request_context() or request.blueprint != "web" or not current_user.is_authenticated:
        return {"trial_banner": None}
    company = current_user.company
    now = entitlements.current(company)
    if not now.trial_active:
        return {"trial_banner": None}
    catalogue = entitlements.catalogue()
    lang = str(get_locale() or "en")  # the page's language, whether chosen or the browser's
    higher = [p for p in catalogue if p.price_per_year > now.plan.price_per_year]
    return {"trial_banner": {
        "plan": now.plan.name(lang), "last_day": entitlements.trial_last_day(company),
        "documents": format_decimal(now.plan.documents_per_month),
        "features": [catalogue.feature_name(key, lang) for key in sorted(now.plan.features)],
        "higher": min(higher, key=lambda p: p.price_per_year).name(lang) if higher else None}}


def _saved_card(company):
    """The card Stripe keeps for the automatic renewal, to show which one is charged."""
    if getattr(payments.configured(), "name", None) != "stripe":
        return None
    from ..services import stripe_provider
    return stripe_provider.saved_card(company.id)


def _back(anchor: str = "plan"):
    return redirect(url_for("web.settings", _anchor=anchor))


@bp.post("/settings/plan")
@login_required
def settings_plan():
    try:
        decision = account_service.change_plan(current_user, request.form.get("plan", ""))
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        plan = entitlements.catalogue().get(request.form.get("plan", ""))
        if decision.takes_effect_now:
            flash(_("Your plan is now %(plan)s.", plan=plan.name(current_user.language or "en")), "success")
        else:
            flash(_("%(plan)s takes effect at the next renewal.", plan=plan.name(current_user.language or "en")),
                  "info")
    return _back()


@bp.post("/settings/features/<key>")
@login_required
def settings_feature(key: str):
    enabled = request.form.get("enabled") == "1"
    before = current_user.company.plan_code
    try:
        account_service.switch_feature(current_user, key, enabled)
    except ValidationFailed:
        flash(_("There is no such feature."), "error")
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        after = current_user.company.plan_code
        if after != before:
            plan = entitlements.catalogue().get(after)
            flash(_("Switched on. Your trial moved to the %(plan)s plan, the cheapest one with this "
                    "feature.", plan=plan.name(current_user.language or "en")), "success")
        else:
            flash(_("Switched on.") if enabled else _("Switched off."), "success")
    return _back()


@bp.post("/settings/auto-renew")
@login_required
def settings_auto_renew():
    try:
        if current_user.role != "owner":
            raise ServiceError(_("Only the account owner can do this."))
        subscriptions.set_auto_renew(current_user.company, request.form.get("enabled") == "1")
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("Saved."), "success")
    return _back("billing")


def _order_payload() -> dict:
    return order_payload(request.form)


def order_payload(form) -> dict:
    """The order as the billing service takes it, from the form's inputs."""
    return {"plan": form.get("plan", ""), "period_months": form.get("period_months", ""),
            "promo_code": form.get("promo_code", "").strip() or None,
            "payment_method": form.get("payment_method", "transfer"),
            "invoice": {k: form.get(f"invoice.{k}", "") for k in INVOICE_FIELDS}}


@bp.post("/settings/order")
@login_required
def settings_order():
    from .settings import render_settings
    payload = _order_payload()
    try:
        if request.form.get("action") == "quote":
            quote = billing.quote_order(current_user, payload)
            quote["features_suspended"] = _feature_names(billing.features_suspended(current_user.company,
                                                                                    payload["plan"]))
            return render_settings(**plan_context(current_user.company, form_state_from_request(), quote))
        order = billing.create_order(current_user, payload)
    except ValidationFailed as exc:
        errors = {("invoice." + k[len("invoice."):] if k.startswith("invoice.") else k): v
                  for k, v in exc.errors.items()}
        return render_settings(422, **plan_context(current_user.company, form_state_from_request(errors)))
    except ServiceError as exc:
        flash_refusal(exc)
        return _back("billing")
    proforma = billing.proforma_of(order)
    adapter = payments.configured()
    if order.payment_method == "card" and adapter is not None:
        return redirect(adapter.checkout_url(proforma))
    flash(_("Order placed: pay %(amount)s with the transfer title %(number)s. The plan starts when the "
            "payment is booked.", amount=money(order.amounts["gross"]), number=proforma.number), "success")
    for number in getattr(order, "replaced_proformas", []):
        flash(_("Pro-forma %(number)s of your earlier order is cancelled.", number=number), "info")
    if order.features_suspended:
        flash(suspension_warning(order.plan_code, _feature_names(order.features_suspended)), "warning")
    return _back("billing")


def _feature_names(keys) -> list[str]:
    catalogue = entitlements.catalogue()
    return [catalogue.feature_name(key, current_user.language or "en") for key in keys]


def suspension_warning(plan_code: str, names: list[str]) -> str:
    plan = entitlements.catalogue().get(plan_code)
    return _("%(plan)s does not include what you have switched on: %(features)s. Once it is in force, these "
             "stop working (kept, not deleted) until you move to a plan that has them.",
             plan=plan.name(current_user.language or "en") if plan else plan_code, features=", ".join(names))


@bp.get("/settings/invoices/<int:invoice_id>/ksef.xml")
@login_required
def settings_invoice_ksef_xml(invoice_id: int):
    """The FA(3) XML of one of the company's VAT invoices (as `GET /invoices/{id}/ksef.xml`)."""
    from flask import Response, abort
    from ..services import ksef
    try:
        document = billing.company_document(current_user.company_id, invoice_id)
        xml = ksef.xml_of(document)
    except ServiceError:
        abort(404)
    except ksef.InvalidInvoice:
        abort(409)
    filename = document.number.replace("/", "-") + ".xml"
    return Response(xml, mimetype="application/xml", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/settings/invoices/<int:invoice_id>/cancel")
@login_required
def settings_proforma_cancel(invoice_id: int):
    try:
        document = billing.cancel_proforma(current_user, invoice_id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("Pro-forma %(number)s is cancelled.", number=document.number), "success")
    return _back("billing")
