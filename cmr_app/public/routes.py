from __future__ import annotations

import json
import re

from flask import Response, abort, g, jsonify, render_template, request
from sqlalchemy import select

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..errors import ValidationFailed
from ..extensions import csrf, db, limiter
from ..models import Company, Document
from ..qr import qr_svg
from ..services import documents, lifecycle, pdf_cache, record, signatures
from . import bp, texts

PAGE_LIMIT = "60/minute"
# A PDF costs up to seconds of CPU to draw (a cached one far less): fewer per address.
PDF_LIMIT = "10/minute"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STATUS_LABELS = {"issued": _l("Issued"), "in_transit": _l("In transit"), "delivered": _l("Delivered"),
                 "cancelled": _l("Cancelled"), "withdrawn": _l("Withdrawn"), "taken_over": _l("Taken over")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def goods_totals(data: dict) -> dict:
    from decimal import Decimal
    goods = data.get("goods") or []
    weight = sum((Decimal(g["gross_weight_kg"]) for g in goods if g.get("gross_weight_kg")), Decimal(0))
    return {"packages": sum(int(g.get("packages") or 0) for g in goods),
            "weight": format_decimal(weight, format="#,##0.###")}


def _document(token: str) -> tuple[Document, Company]:
    # The token is the only key: it carries 128 bits of randomness, so it cannot be guessed.
    doc = db.session.scalar(select(Document).where(Document.public_token == token)
                            .execution_options(all_tenants=True)) if TOKEN.match(token) else None
    if doc is None:  # say plainly that no note carries this link: the paper may be forged
        abort(Response(render_template("public/unknown.html"), 404))
    company = db.session.get(Company, doc.company_id)
    g.display_timezone = company.timezone  # times on the page in the company's zone
    return doc, company


def _log(doc: Document, page: str, code: str = "") -> None:
    record.log_view(doc, page, ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""),
                    code=code)


def _withdrawn(doc: Document, company: Company):
    """A withdrawn note is not a forged one: say who withdrew which number, and when."""
    return render_template("public/withdrawn.html", doc=doc, company=company), 410


@bp.get("/d/<token>")
@limiter.limit(PAGE_LIMIT)
def driver_page(token: str):
    import renderers
    doc, company = _document(token)
    code = request.args.get("code", "")
    _log(doc, "page", lifecycle.normalize_code(code))
    if doc.withdrawn_at is not None:
        return _withdrawn(doc, company)
    data = documents.anonymous_data(doc.data)
    return render_template("public/driver.html", doc=doc, data=data, company=company,
                           label_languages=renderers.LANGUAGES, totals=goods_totals(data),
                           status_label=status_label(doc.status), verdict=lifecycle.verdict(doc, code),
                           code=code, versions=list(reversed(lifecycle.versions(doc))))


@bp.get("/d/<token>.pdf")
@limiter.limit(PDF_LIMIT)
def driver_pdf(token: str):
    doc, company = _document(token)
    _log(doc, "pdf")
    if doc.withdrawn_at is not None:
        return _withdrawn(doc, company)
    import renderers
    languages = [x for x in request.args.get("languages", "").split(",") if x] or None
    if languages and (len(languages) > 3 or any(x not in renderers.LANGUAGES for x in languages)):
        abort(400, "Choose one to three label languages.")
    return pdf_cache.response(doc, documents.pdf_filename(doc), cache_control="private, max-age=60",
                              languages=languages, anonymous=True)


# Signing on a phone (ECMR.md §3)

SIGN_LIMIT = "30/minute"


def _signing_context(state, lang: str) -> dict:
    doc = state.doc
    return {"doc": doc, "data": doc.data, "link": state.link, "company": db.session.get(Company, doc.company_id),
            "t": texts.catalogue(lang), "lang": lang, "languages": texts.available(),
            "totals": goods_totals(doc.data or {}), "signed": signatures.signatures(doc),
            "reservation_codes": signatures.RESERVATION_CODES}


def _handover_qr(state) -> str | None:
    """The carrier, after signing, shows the consignee's link as a QR code at delivery."""
    if state.link.role != "carrier" or state.doc.delivered_at or state.problem != "used":
        return None
    link = signatures.consignee_link_for_handover(state.doc)
    return qr_svg(signatures.link_dict(link)["url"]) if link else None


@bp.get("/s/<token>")
@limiter.limit(PAGE_LIMIT)
def signing_page(token: str):
    state = signatures.open_link(token)
    lang = texts.choose((state.doc.data or {}).get("languages") if state else None)
    if state is None:
        return render_template("public/sign_gone.html", t=texts.catalogue(lang), lang=lang,
                               languages=texts.available(), message=texts.catalogue(lang)["unknown_link"],
                               state=None, handover=None), 404
    g.display_timezone = db.session.get(Company, state.doc.company_id).timezone
    record.log_view(state.doc, "sign", ip=request.remote_addr or "",
                    user_agent=request.headers.get("User-Agent", ""))
    if state.problem:
        t = texts.catalogue(lang)
        return render_template("public/sign_gone.html", t=t, lang=lang, languages=texts.available(),
                               message=t["gone_" + state.problem], state=state, handover=_handover_qr(state)), 410
    return render_template("public/sign.html", **_signing_context(state, lang), handover=_handover_qr(state),
                           waiting=state.link.role == "consignee" and state.doc.taken_over_at is None)


@bp.post("/s/<token>")
@csrf.exempt
@limiter.limit(SIGN_LIMIT)
def signing_submit(token: str):
    """JSON (photos as data URLs, as the page sends them, also after being offline) or
    multipart (fields, and files under `photos`)."""
    import base64
    if request.mimetype == "multipart/form-data":
        payload = {k: v for k, v in request.form.items()}
        for key in ("reservations", "position"):
            if payload.get(key):
                try:
                    payload[key] = json.loads(payload[key])
                except ValueError:
                    raise ValidationFailed({key: ["Send JSON."]})
        photos = [f.read(signatures.PHOTO_MAX_BYTES + 1) for f in request.files.getlist("photos")]
    else:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            raise ValidationFailed({"": ["Send a JSON object."]})
        photos = []
        raw_photos = payload.get("photos") or []
        if not isinstance(raw_photos, list):
            raise ValidationFailed({"photos": ["Send a list of images."]})
        if len(raw_photos) > signatures.MAX_PHOTOS:
            raise ValidationFailed({"photos": [f"At most {signatures.MAX_PHOTOS} photos."]})
        for i, item in enumerate(raw_photos):
            if not isinstance(item, str) or not item.startswith("data:image/") or ";base64," not in item:
                raise ValidationFailed({f"photos.{i}": ["Send the photo as an image data URL."]})
            try:
                photos.append(base64.b64decode(item.split(",", 1)[1], validate=True))
            except ValueError:
                raise ValidationFailed({f"photos.{i}": ["The photo could not be read."]})
    signature, new = signatures.sign(token, payload, photos, ip=request.remote_addr or "",
                                     user_agent=request.headers.get("User-Agent", ""))
    event = signatures.event_of(signature)
    return jsonify({"event": event, "status": db.session.get(Document, signature.document_id).status}), \
        201 if new else 200
