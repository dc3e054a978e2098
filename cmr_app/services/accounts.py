"""Registration, e-mail verification, passwords, roles and invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Company, Invitation, Plan, User
from . import outbox

ROLES = ("owner", "editor", "viewer")
UNVERIFIED_GRACE = timedelta(days=14)
RESET_MAX_AGE = 3600
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_new_credentials(email: str, password: str) -> None:
    errors = {}
    if "@" not in email or "." not in email.split("@")[-1] or " " in email:
        errors["email"] = [_("Enter a valid e-mail address.")]
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [_("The password needs at least %(n)s characters.", n=MIN_PASSWORD)]
    if errors:
        raise ValidationFailed(errors)


def register(email: str, password: str, company_name: str, *, plan_code: str | None = None,
             accept_terms: bool = True, admin: bool = False, language: str = "",
             send_activation: bool = True) -> User:
    """Concludes the agreement and starts the trial (terms §1.4, §2.1)."""
    email = normalize_email(email)
    _check_new_credentials(email, password)
    errors = {}
    if not (company_name or "").strip():
        errors["company"] = [_("Enter your company's name.")]
    if not accept_terms:
        errors["accept_terms"] = [_("You must accept the terms of service.")]
    plan_code = (plan_code or "free").strip().lower()
    if not db.session.get(Plan, plan_code):
        if plan_code != "free" or db.session.scalar(select(func.count(Plan.code))):
            errors["plan"] = [_("There is no such plan.")]
    if errors:
        raise ValidationFailed(errors)
    company = Company(name=company_name.strip(), plan_code=plan_code,
                      timezone=current_app.config["DEFAULT_TIMEZONE"], registered_at=clock.now())
    user = User(company=company, email=email, password_hash=hash_password(password), role="owner",
                is_admin=admin, language=language)
    db.session.add_all([company, user])
    db.session.flush()
    if send_activation:  # recorded in the same transaction as the account
        record_user_mail(user, "activate", "Confirm your e-mail address", link=_activation_link(user))
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
    send_user_mail(user, "activate", "Confirm your e-mail address", link=_activation_link(user))


def verify_email_token(token: str) -> User:
    try:
        data = _serializer("verify-email").loads(token)
    except BadSignature:
        raise NotFound(_("This activation link is not valid."))
    user = db.session.get(User, data.get("uid"))
    if not user or user.email != data.get("email"):
        raise NotFound(_("This activation link is not valid."))
    mark_verified(user)
    return user


def mark_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        db.session.commit()


def verification_deadline(user: User):
    return user.created_at + UNVERIFIED_GRACE


def is_restricted(user: User) -> bool:
    """Unverified 14 days after registration: read-only until verified (terms §1.6)."""
    return user.email_verified_at is None and clock.now() >= verification_deadline(user)


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user and check_password_hash(user.password_hash, password or ""):
        return user
    return None


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
    if is_restricted(user):
        raise Forbidden(_("Confirm your e-mail address to save changes: the link is in the "
                          "activation e-mail (it can be sent again from Settings)."),
                        {"reason": "email_unverified"})


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
    email = normalize_email(email)
    if role not in ("editor", "viewer", "owner"):
        raise ValidationFailed({"role": [_("Choose one of the offered values.")]})
    if "@" not in email:
        raise ValidationFailed({"email": [_("Enter a valid e-mail address.")]})
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]})
    from . import entitlements
    entitlements.check_user_limit(owner.company, extra=1)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(company_id=owner.company_id, email=email, role=role,
                            token_hash=_token_hash(token), invited_by_id=owner.id)
    db.session.add(invitation)
    with force_locale(owner.language or "en"):
        text = render_template("email/invite.txt", company=owner.company, inviter=owner,
                               link=_link("auth.accept_invitation", token=token))
        outbox.record(email, _("You are invited to %(company)s on CMR Online", company=owner.company.name), text,
                      kind="invite", company_id=owner.company_id)
    db.session.commit()  # the invitation and its e-mail together
    return invitation


def find_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token))
                                   .execution_options(all_tenants=True))
    if not invitation or invitation.accepted_at:
        raise NotFound(_("This invitation is not valid or has already been used."))
    return invitation


def accept_invitation(token: str, password: str, language: str = "") -> User:
    invitation = find_invitation(token)
    _check_new_credentials(invitation.email, password)
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
