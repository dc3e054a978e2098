"""Settings tab: account, company, users, API tokens, numbering, plan, danger zone.
One page of sections; every section posts to its own endpoint, and a refused or invalid
post renders the page again with that section's input and errors."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Forbidden, ServiceError, ValidationFailed
from ..extensions import db
from ..services import accounts, entitlements, numbering, tokens, web_support
from . import bp
from .common import (ROLE_LABELS, FormState, can_edit, country_choices, flash_refusal,
                     form_state_from_request, language_choices)

SECTIONS = ("account", "company", "users", "tokens", "numbering", "plan", "danger")


def _company_values(company) -> dict:
    languages = (company.default_languages or "").split(",")
    values = {field: getattr(company, field) or "" for field in
              ("name", "first_name", "last_name", "tax_id", "address", "postal_code", "city",
               "country", "timezone")}
    values.update({f"default_languages.{i}": code for i, code in enumerate(languages[:3])})
    values["print_offset_x_mm"] = str(company.print_offset_x_mm or 0)
    values["print_offset_y_mm"] = str(company.print_offset_y_mm or 0)
    values["print_scale_pct"] = str(company.print_scale_pct or 100)
    return values


def render_settings(status: int = 200, **states):
    user, company = current_user, current_user.company
    editor = can_edit()
    owner = user.role == "owner"
    pattern = company.numbering_pattern or numbering.DEFAULT_PATTERN
    numbering_state = states.pop("numbering", None) or FormState(
        {"numbering_pattern": pattern, "numbering_start": str(company.numbering_start or 1)},
        readonly=not editor)
    preview = states.pop("preview", None)
    if preview is None and not numbering_state.errors:
        try:
            preview = web_support.numbering_preview(company, numbering_state.value("numbering_pattern"),
                                                    numbering_state.value("numbering_start") or "1")
        except ValidationFailed:
            preview = None
    context = {
        "owner": owner, "editor": editor, "company": company,
        "account": states.pop("account", None) or FormState({"language": user.language or ""}),
        "password": states.pop("password", None) or FormState(),
        "company_form": states.pop("company_form", None) or FormState(_company_values(company),
                                                                        readonly=not editor),
        "logo_form": states.pop("logo_form", None) or FormState(readonly=not owner),
        "invite": states.pop("invite", None) or FormState({"role": "editor"}, readonly=not owner),
        "token_form": states.pop("token_form", None) or FormState(),
        "numbering": numbering_state, "preview": preview,
        "standard_pattern": numbering.standard_pattern(company.numbering_pattern),
        "numbering_on": entitlements.feature_on(company, "custom_numbering"),
        "users": accounts.company_users(company.id),
        "blocked_users": entitlements.blocked_user_ids(company),
        "invitations": web_support.pending_invitations(company.id) if owner else [],
        "tokens": tokens.list_tokens(user),
        "new_secret": states.pop("new_secret", None),
        "languages": language_choices(), "timezones": web_support.timezones(),
        "roles": accounts.ROLES,
        "invitation_expired": accounts.invitation_expired,
        "invitation_expires_at": accounts.invitation_expires_at,
    }
    context["countries"] = country_choices()
    from .exports import exports_context  # the owner's export (terms §11.6)
    context.update(exports_context(company, owner))
    from .support_access import support_access_context
    context.update(support_access_context(company))
    if "order_form" not in states:
        from .plan import plan_context
        context.update(plan_context(company))
    context.update(states)
    return render_template("web/settings/index.html", **context), status


def _back(section: str):
    return redirect(url_for("web.settings", _anchor=section))


@bp.get("/settings")
@login_required
def settings():
    return render_settings()


@bp.post("/settings/account")
@login_required
def settings_account():
    try:
        web_support.set_language(current_user, request.form.get("language", ""))
    except ValidationFailed as exc:
        return render_settings(422, account=form_state_from_request(exc.errors))
    session["language"] = current_user.language
    flash(_("Your interface language is saved."), "success")
    return _back("account")


@bp.post("/settings/password")
@login_required
def settings_password():
    form = request.form
    try:
        web_support.change_password(current_user, form.get("current_password", ""),
                                    form.get("new_password", ""), form.get("confirm_password", ""))
    except ValidationFailed as exc:
        return render_settings(422, password=FormState({}, exc.errors))
    # The new security stamp ends the other sessions; this one continues.
    login_user(current_user._get_current_object())
    flash(_("Your new password is set. Other devices have been logged out."), "success")
    return _back("account")


@bp.post("/settings/company")
@login_required
def settings_company():
    data = {k: v for k, v in request.form.items() if k != "csrf_token"}
    data["default_languages"] = [request.form.get(f"default_languages.{i}", "") for i in range(3)]
    try:
        web_support.update_company(current_user, data)
    except ValidationFailed as exc:
        db.session.rollback()
        errors = dict(exc.errors)
        if "default_languages" in errors:
            errors["default_languages.0"] = errors.pop("default_languages")
        return render_settings(422, company_form=form_state_from_request(errors))
    except ServiceError as exc:
        flash_refusal(exc)
        return _back("company")
    flash(_("The company data is saved."), "success")
    return _back("company")


@bp.post("/settings/logo")
@login_required
def settings_logo():
    try:
        if request.form.get("remove"):
            web_support.remove_logo(current_user)
            flash(_("The logo is removed."), "success")
        else:
            upload = request.files.get("logo")
            content = upload.read(web_support.LOGO_MAX_BYTES + 1) if upload else b""
            web_support.set_logo(current_user, content)
            flash(_("The logo is saved."), "success")
    except ValidationFailed as exc:
        db.session.rollback()
        return render_settings(422, logo_form=FormState({}, exc.errors))
    except ServiceError as exc:
        flash_refusal(exc)
    return _back("company")


@bp.get("/settings/logo")
@login_required
def settings_logo_image():
    company = current_user.company
    if not company.logo:
        abort(404)
    return Response(company.logo, mimetype=company.logo_mime or "application/octet-stream",
                    headers={"Cache-Control": "private, no-cache"})


@bp.post("/settings/users/invite")
@login_required
def settings_invite():
    try:
        invitation = accounts.invite(current_user, request.form.get("email", ""), request.form.get("role", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return render_settings(422, invite=form_state_from_request(exc.errors))
    except ServiceError as exc:
        flash_refusal(exc)
        return render_settings(exc.status, invite=form_state_from_request())
    flash(_("An invitation is on its way to %(email)s.", email=invitation.email), "success")
    return _back("users")


@bp.post("/settings/invitations/<int:invitation_id>/resend")
@login_required
def settings_invitation_resend(invitation_id: int):
    try:
        invitation = accounts.resend_invitation(current_user, invitation_id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("A new invitation is on its way to %(email)s; the earlier link no longer works.",
                email=invitation.email), "success")
    return _back("users")


@bp.post("/settings/invitations/<int:invitation_id>/cancel")
@login_required
def settings_invitation_cancel(invitation_id: int):
    try:
        accounts.cancel_invitation(current_user, invitation_id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("The invitation is cancelled; its link no longer works."), "success")
    return _back("users")


@bp.post("/settings/users/<int:user_id>/role")
@login_required
def settings_user_role(user_id: int):
    try:
        user = accounts.change_role(current_user, user_id, request.form.get("role", ""))
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("%(email)s is now: %(role)s.", email=user.email, role=ROLE_LABELS.get(user.role, user.role)), "success")
    return _back("users")


@bp.post("/settings/users/<int:user_id>/remove")
@login_required
def settings_user_remove(user_id: int):
    try:
        accounts.remove_user(current_user, user_id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("The user is removed."), "success")
    return _back("users")


@bp.post("/settings/tokens")
@login_required
def settings_token_create():
    try:
        token, secret = tokens.create_token(current_user, request.form.get("name", "").strip())
    except ServiceError as exc:
        flash_refusal(exc)
        return _back("tokens")
    # Rendered, not redirected: the secret is shown once and never stored in the session.
    response, _status = render_settings(201, new_secret={"name": token.name, "secret": secret})
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def settings_token_revoke(token_id: int):
    try:
        tokens.revoke_token(current_user, token_id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("The token is revoked; programs using it are refused from now on."), "success")
    return _back("tokens")


@bp.post("/settings/numbering")
@login_required
def settings_numbering():
    pattern = request.form.get("numbering_pattern", "")
    start = request.form.get("numbering_start", "1")
    state = form_state_from_request()
    if request.form.get("action") == "preview":
        try:
            preview = web_support.numbering_preview(current_user.company, pattern, start)
        except ValidationFailed as exc:
            return render_settings(422, numbering=form_state_from_request(exc.errors), preview=None)
        return render_settings(numbering=state, preview=preview)
    try:
        web_support.save_numbering(current_user, pattern, start)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_settings(422, numbering=form_state_from_request(exc.errors), preview=None)
    except ServiceError as exc:
        flash_refusal(exc)
        return render_settings(exc.status, numbering=state)
    flash(_("The numbering is saved."), "success")
    return _back("numbering")


@bp.route("/settings/delete-account", methods=["GET", "POST"])
@login_required
def settings_delete_account():
    if current_user.role != "owner":
        flash(_("Only the account owner can do this."), "error")
        return _back("danger")
    company = current_user.company
    errors = {}
    if request.method == "POST":
        typed = (request.form.get("company_name") or "").strip()
        if typed != company.name.strip():
            errors["company_name"] = [_("Type the company name exactly as shown.")]
        else:
            try:
                accounts.delete_company(current_user._get_current_object())
            except Forbidden as exc:
                flash_refusal(exc)
                return _back("danger")
            logout_user()
            session.pop("language", None)
            flash(_("Your account and all its data are deleted."), "info")
            return redirect(url_for("auth.login"))
    return render_template("web/settings/delete.html", company=company,
                           form=FormState({}, errors)), (422 if errors else 200)
