from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import ValidationFailed
from ..services import admin_accounts, admin_plans, entitlements
from . import bp
from .forms import NewPlanForm, PlanForm

# The admin menu. Billing adds "Promo codes", "Payments" and "Seller data" here
# when their pages exist (no dead links before that).
NAV = (
    ("admin.plans", _l("Plans")),
    ("admin.accounts", _l("Accounts")),
    ("admin.audit", _l("Plan history")),
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


def _show_service_errors(form: PlanForm, exc: ValidationFailed) -> None:
    for key, messages in exc.errors.items():
        field = getattr(form, form.FIELD_NAMES.get(key, key), None)
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
