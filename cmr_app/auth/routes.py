from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import NotFound, ValidationFailed
from ..extensions import db, limiter
from ..services import accounts
from ..web.forms import apply_errors
from . import bp
from .forms import AcceptInvitationForm, ForgotForm, LoginForm, RegisterForm, ResetForm

AUTH_LIMIT = "10/minute"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.documents")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("web.documents"))
    form = RegisterForm()
    if request.method == "GET":
        form.plan.data = request.args.get("plan", "")
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.company.data,
                                     plan_code=form.plan.data or None,
                                     accept_terms=form.accept_terms.data,
                                     language=session.get("language", ""))
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        else:
            login_user(user)
            flash(_("Welcome! We have sent an activation link to %(email)s.", email=user.email), "success")
            return redirect(url_for("web.documents"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.documents"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        from ..services import entitlements
        if user and entitlements.user_blocked(user):
            form.email.errors.append(_("Your company's plan allows fewer users than it has now. "
                                       "Ask the account owner to upgrade the plan."))
        elif user:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        accounts.verify_email_token(token)
    except NotFound as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your e-mail address is confirmed."), "success")
    return redirect(url_for("web.documents") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("5/hour")
def resend_activation():
    if current_user.email_verified_at is None:
        accounts.send_activation_email(current_user)
        flash(_("We have sent a new activation link to %(email)s.", email=current_user.email), "success")
    return redirect(request.referrer or url_for("web.documents"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
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
            flash(_("Your new password is set."), "success")
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
    return redirect(_safe_next(request.form.get("next")))
