from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from sqlalchemy.exc import IntegrityError

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..services import admin_accounts, admin_plans, billing, entitlements, outbox, payments as payment_service
from . import bp
from .forms import BookPaymentForm, NewPlanForm, PlanForm, PromoCodeForm, SellerForm

# The admin menu.
NAV = (
    ("admin.plans", _l("Plans")),
    ("admin.accounts", _l("Accounts")),
    ("admin.audit", _l("Plan history")),
    ("admin.promo_codes", _l("Promo codes")),
    ("admin.payments", _l("Payments")),
    ("admin.seller", _l("Seller data")),
    ("admin.emails", _l("E-mails")),
    ("admin.ksef", _l("KSeF")),
)


@bp.before_request
def admins_only():
    # A 404, not a 403: the admin area does not exist for anyone else.
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


@bp.context_processor
def admin_context():
    return {"admin_nav": NAV, "field_labels": admin_plans.FIELD_LABELS,
            "lang": str(get_locale() or "en")}


def _page_arg() -> int:
    # Bounded: a huge number would overflow the database's OFFSET.
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


def _feature_choices():
    catalogue = entitlements.catalogue()
    lang = str(get_locale() or "en")
    return [(key, catalogue.feature_name(key, lang)) for key in catalogue.feature_names]


def _show_service_errors(form, exc: ValidationFailed) -> None:
    for key, messages in exc.errors.items():
        field = getattr(form, getattr(form, "FIELD_NAMES", {}).get(key, key), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors = list(form.form_errors) + list(messages)


@bp.get("/")
def index():
    return redirect(url_for("admin.plans"))


@bp.get("/plans")
def plans():
    return render_template("admin/plans.html", plans=admin_plans.list_plans(),
                           catalogue=entitlements.catalogue(),
                           companies=admin_plans.companies_per_plan())


@bp.route("/plans/<code>", methods=["GET", "POST"])
def plan_edit(code: str):
    plan = admin_plans.get_plan(code)
    form = PlanForm()
    form.features.choices = _feature_choices()
    if request.method == "GET":
        form.fill(admin_plans.plan_values(plan))
    elif form.validate_on_submit():
        try:
            entry = admin_plans.update_plan(current_user, code, form.values())
        except ValidationFailed as exc:
            _show_service_errors(form, exc)
        else:
            if entry is None:
                flash(_("Nothing changed."), "info")
            else:
                flash(_("Plan %(code)s saved.", code=code), "success")
            return redirect(url_for("admin.plan_edit", code=code))
    history, more = admin_plans.audit_page(plan_code=code, per_page=20)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/plan_form.html", form=form, plan=plan, history=history,
                           more_history=more), status


@bp.route("/new-plan", methods=["GET", "POST"])
def plan_new():
    form = NewPlanForm()
    form.features.choices = _feature_choices()
    if request.method == "GET":
        form.users.data = 1
        form.documents_per_month.data = 0
        form.position.data = admin_plans.next_position()
    elif form.validate_on_submit():
        try:
            plan = admin_plans.create_plan(current_user, form.code.data, form.values())
        except ValidationFailed as exc:
            _show_service_errors(form, exc)
        else:
            flash(_("Plan %(code)s created.", code=plan.code), "success")
            return redirect(url_for("admin.plan_edit", code=plan.code))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/plan_form.html", form=form, plan=None, history=[],
                           more_history=False), status


@bp.get("/history")
def audit():
    page = _page_arg()
    entries, more = admin_plans.audit_page(page=page)
    return render_template("admin/audit.html", entries=entries, page=page, more=more)


@bp.get("/accounts")
def accounts():
    q = request.args.get("q", "").strip()[:200]
    result = admin_accounts.accounts_page(q, _page_arg())
    return render_template("admin/accounts.html", result=result, q=q)


# Billing: promo codes, booking payments, the seller data on pro-formas and invoices.

PROMO_STATUS = {"active": _l("active"), "not_yet_valid": _l("not valid yet"), "expired": _l("expired"),
                "exhausted": _l("used up")}


@bp.route("/promo-codes", methods=["GET", "POST"])
def promo_codes():
    form = PromoCodeForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            row = billing.create_promo(**form.values())
        except ValidationFailed as exc:
            _show_service_errors(form, exc)
        except IntegrityError:  # the same code saved at the same moment by another admin
            db.session.rollback()
            form.code.errors = list(form.code.errors) + [_("This code already exists.")]
        else:
            flash(_("Promo code %(code)s created.", code=row.code), "success")
            return redirect(url_for("admin.promo_codes"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/promo_codes.html", form=form, promos=billing.list_promos(),
                           promo_status=billing.promo_status, status_labels=PROMO_STATUS), status


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@bp.route("/payments", methods=["GET", "POST"])
def payments():
    """Open pro-formas with a "Book payment" form each, the latest VAT invoices and the
    provider notifications that were refused."""
    typed, status = {}, 200
    if request.method == "POST":
        form = BookPaymentForm()
        number = (form.proforma.data or "").strip()
        if not form.validate_on_submit():
            problems = [e for name in ("amount", "proforma", "csrf_token") if hasattr(form, name)
                        for e in getattr(form, name).errors]
            flash(_("Nothing was booked for %(number)s: %(problem)s", number=number or "?",
                    problem=" ".join(str(p) for p in problems)), "error")
            status = 422
        else:
            try:
                order = billing.find_order_by_proforma(number)
                invoice, booked = billing.book_payment(
                    order, form.amount.data, provider="admin",
                    external_id=f"admin:{number}:{current_user.id}",
                    booked_by=current_user._get_current_object())
            except (billing.PaymentRefused, NotFound) as exc:
                db.session.rollback()
                flash(_("Nothing was booked for %(number)s: %(problem)s", number=number, problem=exc.message),
                      "error")
                status = exc.status
            else:
                if booked:
                    flash(_("Payment of %(proforma)s booked: VAT invoice %(invoice)s issued and e-mailed.",
                            proforma=number, invoice=invoice.number), "success")
                else:
                    flash(_("The payment of %(proforma)s was already booked (VAT invoice %(invoice)s): "
                            "nothing changed.", proforma=number, invoice=invoice.number), "info")
                return redirect(url_for("admin.payments"))
        typed[number] = (form.amount.raw_data or [""])[0]
    open_docs = billing.open_proformas()
    invoices = billing.recent_invoices()
    names = billing.company_names([d.company_id for d in open_docs] + [row[0].company_id for row in invoices])
    events = payment_service.refused_events()
    return render_template("admin/payments.html", open_docs=open_docs, invoices=invoices, names=names,
                           events=events, typed=typed, seller=billing.seller(),
                           catalogue=entitlements.catalogue(), document_url=billing.document_url,
                           shorten=_shorten), status


@bp.route("/seller", methods=["GET", "POST"])
def seller():
    form = SellerForm()
    row = billing.seller()
    if request.method == "GET":
        form.fill(row)
    elif form.validate_on_submit():
        try:
            billing.update_seller(form.values())
        except ValidationFailed as exc:
            _show_service_errors(form, exc)
        else:
            flash(_("Seller data saved: new pro-formas and invoices will print it."), "success")
            return redirect(url_for("admin.seller"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/seller.html", form=form, row=row, missing=billing.seller_missing(row)), status


@bp.get("/ksef")
def ksef():
    """VAT invoices not (yet) in KSeF: waiting, refused (with KSeF's answer) and those
    that fail the FA(3) schema (with the schema's message; never sent)."""
    from ..services import ksef as ksef_service
    waiting = ksef_service.queue()
    return render_template("admin/ksef.html", waiting=waiting, configured=ksef_service.configured(),
                           names=billing.company_names([d.company_id for d in waiting]))


@bp.get("/emails")
def emails():
    """The outbox: how many e-mails wait, and those that kept failing (to send again
    once the cause, such as a wrong address or a mail server refusing, is dealt with)."""
    failed = outbox.failed()
    return render_template("admin/emails.html", counts=outbox.counts(), failed=failed,
                           names=billing.company_names([m.company_id for m in failed if m.company_id]),
                           max_attempts=outbox.MAX_ATTEMPTS)


@bp.post("/emails/retry")
def emails_retry():
    """Pending again, due now: the sender takes them after this request commits."""
    wanted = request.form.get("id", "")
    ids = [m.id for m in outbox.failed(limit=10_000)] if wanted == "all" else [request.form.get("id", type=int)]
    again = [row for row in (outbox.send_again(i) for i in ids if i) if row is not None]
    if again:
        flash(ngettext("%(num)d e-mail will be sent again.", "%(num)d e-mails will be sent again.", len(again)),
              "success")
    else:
        flash(_("Nothing to send again: the e-mail is no longer marked failed."), "info")
    return redirect(url_for("admin.emails"))
