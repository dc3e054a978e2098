"""Signing on a phone (ECMR.md §3): one-time links per role bound to a version, the
signature with its name, time, place, reservations and photos, and the status that
follows (taken over = sender and carrier signed; delivered = consignee signed). The
first signature locks the content; every signature and step is an event in the record."""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import Conflict, ServiceError, ValidationFailed
from ..extensions import db
from ..models import Document, Signature, SignaturePhoto, SigningLink, User
from . import accounts, images, record

ROLES = ("sender", "carrier", "consignee")
LINK_DAYS = 14
TOKEN_BYTES = 16  # 128 bits, as the public link
MAX_PHOTOS = 5
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
# A 24-megapixel phone photo; JPEGs decode at a reduced scale (draft), so memory stays low.
PHOTO_MAX_PIXELS = 24_000_000
SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAX_PIXELS = 4_000_000
CLOCK_SKEW = timedelta(minutes=10)
RESERVATION_CODES = ("packages_not_checked", "packages_missing", "packaging_damaged", "goods_damaged",
                     "goods_wet", "load_unsecured", "seal_broken", "weight_not_checked", "temperature", "other")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class LinkGone(ServiceError):
    """A used, expired or voided signing link: 410 with a page that says why."""
    status, code = 410, "gone"


# Links

def _open_links(doc: Document, role: str | None = None) -> list[SigningLink]:
    query = select(SigningLink).where(SigningLink.document_id == doc.id, SigningLink.used_at.is_(None),
                                      SigningLink.voided_at.is_(None))
    if role:
        query = query.where(SigningLink.role == role)
    return list(db.session.scalars(query))


def signed_roles(doc: Document) -> dict[str, Signature]:
    return {s.role: s for s in db.session.scalars(select(Signature).where(Signature.document_id == doc.id))}


def create_link(user: User, doc: Document, role) -> SigningLink:
    """A new link for `role` on the current version; an open older link of that role is
    voided (one link per role is in circulation)."""
    accounts.require_editor(user)
    if role not in ROLES:
        raise ValidationFailed({"role": [_("Choose sender, carrier or consignee.")]})
    _require_signable(doc)
    if role in signed_roles(doc):
        raise Conflict(_("The %(role)s has already signed this CMR.", role=role_label(role)))
    now = clock.now()
    for old in _open_links(doc, role):
        old.voided_at = now
    link = SigningLink(company_id=doc.company_id, document_id=doc.id, role=role,
                       token=secrets.token_urlsafe(TOKEN_BYTES), version=doc.version, created_at=now,
                       created_by_id=user.id, expires_at=now + timedelta(days=LINK_DAYS))
    db.session.add(link)
    db.session.commit()
    return link


def void_links(doc: Document) -> None:
    """A new version voids the open links of the old one (called in its transaction)."""
    now = clock.now()
    for link in _open_links(doc):
        if link.version != doc.version:
            link.voided_at = now


def current_links(doc: Document) -> dict[str, SigningLink]:
    now = clock.now()
    return {link.role: link for link in _open_links(doc)
            if link.version == doc.version and link.expires_at > now}


def _require_signable(doc: Document) -> None:
    if doc.withdrawn_at is not None:
        raise LinkGone(_("CMR %(number)s was withdrawn; it cannot be signed.", number=doc.number))
    if doc.status == "cancelled":
        raise LinkGone(_("CMR %(number)s is cancelled; it cannot be signed.", number=doc.number))


@dataclass(frozen=True)
class LinkState:
    link: SigningLink
    doc: Document
    problem: str | None  # None, or why the link no longer works


def open_link(token: str) -> LinkState | None:
    """The link and its document (any company: the token is the key), or None."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    link = db.session.scalar(select(SigningLink).where(SigningLink.token == token)
                             .execution_options(all_tenants=True))
    if link is None:
        return None
    doc = db.session.get(Document, link.document_id)
    return LinkState(link, doc, _problem(link, doc))


def _problem(link: SigningLink, doc: Document) -> str | None:
    if doc.withdrawn_at is not None:
        return "withdrawn"
    if doc.status == "cancelled":
        return "cancelled"
    if link.used_at is not None:
        return "used"
    if link.voided_at is not None or link.version != doc.version:
        return "replaced"
    if link.expires_at <= clock.now():
        return "expired"
    return None


# Signing

def _text(value, field: str, *, required: bool = False, limit: int = 200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed({field: [_("Send text.")]})
    value = " ".join(value.split()) if field == "signer_name" else value.strip()
    if CONTROL.search(value.replace("\n", "")):
        raise ValidationFailed({field: [_("Remove the control characters.")]})
    if required and not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationFailed({field: [_("At most %(n)s characters.", n=limit)]})
    return value


def _signature_image(value) -> tuple[bytes, str]:
    """The drawn signature: a PNG data URL, decoded once, bounded, not blank, re-encoded."""
    if not isinstance(value, str) or not value.startswith("data:image/png;base64,"):
        raise ValidationFailed({"signature": [_("Sign in the box: the signature is missing.")]})
    raw = value.split(",", 1)[1]
    if len(raw) > SIGNATURE_MAX_BYTES * 4 // 3 + 8:
        raise ValidationFailed({"signature": [_("The signature image is too large.")]})
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({"signature": [_("The signature could not be read; sign again.")]})
    try:
        clean = images.clean_image(content, max_bytes=SIGNATURE_MAX_BYTES, max_pixels=SIGNATURE_MAX_PIXELS,
                                   max_side=1200)
    except images.ImageRefused:
        raise ValidationFailed({"signature": [_("The signature could not be read; sign again.")]})
    if _ink(clean.data) < 40:
        raise ValidationFailed({"signature": [_("The signature is blank: sign in the box with your finger.")]})
    return clean.data, hashlib.sha256(clean.data).hexdigest()


def _ink(png: bytes) -> int:
    """How many pixels carry a stroke (dark and not transparent)."""
    from PIL import Image, ImageChops
    lum, alpha = Image.open(io.BytesIO(png)).convert("LA").split()
    dark = lum.point(lambda v: 255 if v < 160 else 0)
    opaque = alpha.point(lambda v: 255 if v > 64 else 0)
    return ImageChops.multiply(dark, opaque).histogram()[255]


def _reservations(value) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise ValidationFailed({"reservations": [_("Send a list of at most 20 reservations.")]})
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or item.get("code") not in RESERVATION_CODES:
            raise ValidationFailed({f"reservations.{i}.code": [_("Choose a reservation from the list.")]})
        text = _text(item.get("text"), f"reservations.{i}.text", limit=500)
        if item["code"] == "other" and not text:
            raise ValidationFailed({f"reservations.{i}.text": [_("Describe the reservation.")]})
        result.append({"code": item["code"], "text": text})
    return result


def _position(value) -> dict | None:
    if value in (None, ""):
        return None
    try:
        lat, lon = float(value["lat"]), float(value["lon"])
        accuracy = value.get("accuracy_m")
        accuracy = None if accuracy in (None, "") else round(float(accuracy), 1)
    except (TypeError, ValueError, KeyError):
        raise ValidationFailed({"position": [_("Send the position as lat, lon and accuracy_m.")]})
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (accuracy is not None and not 0 <= accuracy <= 100_000):
        raise ValidationFailed({"position": [_("This position is not on Earth.")]})
    return {"lat": round(lat, 6), "lon": round(lon, 6), "accuracy_m": accuracy}


def _captured_at(value, link: SigningLink) -> datetime | None:
    """The phone's own time of signing; None when it cannot be true (before the link
    existed or in the future): a phone whose clock is wrong must not cost the signature,
    so the claim is kept in the record as sent and the server's time stands."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed({"captured_at": [_("Send the capture time as ISO 8601 with its offset.")]})
    if moment.tzinfo is None:
        raise ValidationFailed({"captured_at": [_("Send the capture time as ISO 8601 with its offset.")]})
    moment = moment.astimezone(timezone.utc)
    if moment > clock.now() + CLOCK_SKEW or moment < link.created_at - CLOCK_SKEW:
        return None
    return moment


def _photos(files: list[bytes]) -> list[images.CleanImage]:
    if len(files) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("At most %(n)s photos.", n=MAX_PHOTOS)]})
    result = []
    for i, content in enumerate(files):
        try:
            result.append(images.clean_image(content, max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS,
                                             max_side=PHOTO_MAX_SIDE))
        except images.ImageRefused as exc:
            raise ValidationFailed({f"photos.{i}": [images.refusal_message(exc)]})
    return result


def sign(token: str, payload: dict, photos: list[bytes], *, ip: str = "", user_agent: str = "") -> tuple[Signature, bool]:
    """Records one signature; returns it and whether it is new. The same submission sent
    again (a phone that lost the answer) gets the same signature back, not an error."""
    state = open_link(token)
    if state is None:
        raise LinkGone(_("This signing link does not exist."))
    link, doc = state.link, state.doc
    submission_id = _text(payload.get("submission_id"), "submission_id", limit=64)
    if state.problem == "used" and submission_id:
        previous = db.session.scalar(select(Signature).where(Signature.link_id == link.id)
                                     .execution_options(all_tenants=True))
        if previous is not None and previous.submission_id == submission_id:
            return previous, False
    if state.problem:
        raise LinkGone(gone_message(state.problem), {"reason": state.problem})
    if link.role == "consignee" and doc.taken_over_at is None:
        raise Conflict(_("The goods have not been taken over yet: the sender and the carrier sign first."))
    name = _text(payload.get("signer_name"), "signer_name", required=True)
    image, image_hash = _signature_image(payload.get("signature"))
    reservations = _reservations(payload.get("reservations"))
    position = _position(payload.get("position"))
    captured_at = _captured_at(payload.get("captured_at"), link)
    phone_clock = {} if captured_at or not payload.get("captured_at") else \
        {"phone_clock_rejected": str(payload["captured_at"])[:40]}
    clean_photos = _photos(photos)

    now = clock.now()
    # Claim the link with a guarded UPDATE: of two phones racing, one signs.
    claimed = db.session.execute(
        update(SigningLink).where(SigningLink.id == link.id, SigningLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False, all_tenants=True)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkGone(gone_message("used"), {"reason": "used"})
    db.session.refresh(doc, with_for_update=True)
    signature = Signature(company_id=doc.company_id, document_id=doc.id, link_id=link.id, role=link.role,
                          version=doc.version, signer_name=name, image=image, image_sha256=image_hash,
                          reservations=reservations, position=position, captured_at=captured_at, signed_at=now,
                          submission_id=submission_id, ip=(ip or "")[:64], user_agent=(user_agent or "")[:300])
    db.session.add(signature)
    try:
        db.session.flush()
    except IntegrityError:  # that role signed through another link meanwhile
        db.session.rollback()
        raise LinkGone(gone_message("used"), {"reason": "used"})
    stored = []
    for i, photo in enumerate(clean_photos):
        row = SignaturePhoto(company_id=doc.company_id, signature_id=signature.id, document_id=doc.id,
                             position=i, image=photo.data, sha256=hashlib.sha256(photo.data).hexdigest(),
                             width=photo.width, height=photo.height)
        db.session.add(row)
        stored.append(row)
    db.session.flush()
    doc.first_signed_at = doc.first_signed_at or now
    record.append(doc, "signed", at=now, role=link.role, signer_name=name, captured_at=captured_at,
                  position=position, reservations=reservations,
                  photos=[photo_url(doc, p) for p in stored],
                  extra={"signature_sha256": image_hash, "photo_sha256": [p.sha256 for p in stored], **phone_clock})
    roles = set(signed_roles(doc))
    steps = []
    if doc.taken_over_at is None and {"sender", "carrier"} <= roles:
        doc.taken_over_at = now
        doc.status = "taken_over"
        record.append(doc, "taken_over", at=now)
        steps.append("taken_over")
    if link.role == "consignee":
        doc.delivered_at = now
        doc.status = "delivered"
        record.append(doc, "delivered", at=now)
        steps.append("delivered")
    for step in steps:
        _notify_parties(doc, step)
    db.session.commit()
    return signature, True


def _notify_parties(doc: Document, step: str) -> None:
    """The sender's and consignee's addresses on the document get the PDF at taking over
    and at delivery (recorded in this transaction; sent by the mail queue)."""
    from . import mailing
    recipients = [doc.data.get(p, {}).get("email", "") for p in ("sender", "consignee")]
    recipients = list(dict.fromkeys(r.strip().lower() for r in recipients if r and "@" in r))
    if recipients:
        mailing.record_document_step(doc, step, recipients)


def gone_message(problem: str) -> str:
    return {
        "used": _("This signing link has been used: the signature is recorded."),
        "expired": _("This signing link has expired. Ask the office for a new one."),
        "replaced": _("The CMR was changed or a new link was made: this link no longer works. "
                      "Ask the office for the current one."),
        "cancelled": _("This CMR is cancelled; it cannot be signed."),
        "withdrawn": _("This CMR was withdrawn; it cannot be signed."),
    }.get(problem, _("This signing link no longer works."))


def role_label(role: str) -> str:
    return {"sender": _("sender"), "carrier": _("carrier"), "consignee": _("consignee")}.get(role, role)


def photo_url(doc: Document, photo: SignaturePhoto) -> str:
    from flask import current_app, url_for
    return current_app.config["BASE_URL"] + url_for("api.signature_photo", doc_id=doc.id, photo_id=photo.id)


def signatures(doc: Document) -> list[Signature]:
    return list(db.session.scalars(select(Signature).where(Signature.document_id == doc.id)
                                   .order_by(Signature.signed_at, Signature.id)))


def link_dict(link: SigningLink) -> dict:
    from flask import current_app, url_for
    return {"role": link.role, "version": link.version,
            "url": current_app.config["BASE_URL"] + url_for("public.signing_page", token=link.token),
            "expires_at": link.expires_at.isoformat()}


def consignee_link_for_handover(doc: Document) -> SigningLink | None:
    """The consignee's open link on the current version, made when none is open, so the
    carrier can show it at delivery (a link made here has no office user behind it)."""
    if doc.withdrawn_at is not None or doc.status == "cancelled" or "consignee" in signed_roles(doc):
        return None
    link = current_links(doc).get("consignee")
    if link is None:
        now = clock.now()
        link = SigningLink(company_id=doc.company_id, document_id=doc.id, role="consignee",
                           token=secrets.token_urlsafe(TOKEN_BYTES), version=doc.version, created_at=now,
                           expires_at=now + timedelta(days=LINK_DAYS))
        db.session.add(link)
        db.session.commit()
    return link


def event_of(signature: Signature) -> dict:
    """The `signed` event that recorded this signature."""
    from ..models import DocumentEvent
    doc = db.session.get(Document, signature.document_id)
    for event in db.session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id,
                                                                DocumentEvent.type == "signed")
                                    .execution_options(all_tenants=True)):
        body = record.event_dict(event)
        if body.get("role") == signature.role:
            return body
    return {}


def get_photo(doc: Document, photo_id) -> SignaturePhoto:
    from ..errors import NotFound
    try:
        photo_id = int(photo_id)
    except (TypeError, ValueError):
        raise NotFound()
    photo = db.session.scalar(select(SignaturePhoto).where(SignaturePhoto.id == photo_id,
                                                           SignaturePhoto.document_id == doc.id))
    if photo is None:
        raise NotFound()
    return photo


def photos_of(signature: Signature) -> list[SignaturePhoto]:
    return list(db.session.scalars(select(SignaturePhoto).where(SignaturePhoto.signature_id == signature.id)
                                   .order_by(SignaturePhoto.position)))


def signature_dict(doc: Document, signature: Signature) -> dict:
    from flask import current_app, url_for
    base = current_app.config["BASE_URL"]
    return {"role": signature.role, "signer_name": signature.signer_name, "version": signature.version,
            "signed_at": signature.signed_at.isoformat(),
            "captured_at": signature.captured_at.isoformat() if signature.captured_at else None,
            "position": signature.position, "reservations": signature.reservations,
            "image_url": base + url_for("api.signature_image", doc_id=doc.id, role=signature.role),
            "image_sha256": signature.image_sha256,
            "photos": [photo_url(doc, p) for p in photos_of(signature)]}
