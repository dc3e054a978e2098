"""Service functions the Settings pages need that the other services do not offer yet:
company data, logo, password, interface language, numbering settings, invitations and
templates looked up by id. Same conventions as the other services: the user acting is
passed in, refusals are Forbidden / PlanRequired / ValidationFailed."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash

from .. import clock, inputs
from ..errors import Forbidden, ValidationFailed
from ..extensions import db
from ..models import Company, DocumentTemplate, Invitation, User
from ..schemas import COUNTRIES, LANGUAGES
from ..taxid import check_tax_id
from ..tenant import get_owned
from . import accounts, features, images, numbering

UI_LANGUAGES = ("pl", "en", "de")
LOGO_MAX_BYTES = images.MAX_BYTES
OFFSET_LIMIT_MM = Decimal("20")
MAX_START = 1_000_000_000
COMPANY_TEXT = {"name": 200, "first_name": 100, "last_name": 100, "address": 300,
                "postal_code": 20, "city": 100}


def local_date(company: Company, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(company.timezone)).date()


def local_now(company: Company) -> datetime:
    return clock.now().astimezone(ZoneInfo(company.timezone))


@lru_cache(maxsize=1)
def timezones() -> tuple[str, ...]:
    regions = ("Europe/", "Asia/", "Africa/", "America/", "Atlantic/", "Australia/", "Indian/", "Pacific/")
    return ("UTC",) + tuple(sorted(z for z in available_timezones() if z.startswith(regions)))


def parse_languages(codes) -> list[str]:
    """One to three different label languages, in order; raises ValidationFailed."""
    if isinstance(codes, str):
        codes = codes.split(",")
    cleaned = [str(c).strip().lower() for c in codes or [] if c and str(c).strip()]
    if not cleaned or len(cleaned) > 3 or len(set(cleaned)) != len(cleaned) \
            or any(c not in LANGUAGES for c in cleaned):
        raise ValidationFailed({"default_languages": [_("Choose one to three different label languages.")]})
    return cleaned


def _offset(value, field: str, errors: dict) -> Decimal:
    raw = str(value if value is not None else "").strip().replace(",", ".") or "0"
    try:
        number = Decimal(raw)
    except InvalidOperation:
        errors[field] = [_("Enter a number, e.g. 1250.5.")]
        return Decimal("0")
    if not number.is_finite() or abs(number) > OFFSET_LIMIT_MM:
        errors[field] = [_("Between -%(n)s and %(n)s mm.", n=OFFSET_LIMIT_MM)]
        return Decimal("0")
    return number.quantize(Decimal("0.1"))


SCALE_LIMITS_PCT = (Decimal("90"), Decimal("110"))


def _scale(value, errors: dict) -> Decimal:
    raw = str(value if value is not None else "").strip().replace(",", ".").rstrip("%").strip() or "100"
    low, high = SCALE_LIMITS_PCT
    try:
        number = Decimal(raw)
    except InvalidOperation:
        errors["print_scale_pct"] = [_("Enter a number, e.g. 1250.5.")]
        return Decimal("100")
    if not number.is_finite() or not low <= number <= high:
        errors["print_scale_pct"] = [_("Between %(low)s and %(high)s %%.", low=low, high=high)]
        return Decimal("100")
    return number.quantize(Decimal("0.01"))


def update_company(user: User, data: dict) -> Company:
    """Company data from the Settings form. The tax id is checked against the country
    (Polish NIP, EU VAT id); the time zone sets the months of the quota."""
    accounts.require_editor(user)
    company = db.session.get(Company, user.company_id)
    if user.role != "owner":
        data = _keep_owner_fields(company, data)
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field, limit in COMPANY_TEXT.items():
        value = str(data.get(field) or "").strip()
        if len(value) > limit:
            errors[field] = [_("At most %(n)s characters.", n=limit)]
        elif problem := inputs.text_problem(value):
            errors[field] = [problem]
        values[field] = value
    if not values["name"]:
        errors["name"] = [_("Enter your company's name.")]
    country = str(data.get("country") or "").strip().upper()
    if country not in COUNTRIES:
        errors["country"] = [_("Use a two-letter ISO country code, e.g. PL.")]
    tax_id = str(data.get("tax_id") or "").strip()
    if tax_id:
        tax_id, problem = check_tax_id(country, tax_id)
        if problem:
            errors["tax_id"] = [problem]
    timezone_name = str(data.get("timezone") or "").strip()
    if timezone_name not in timezones():
        errors["timezone"] = [_("Choose a time zone from the list.")]
    try:
        languages = parse_languages(data.get("default_languages"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        languages = []
    offset_x = _offset(data.get("print_offset_x_mm"), "print_offset_x_mm", errors)
    offset_y = _offset(data.get("print_offset_y_mm"), "print_offset_y_mm", errors)
    scale = _scale(data.get("print_scale_pct"), errors)
    if errors:
        raise ValidationFailed(errors)
    for field, value in values.items():
        setattr(company, field, value)
    company.country, company.tax_id, company.timezone = country, tax_id, timezone_name
    company.default_languages = ",".join(languages)
    company.print_offset_x_mm, company.print_offset_y_mm = offset_x, offset_y
    company.print_scale_pct = scale
    db.session.commit()
    return company


OWNER_FIELDS = ("name", "tax_id", "timezone")


def _keep_owner_fields(company: Company, data: dict) -> dict:
    """An editor may change the company's data except its name, tax id and time zone
    (the owner's, like the logo): those are shown read-only and, sent changed, refused."""
    data = dict(data)
    for field in OWNER_FIELDS:
        current = getattr(company, field) or ""
        sent = data.get(field)
        if sent is None or str(sent).strip() == current:
            data[field] = current
            continue
        if field == "tax_id":
            country = str(data.get("country") or company.country or "").strip().upper()
            normalized, _problem = check_tax_id(country, str(sent).strip())
            if normalized == current:
                data[field] = current
                continue
        raise Forbidden(_("Only the account owner can change the company's name, tax id and time zone."))
    return data


def set_logo(user: User, content: bytes) -> images.CleanImage:
    """A PNG or JPEG up to 1 MB and 16 megapixels, decoded here once and stored as a
    re-encoded copy at most 1200 px wide or high: PDFs and pages then only ever read an
    image this application wrote."""
    accounts.require_owner(user)
    accounts.require_editor(user)
    try:
        clean = images.clean_image(content, max_bytes=LOGO_MAX_BYTES)
    except images.ImageRefused as exc:
        raise ValidationFailed({"logo": [images.refusal_message(exc)]})
    company = db.session.get(Company, user.company_id)
    company.logo, company.logo_mime = clean.data, clean.mime
    db.session.commit()
    return clean


def remove_logo(user: User) -> None:
    accounts.require_owner(user)
    company = db.session.get(Company, user.company_id)
    company.logo, company.logo_mime = None, ""
    db.session.commit()


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Other sessions of the user end (the security stamp changes); the caller logs the
    current session in again."""
    errors = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current_password"] = [_("This is not your current password.")]
    if len(new or "") < accounts.MIN_PASSWORD:
        errors["new_password"] = [_("The password needs at least %(n)s characters.", n=accounts.MIN_PASSWORD)]
    elif new != confirm:
        errors["confirm_password"] = [_("The passwords differ.")]
    if errors:
        raise ValidationFailed(errors)
    accounts.set_password(user, new)
    db.session.commit()


def set_language(user: User, code: str) -> None:
    if code not in UI_LANGUAGES:
        raise ValidationFailed({"language": [_("Choose one of the offered values.")]})
    user.language = code
    db.session.commit()


def _numbering_input(pattern: str, start) -> tuple[str, int]:
    pattern = numbering.validate_pattern(pattern)
    try:
        start = int(str(start).strip() or "1")
    except ValueError:
        raise ValidationFailed({"numbering_start": [_("Enter a whole number.")]})
    if not 1 <= start <= MAX_START:
        raise ValidationFailed({"numbering_start": [_("From 1 to %(n)s.", n=MAX_START)]})
    return pattern, start


def numbering_preview(company: Company, pattern: str, start) -> str:
    """The number the next document would get; raises ValidationFailed on a bad pattern."""
    pattern, start = _numbering_input(pattern, start)
    return numbering.preview(company.id, pattern, start, local_now(company))


def save_numbering(user: User, pattern: str, start) -> Company:
    accounts.require_editor(user)
    company = db.session.get(Company, user.company_id)
    features.require_feature(company, "custom_numbering")
    pattern, start = _numbering_input(pattern, start)
    company.numbering_pattern, company.numbering_start = pattern, start
    db.session.commit()
    return company


def pending_invitations(company_id: int) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.company_id == company_id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.id.desc())))


def get_template(company_id: int, template_id) -> DocumentTemplate:
    return get_owned(DocumentTemplate, template_id, company_id)
