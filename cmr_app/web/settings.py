"""Settings tab: account, company, users, API tokens, numbering, plan, danger zone.
One page of sections; every section posts to its own endpoint, and every post answers
with a redirect (303, post/redirect/get) to the page at that section's anchor. The
messages of the post carry their section ("kind@section") and are shown inside it, where
the user acted; a refused or invalid form keeps what was typed (the session holds it
until the next view of the page); a new API token is shown once, kept encrypted in the
session until then."""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from flask import (Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Forbidden, ServiceError, ValidationFailed
from ..extensions import db
from ..services import accounts, entitlements, numbering, tokens, web_support
from . import bp
from .common import (ROLE_LABELS, FormState, can_edit, country_choices, flash_refusal,
                     form_state_from_request, language_choices)

SECTIONS = ("account", "company", "users", "tokens", "numbering", "plan", "danger")
# Which section each kept form belongs to (the anchor of the redirect after its post).
STATE_SECTIONS = {"account": "account", "password": "account", "company_form": "company",
                  "logo_form": "company", "invite": "users", "token_form": "tokens",
                  "numbering": "numbering", "preview": "numbering", "order_form": "billing",
                  "order_quote": "billing", "support_form": "support"}
# The section of each POST-only address, for a GET on it (a reload, a pasted link).
PATH_SECTIONS = (("/settings/account", "account"), ("/settings/password", "account"),
                 ("/settings/company", "company"), ("/settings/logo", "company"),
                 ("/settings/users", "users"), ("/settings/invitations", "users"),
                 ("/settings/tokens", "tokens"), ("/settings/numbering", "numbering"),
                 ("/settings/plan", "plan"), ("/settings/features", "plan"),
                 ("/settings/auto-renew", "billing"), ("/settings/order", "billing"),
                 ("/settings/invoices", "billing"), ("/settings/exports", "export"),
                 ("/settings/support-access", "support"), ("/settings/delete-account", "danger"))
KEPT_FORMS = "settings_forms"
KEPT_MAX_CHARS = 2500  # what a session cookie (at most 4 KB) can carry besides the rest
NEW_TOKEN = "settings_new_token"


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
    """The Settings page. Called while handling a POST (a refused or invalid form), it
    keeps the forms' input and errors in the session and redirects to the section: the
    next GET shows them, once."""
    if request.method == "POST":
        return _keep_and_back(states)
    user, company = current_user, current_user.company
    states = {**_kept_states(), **states}
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
    context["section_messages"] = _section_messages(owner)
    context["sectioned_flashes"] = True
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
    return redirect(url_for("web.settings", _anchor=section), 303)


def _section_messages(owner: bool) -> dict[str, list[tuple[str, str]]]:
    """This view's flashes by section; those of a section not on the page go to the top."""
    from flask import get_flashed_messages
    present = {"account", "company", "users", "tokens", "numbering", "plan", "billing", "support"}
    if owner:
        present |= {"export", "danger"}
    by_section: dict[str, list[tuple[str, str]]] = {}
    for category, message in get_flashed_messages(with_categories=True):
        kind, _sep, section = category.partition("@")
        if not _sep:
            continue  # shown by base.html at the top, as on every page
        by_section.setdefault(section if section in present else "top", []).append((kind, message))
    return by_section


def _plain(messages) -> list[str]:
    return [str(m) for m in messages]


def _keep_and_back(states: dict):
    """A form's input and errors kept for the next GET of the page (passwords never)."""
    kept: dict = {}
    section = None
    for key, value in states.items():
        if key not in STATE_SECTIONS:
            continue
        section = section or STATE_SECTIONS[key]
        if isinstance(value, FormState):
            kept[key] = {"values": {k: str(v) for k, v in value.values.items()
                                    if "password" not in k and v is not None},
                         "errors": {k: _plain(v) for k, v in value.errors.items()}}
        elif key == "preview":
            kept[key] = None if value is None else str(value)
        elif key == "order_quote":
            kept[key] = value is not None  # worked out again from the kept form when shown
    if len(repr(kept)) > KEPT_MAX_CHARS:  # the cookie stays small: then only the errors are kept
        kept = {k: ({"values": {}, "errors": v["errors"]} if isinstance(v, dict) else v) for k, v in kept.items()}
    session[KEPT_FORMS] = kept
    return _back(section or "account")


_READONLY = {"company_form": "editor", "numbering": "editor", "logo_form": "owner", "invite": "owner",
             "support_form": "owner", "order_form": "owner"}


def _kept_states() -> dict:
    kept = session.pop(KEPT_FORMS, None)
    if not isinstance(kept, dict):
        return {}
    allowed = {"editor": can_edit(), "owner": current_user.role == "owner"}
    states: dict = {}
    for key, data in kept.items():
        if key not in STATE_SECTIONS or not isinstance(data, dict):
            continue
        needs = _READONLY.get(key)
        states[key] = FormState(data.get("values"), data.get("errors"),
                                readonly=bool(needs) and not allowed[needs])
    if "preview" in kept:
        states["preview"] = kept["preview"]
    if "order_form" in states:
        from ..services import billing
        from .plan import order_payload, plan_context
        quote = None
        if kept.get("order_quote") and not states["order_form"].errors:
            try:
                quote = billing.quote_order(current_user, order_payload(states["order_form"].values))
            except ServiceError:
                db.session.rollback()
        states.update(plan_context(current_user.company, states["order_form"], quote))
    return states


# The new token's secret waits in the session, encrypted, until the page shows it.

def _fernet():
    from cryptography.fernet import Fernet
    digest = hashlib.sha256(b"settings-new-token:" + str(current_app.secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keep_secret(name: str, secret: str) -> None:
    session[NEW_TOKEN] = {"name": name, "secret": _fernet().encrypt(secret.encode()).decode()}


def _take_secret() -> dict | None:
    kept = session.pop(NEW_TOKEN, None)
    if not isinstance(kept, dict):
        return None
    from cryptography.fernet import InvalidToken
    try:
        return {"name": kept.get("name", ""), "secret": _fernet().decrypt(str(kept.get("secret", "")).encode()).decode()}
    except InvalidToken:
        return None


@bp.before_request
def _note_flashes():
    """How many flashes were waiting before a Settings post, to tag only its own."""
    if request.method == "POST" and request.path.startswith("/settings"):
        g.settings_flashes_before = len(session.get("_flashes", []))


@bp.after_request
def _post_redirect_get(response):
    """Every Settings post answers with 303 See Other; its messages carry the section the
    redirect points at, so the page shows them inside that section."""
    if request.method != "POST" or not request.path.startswith("/settings") \
            or response.status_code not in (301, 302, 303):
        return response
    response.status_code = 303
    before = g.get("settings_flashes_before")
    target = urlsplit(response.headers.get("Location", ""))
    if before is not None and target.path == url_for("web.settings") and target.fragment:
        flashes = session.get("_flashes", [])
        tagged = [(c if i < before or "@" in c else f"{c}@{target.fragment}", m)
                  for i, (c, m) in enumerate(flashes)]
        if tagged != flashes:
            session["_flashes"] = tagged
    return response


@bp.get("/settings")
@login_required
def settings():
    new_secret = _take_secret()
    if new_secret is None:
        return render_settings()
    response, status = render_settings(new_secret=new_secret)
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/settings/<path:rest>")
@login_required
def settings_post_only(rest: str):
    """A GET on an address that only takes posts (a reload, a pasted link) leads to the
    page's section, not to "405 Method Not Allowed"; an unknown address stays a 404."""
    from werkzeug.exceptions import HTTPException
    try:
        current_app.url_map.bind("localhost").match(request.path, method="POST")
    except HTTPException:
        abort(404)
    section = next((s for prefix, s in PATH_SECTIONS if request.path.startswith(prefix)), "account")
    return redirect(url_for("web.settings", _anchor=section), 303)


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
    if getattr(invitation, "resent", False):
        flash(_("%(email)s was already invited: the invitation is sent again with a new link; the earlier "
                "link no longer works.", email=invitation.email), "success")
    else:
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
    _keep_secret(token.name, secret)  # shown once by the next GET, then dropped
    return _back("tokens")


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
    if request.method == "GET" and session.pop("settings_delete_refused", None):
        errors["company_name"] = [_("Type the company name exactly as shown.")]
    if request.method == "POST":
        typed = (request.form.get("company_name") or "").strip()
        if typed != company.name.strip():
            session["settings_delete_refused"] = True  # post/redirect/get: the GET shows why
            return redirect(url_for("web.settings_delete_account"), 303)
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
                           form=FormState({}, errors))
