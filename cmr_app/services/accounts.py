"""Registration, e-mail verification, passwords, roles and invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock, inputs
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import ApiToken, Company, Invitation, Plan, User
from . import outbox

ROLES = ("owner", "editor", "viewer")
UNVERIFIED_GRACE = timedelta(days=14)
RESET_MAX_AGE = 3600
# Links that act for someone stop working after a while (README, "Links that expire").
ACTIVATION_MAX_AGE = timedelta(hours=48)
INVITATION_MAX_AGE = timedelta(days=7)
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


_dummy_hash: str | None = None


def _burn_password_check(password: str) -> None:
    """The same scrypt work as a real check, so an unknown address answers as slowly as
    a known one and timing does not tell which addresses have accounts."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    check_password_hash(_dummy_hash, password or "")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """The one rule for an address (registration, login, invitations, the CLI): a message
    when it is not one we can write to, else None."""
    email = normalize_email(email)
    if not email or len(email) > 254:
        return _("Enter a valid e-mail address.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("Enter a valid e-mail address.")
    return None


def _check_new_credentials(email: str, password: str) -> None:
    """Whether the address is free is not checked here: registration must not tell."""
    errors = {}
    problem = email_problem(email)
    if problem:
        errors["email"] = [problem]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [_("The password needs at least %(n)s characters.", n=MIN_PASSWORD)]
    if errors:
        raise ValidationFailed(errors)


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalize_email(email))) is not None


def register(email: str, password: str, company_name: str, *, plan_code: str | None = None,
             accept_terms: bool = True, admin: bool = False, language: str = "",
             send_activation: bool = True) -> User:
    """Concludes the agreement and starts the trial (terms §1.4, §2.1). For operators and
    tests: it says when the address is taken. The public form uses register_or_notify."""
    email = normalize_email(email)
    _check_new_credentials(email, password)
    if email_taken(email):
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    return _create_account(email, password, company_name, plan_code=plan_code, accept_terms=accept_terms,
                           admin=admin, language=language, send_activation=send_activation)


def register_or_notify(email: str, password: str, company_name: str, *, plan_code: str | None = None,
                       accept_terms: bool = True, language: str = "") -> None:
    """The registration form: the same answer whether or not the address has an account.
    A new address gets its account and activation link; the owner of a taken one gets an
    e-mail that someone tried to register with it (with links to log in or reset)."""
    email = normalize_email(email)
    _check_new_credentials(email, password)
    _check_registration_fields(company_name, plan_code, accept_terms)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is None:
        try:
            _create_account(email, password, company_name, plan_code=plan_code,
                            accept_terms=accept_terms, language=language)
            return
        except ValidationFailed:  # lost a race for the address: answer as for a taken one
            existing = db.session.scalar(select(User).where(User.email == email))
            if existing is None:
                raise
    else:
        hash_password(password)  # the same work as creating the account
    send_registration_attempt_email(existing)


def _check_registration_fields(company_name: str, plan_code: str | None, accept_terms: bool) -> str:
    errors = {}
    if not (company_name or "").strip():
        errors["company"] = [_("Enter your company's name.")]
    elif len(company_name.strip()) > 200:
        errors["company"] = [_("At most %(n)s characters.", n=200)]
    elif problem := inputs.text_problem(company_name.strip()):
        errors["company"] = [problem]  # it goes into e-mail subjects and onto invoices
    if not accept_terms:
        errors["accept_terms"] = [_("You must accept the terms of service.")]
    plan_code = (plan_code or "free").strip().lower()
    if not db.session.get(Plan, plan_code):
        if plan_code != "free" or db.session.scalar(select(func.count(Plan.code))):
            errors["plan"] = [_("There is no such plan.")]
    if errors:
        raise ValidationFailed(errors)
    return plan_code


def _create_account(email: str, password: str, company_name: str, *, plan_code: str | None,
                    accept_terms: bool, admin: bool = False, language: str = "",
                    send_activation: bool = True) -> User:
    plan_code = _check_registration_fields(company_name, plan_code, accept_terms)
    from . import entitlements
    plan = entitlements.catalogue().get(plan_code)
    # The trial gives the chosen plan's functions switched on from the first page (§2.2);
    # the user may switch any of them off.
    company = Company(name=company_name.strip(), plan_code=plan_code,
                      enabled_features=sorted(plan.features) if plan else [],
                      timezone=current_app.config["DEFAULT_TIMEZONE"], registered_at=clock.now())
    user = User(company=company, email=email, password_hash=hash_password(password), role="owner",
                is_admin=admin, language=language)
    db.session.add_all([company, user])
    try:
        db.session.flush()
    except IntegrityError:  # the same address registered at the same moment
        db.session.rollback()
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    if send_activation:  # recorded in the same transaction as the account
        record_user_mail(user, "activate", "Confirm your e-mail address", link=_activation_link(user),
                         hours=int(ACTIVATION_MAX_AGE.total_seconds() // 3600))
    db.session.commit()
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _link(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def record_user_mail(user: User, template: str, subject: str, **context):
    """Renders an e-mail in the user's language into the outbox, in the caller's
    transaction (the caller commits)."""
    with force_locale(user.language or "en"):
        text = render_template(f"email/{template}.txt", user=user, **context)
        return outbox.record(user.email, _(subject), text, kind=template, company_id=user.company_id)


def send_user_mail(user: User, template: str, subject: str, **context) -> None:
    """Records the e-mail and commits it with whatever the caller has pending; the
    sender delivers it after the commit."""
    record_user_mail(user, template, subject, **context)
    db.session.commit()


def _activation_link(user: User) -> str:
    token = _serializer("verify-email").dumps({"uid": user.id, "email": user.email})
    return _link("auth.verify_email", token=token)


def send_activation_email(user: User) -> None:
    send_user_mail(user, "activate", "Confirm your e-mail address", link=_activation_link(user),
                   hours=int(ACTIVATION_MAX_AGE.total_seconds() // 3600))


def resend_activation(email: str) -> None:
    """From the screen after registration, where nobody is signed in: the same answer for
    every address; only an unverified account gets a new link."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is not None and user.email_verified_at is None:
        send_activation_email(user)


def send_registration_attempt_email(user: User) -> None:
    send_user_mail(user, "registration_attempt", "Someone tried to register with your e-mail address",
                   login_link=_link("auth.login"), reset_link=_link("auth.forgot_password"))


def verify_email_token(token: str) -> tuple[User, bool]:
    """The user, and whether this was the first confirmation (only that one may sign in:
    the link proves the address once, within its 48 hours)."""
    try:
        data = _serializer("verify-email").loads(token, max_age=int(ACTIVATION_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise NotFound(_("This activation link has expired. Send a new one: log in and use "
                         "the banner at the top, or the link on the registration screen."),
                       {"reason": "expired"})
    except BadSignature:
        raise NotFound(_("This activation link is not valid."))
    user = db.session.get(User, data.get("uid"))
    if not user or user.email != data.get("email"):
        raise NotFound(_("This activation link is not valid."))
    first = user.email_verified_at is None
    mark_verified(user)
    return user, first


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        db.session.commit()


def verification_deadline(user: User):
    return user.created_at + UNVERIFIED_GRACE


def is_restricted(user: User) -> bool:
    """Unverified 14 days after registration: read-only until verified (terms §1.6)."""
    return user.email_verified_at is None and clock.now() >= verification_deadline(user)


def require_unrestricted(user: User) -> None:
    """Terms §1.6: after 14 days without a confirmed address the account can read, sign in
    and out, change its password and get a new activation link, but commits to nothing:
    no documents, address book, settings, tokens, orders, plans, features or invitations."""
    if is_restricted(user):
        raise Forbidden(_("Confirm your e-mail address to save changes: until then the account can "
                          "only read (terms §1.6). The activation e-mail can be sent again from the "
                          "banner at the top of every page."),
                        {"reason": "email_unverified",
                         "restricted_since": verification_deadline(user).isoformat()})


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        _burn_password_check(password)
        return None
    if check_password_hash(user.password_hash, password or ""):
        return user
    return None


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of the user stops working: the stamp in them
    (User.get_id) no longer matches. Logging out does this for all the user's devices."""
    user.security_stamp = (user.security_stamp or 0) + 1
    db.session.commit()


def send_password_reset(email: str) -> None:
    """Always looks the same to the caller, so it does not reveal which addresses exist."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user:
        token = _serializer("reset-password").dumps({"uid": user.id, "stamp": user.security_stamp})
        send_user_mail(user, "reset", "Reset your password", link=_link("auth.reset_password", token=token))


def reset_password(token: str, new_password: str) -> User:
    try:
        data = _serializer("reset-password").loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise NotFound(_("This link has expired. Ask for a new one."))
    except BadSignature:
        raise NotFound(_("This link is not valid."))
    user = db.session.get(User, data.get("uid"))
    if not user or user.security_stamp != data.get("stamp"):
        raise NotFound(_("This link has already been used."))
    if len(new_password or "") < MIN_PASSWORD:
        raise ValidationFailed({"password": [_("The password needs at least %(n)s characters.", n=MIN_PASSWORD)]})
    set_password(user, new_password)
    # Whoever could reset the password may also hold the old tokens: they all end.
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)
                       .execution_options(all_tenants=True))
    # Following the link proved the address.
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.security_stamp += 1


def can_edit(user: User) -> bool:
    return user.role in ("owner", "editor")


def require_editor(user: User) -> None:
    if not can_edit(user):
        raise Forbidden(_("Your role allows reading only."))
    require_unrestricted(user)


def require_owner(user: User) -> None:
    if user.role != "owner":
        raise Forbidden(_("Only the account owner can do this."))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def company_owners(company_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.company_id == company_id, User.role == "owner")
                                   .order_by(User.id)))


def company_users(company_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.company_id == company_id).order_by(User.id)))


def invite(owner: User, email: str, role: str) -> Invitation:
    require_owner(owner)
    require_unrestricted(owner)
    email = normalize_email(email)
    if role not in ("editor", "viewer", "owner"):
        raise ValidationFailed({"role": [_("Choose one of the offered values.")]})
    problem = email_problem(email)
    if problem:
        raise ValidationFailed({"email": [problem]})
    existing = db.session.scalar(select(User).where(User.email == email).execution_options(all_tenants=True))
    if existing is not None and existing.company_id == owner.company_id:
        raise ValidationFailed({"email": [_("%(email)s is already a member of your company.", email=email)]})
    if existing is not None:
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    pending = db.session.scalar(select(Invitation).where(
        Invitation.company_id == owner.company_id, Invitation.email == email,
        Invitation.accepted_at.is_(None)).order_by(Invitation.id))
    if pending is not None:  # the same address again: the same invitation, a new link and e-mail
        pending.role = role
        pending.invited_by_id = owner.id
        token = _renew_invitation_token(pending)
        _send_invitation(owner, pending, token)
        db.session.commit()
        pending.resent = True
        return pending
    from . import entitlements
    entitlements.check_user_limit(owner.company, extra=1)
    invitation = Invitation(company_id=owner.company_id, email=email, role=role, token_hash="",
                            invited_by_id=owner.id)
    token = _renew_invitation_token(invitation)
    db.session.add(invitation)
    db.session.flush()
    _send_invitation(owner, invitation, token)
    db.session.commit()  # the invitation and its e-mail together
    return invitation


def _renew_invitation_token(invitation: Invitation) -> str:
    """A fresh link; created_at is when the current link was made, its age counts from there."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.created_at = clock.now()
    return token


def _send_invitation(owner: User, invitation: Invitation, token: str) -> None:
    """Records the invitation e-mail in the caller's transaction (the caller commits)."""
    with force_locale(owner.language or "en"):
        text = render_template("email/invite.txt", company=owner.company, inviter=owner,
                               link=_link("auth.accept_invitation", token=token),
                               days=INVITATION_MAX_AGE.days,
                               expires_at=invitation_expires_at(invitation))
        outbox.record(invitation.email, _("You are invited to %(company)s on CMR Online",
                                          company=owner.company.name), text,
                      kind="invite", company_id=owner.company_id)


def invitation_expires_at(invitation: Invitation):
    return invitation.created_at + INVITATION_MAX_AGE


def invitation_expired(invitation: Invitation) -> bool:
    return clock.now() >= invitation_expires_at(invitation)


def _pending_invitation(owner: User, invitation_id) -> Invitation:
    from ..tenant import get_owned
    invitation = get_owned(Invitation, invitation_id, owner.company_id)
    if invitation.accepted_at is not None:
        raise NotFound()
    return invitation


def resend_invitation(owner: User, invitation_id) -> Invitation:
    """A new link for a pending invitation (expired or not); the old link stops working."""
    require_owner(owner)
    require_unrestricted(owner)
    invitation = _pending_invitation(owner, invitation_id)
    token = _renew_invitation_token(invitation)
    _send_invitation(owner, invitation, token)
    db.session.commit()  # the new link and its e-mail together
    return invitation


def cancel_invitation(owner: User, invitation_id) -> None:
    require_owner(owner)
    invitation = _pending_invitation(owner, invitation_id)
    db.session.delete(invitation)
    db.session.commit()


def find_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
                                   .execution_options(all_tenants=True))
    if not invitation or invitation.accepted_at:
        raise NotFound(_("This invitation link no longer works: it was cancelled, replaced by a newer "
                         "invitation, or already used. Ask the person who invited you to send it again."))
    if invitation_expired(invitation):
        raise NotFound(_("This invitation has expired. Ask the person who invited you to send it again."),
                       {"reason": "expired"})
    return invitation


def accept_invitation(token: str, password: str, language: str = "") -> User:
    invitation = find_invitation(token)
    _check_new_credentials(invitation.email, password)
    if email_taken(invitation.email):
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    company = db.session.get(Company, invitation.company_id)
    from . import entitlements
    entitlements.check_user_limit(company, extra=1)
    user = User(company_id=invitation.company_id, email=invitation.email, role=invitation.role,
                password_hash=hash_password(password), language=language,
                email_verified_at=clock.now())  # the link itself proves the address
    invitation.accepted_at = clock.now()
    db.session.add(user)
    db.session.commit()
    return user


def _company_user(owner: User, user_id) -> User:
    """A user of the owner's company, or NotFound (also for ids that cannot exist)."""
    from ..tenant import MAX_ID
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound()
    user = db.session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if not user or user.company_id != owner.company_id:
        raise NotFound()
    return user


def change_role(owner: User, user_id: int, role: str) -> User:
    require_owner(owner)
    require_unrestricted(owner)
    user = _company_user(owner, user_id)
    if role not in ROLES:
        raise ValidationFailed({"role": [_("Choose one of the offered values.")]})
    if user.id == owner.id and role != "owner":
        raise Conflict(_("You cannot take the owner role from yourself."))
    user.role = role
    db.session.commit()
    return user


def remove_user(owner: User, user_id: int) -> None:
    require_owner(owner)
    user = _company_user(owner, user_id)
    if user.id == owner.id:
        raise Conflict(_("You cannot remove yourself."))
    db.session.delete(user)
    db.session.commit()


def delete_company(owner: User) -> None:
    """Everything of the company goes at once and cannot be recovered (terms §7.5)."""
    require_owner(owner)
    company = db.session.get(Company, owner.company_id)
    db.session.delete(company)
    db.session.commit()
