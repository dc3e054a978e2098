from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import NotFound, ValidationFailed
from ..extensions import db, limiter
from ..services import accounts, entitlements
from ..web.forms import apply_errors
from ..web.redirects import safe_back, safe_next
from . import bp
from .forms import (AcceptInvitationForm, ForgotForm, LoginForm, RegisterForm, ResendActivationForm,
                    ResetForm)

# The plan preselected on the registration page when the link names none: the trial
# shows the most a company can have (terms §2.2); the user may pick another.
DEFAULT_TRIAL_PLAN = "pro"

# Per client address (behind a proxy set TRUSTED_PROXIES, or everyone shares one bucket).
AUTH_LIMIT = "10/minute"
# Per submitted e-mail address, whichever client sends it: failed logins, and e-mails
# that one address can be made to receive.
ACCOUNT_LOGIN_LIMIT = "5/minute;20/hour"
ADDRESS_MAIL_LIMIT = "5/hour"
ACCOUNT_LOCKED = _l("Too many failed attempts for this e-mail address. Wait a few minutes, "
                    "or set a new password with “Forgot your password?”.")
ADDRESS_MAILED = _l("We have already sent several e-mails to this address. Wait an hour and try again.")


def _submitted_address() -> str:
    """A limiter key per e-mail address (hashed: keys stay short and carry no address)."""
    email = accounts.normalize_email(request.form.get("email", ""))
    return "address:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _no_address() -> bool:
    """An empty address is a form error, not an account: it must not fill a shared bucket."""
    return not request.form.get("email", "").strip()


def _pending_address() -> str:
    email = accounts.normalize_email(session.get("pending_email", ""))
    return "address:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _redirected(response) -> bool:
    return response.status_code == 302


def _not_redirected(response) -> bool:
    return response.status_code != 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_submitted_address, methods=["POST"], exempt_when=_no_address,
               deduct_when=_redirected, error_message=lambda: str(ADDRESS_MAILED))
def register():
    if current_user.is_authenticated:
        return redirect(url_for("web.documents"))
    form = RegisterForm()
    catalogue = entitlements.catalogue()
    if request.method == "GET":
        asked = request.args.get("plan", "").strip().lower()
        form.plan.data = asked if catalogue.get(asked) else (
            DEFAULT_TRIAL_PLAN if catalogue.get(DEFAULT_TRIAL_PLAN) else "")
    if form.validate_on_submit():
        try:
            accounts.register_or_notify(form.email.data, form.password.data, form.company.data,
                                        plan_code=form.plan.data or None,
                                        accept_terms=form.accept_terms.data,
                                        language=session.get("language", ""))
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        else:
            # The same answer whether the address was free or taken (no account enumeration).
            session["pending_email"] = accounts.normalize_email(form.email.data)
            return redirect(url_for("auth.registered"))
    return render_template("auth/register.html", form=form, catalogue=catalogue)


@bp.get("/register/done")
def registered():
    if not session.get("pending_email"):
        return redirect(url_for("auth.register"))
    return render_template("auth/registered.html", email=session["pending_email"],
                           form=ResendActivationForm(), hours=_activation_hours())


def _activation_hours() -> int:
    return int(accounts.ACTIVATION_MAX_AGE.total_seconds() // 3600)


@bp.post("/register/resend")
@limiter.limit(AUTH_LIMIT)
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_pending_address, error_message=lambda: str(ADDRESS_MAILED))
def registered_resend():
    form = ResendActivationForm()
    if not session.get("pending_email") or not form.validate_on_submit():
        return redirect(url_for("auth.register"))
    accounts.resend_activation(session["pending_email"])
    flash(_("If %(email)s waits for its activation, a new link is on its way.",
            email=session["pending_email"]), "info")
    return redirect(url_for("auth.registered"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LOGIN_LIMIT, key_func=_submitted_address, methods=["POST"], exempt_when=_no_address,
               deduct_when=_not_redirected, error_message=lambda: str(ACCOUNT_LOCKED))
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        from ..services import entitlements
        if user and entitlements.user_blocked(user):
            form.email.errors.append(_("Your company's plan allows fewer users than it has now. "
                                       "Ask the account owner to upgrade the plan."))
        elif user:
            session.pop("pending_email", None)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Every session and remember-me cookie of this user ends, here and elsewhere.
        accounts.end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        user, first = accounts.verify_email_token(token)
    except NotFound as exc:
        flash(exc.message, "error")
        if current_user.is_authenticated:
            return redirect(url_for("web.documents"))
        return redirect(url_for("auth.registered") if session.get("pending_email") else url_for("auth.login"))
    flash(_("Your e-mail address is confirmed."), "success")
    if not current_user.is_authenticated and first:
        # The first confirmation proves the address, as a reset link would: it signs in.
        session.pop("pending_email", None)
        login_user(user)
    return redirect(url_for("web.documents") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("5/hour")
def resend_activation():
    if current_user.email_verified_at is None:
        accounts.send_activation_email(current_user)
        flash(_("We have sent a new activation link to %(email)s.", email=current_user.email), "success")
    return redirect(safe_back())


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_submitted_address, methods=["POST"], exempt_when=_no_address,
               error_message=lambda: str(ADDRESS_MAILED))
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.send_password_reset(form.email.data)
        flash(_("If an account uses %(email)s, a link to set a new password is on its way.",
                email=form.email.data), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except NotFound as exc:
            flash(exc.message, "error")
            return redirect(url_for("auth.forgot_password"))
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        else:
            login_user(user)
            flash(_("Your new password is set. You are logged out everywhere else, and your "
                    "API tokens are revoked: create new ones in Settings → API tokens."), "success")
            return redirect(url_for("web.documents"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = accounts.find_invitation(token)
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.password.data, session.get("language", ""))
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        except NotFound as exc:
            flash(exc.message, "error")
            return redirect(url_for("auth.login"))
        else:
            logout_user()
            login_user(user)
            flash(_("Welcome to %(company)s.", company=user.company.name), "success")
            return redirect(url_for("web.documents"))
    return render_template("auth/invite.html", form=form, invitation=invitation)


@bp.post("/language/<code>")
def set_language(code: str):
    from .. import UI_LANGUAGES
    if code in UI_LANGUAGES:
        session["language"] = code
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.app_context_processor
def verification_banner():
    """The date an unverified account became read-only (terms §1.6), for the banner."""
    if not (current_user and current_user.is_authenticated and current_user.email_verified_at is None):
        return {"account_restricted": None}
    if not accounts.is_restricted(current_user):
        return {"account_restricted": None}
    from flask_babel import format_date
    return {"account_restricted": format_date(accounts.verification_deadline(current_user), "long")}
