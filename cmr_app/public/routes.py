from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Response, abort, g, jsonify, render_template, request
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ServiceError, ValidationFailed
from ..extensions import csrf, db, limiter
from ..models import Company, Document
from ..qr import qr_svg
from ..services import blocking, documents, lifecycle, pdf_cache, record, signatures
from . import bp, texts

PAGE_LIMIT = "60/minute"
# A PDF costs up to seconds of CPU to draw (a cached one far less): fewer per address.
PDF_LIMIT = "10/minute"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CompanyGone(ServiceError):
    status, code = 410, "account_blocked"


def goods_totals(data: dict) -> dict:
    goods = data.get("goods") or []
    weight = sum((Decimal(g["gross_weight_kg"]) for g in goods if g.get("gross_weight_kg")), Decimal(0))
    return {"packages": sum(int(g.get("packages") or 0) for g in goods), "weight": weight}


# The phone pages render under the chosen language's locale (force_locale), so these
# filters and |datetimeformat write numbers and dates the way that language does.

@bp.app_template_filter("phone_number")
def phone_number(value) -> str:
    try:
        return format_decimal(Decimal(str(value)), format="#,##0.###")
    except (InvalidOperation, ValueError):
        return str(value)


@bp.app_template_filter("adr_line")
def adr_line(adr) -> str:
    """A goods line's ADR entry as ADR 5.4.1.1.1 writes it: "UN 1263 PAINT, 3, II, (D/E)"."""
    if not isinstance(adr, dict):
        return ""
    un = str(adr.get("un_number") or "")
    head = " ".join(x for x in (f"UN {un}" if un else "", str(adr.get("proper_shipping_name") or "")) if x)
    tunnel = str(adr.get("tunnel_code") or "")
    parts = [head, str(adr.get("class") or ""), str(adr.get("packing_group") or ""),
             f"({tunnel})" if tunnel else ""]
    if adr.get("environmentally_hazardous") is True:
        parts.append(_("environmentally hazardous"))
    return ", ".join(x for x in parts if x)


@bp.app_template_filter("phone_date")
def phone_date(value) -> str:
    """An ISO date of the form's data ('2026-11-21') as the language writes it; anything
    else (a date typed freely) as it is."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def phone_page(template: str, lang: str, status: int = 200, **context) -> Response:
    """A page of the phone pages in `lang`: its words from the catalogue, its numbers and
    dates in that locale, and the switch to the 18 languages."""
    with force_locale(lang):
        html = render_template(template, t=texts.catalogue(lang), lang=lang, languages=texts.available(),
                               **context)
    response = Response(html, status, mimetype="text/html")
    response.vary.add("Accept-Language")  # without ?lang= the browser's language picks the words
    return response


def _document(token: str) -> tuple[Document, Company]:
    # The token is the only key: it carries 128 bits of randomness, so it cannot be guessed.
    doc = db.session.scalar(select(Document).where(Document.public_token == token)
                            .execution_options(all_tenants=True)) if TOKEN.match(token) else None
    if doc is None:  # say plainly that no note carries this link: the paper may be forged
        abort(phone_page("public/unknown.html", texts.choose(), 404))
    company = db.session.get(Company, doc.company_id)
    _gone_if_blocked(company, (doc.data or {}).get("languages"))
    g.display_timezone = company.timezone  # times on the page in the company's zone
    return doc, company


def _gone_if_blocked(company: Company, languages=None) -> None:
    """A blocked company's public pages answer 410 (terms §10.7); the reason is the owner's
    to know, not every reader's."""
    if blocking.is_blocked(company):
        lang = texts.choose(languages)
        abort(phone_page("public/sign_gone.html", lang, 410, message=texts.catalogue(lang)["account_blocked"],
                         state=None, handover=None))


def _log(doc: Document, page: str, code: str = "") -> None:
    record.log_view(doc, page, ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""),
                    code=code)


def _withdrawn(doc: Document, company: Company):
    """A withdrawn note is not a forged one: say who withdrew which number, and when."""
    return phone_page("public/withdrawn.html", texts.choose(), 410, doc=doc, company=company)


@bp.get("/d/<token>")
@limiter.limit(PAGE_LIMIT)
def driver_page(token: str):
    import renderers
    doc, company = _document(token)
    code = request.args.get("code", "")
    try:
        if doc.withdrawn_at is not None:
            return _withdrawn(doc, company)
        data = documents.anonymous_data(doc.data)
        lang = texts.choose((doc.data or {}).get("languages"))
        names = dict(texts.available())
        return phone_page("public/driver.html", lang, doc=doc, data=data, company=company,
                          label_languages=[(c, names.get(c, c)) for c in renderers.LANGUAGES],
                          totals=goods_totals(data), verdict=lifecycle.verdict(doc, code), code=code,
                          keep={"code": code} if code else {}, versions=list(reversed(lifecycle.versions(doc))))
    finally:  # once the page is made: the log's commit expires what it was made from
        _log(doc, "page", lifecycle.normalize_code(code))


@bp.get("/d/<token>.pdf")
@limiter.limit(PDF_LIMIT)
def driver_pdf(token: str):
    doc, company = _document(token)
    try:
        if doc.withdrawn_at is not None:
            return _withdrawn(doc, company)
        import renderers
        languages = [x for x in request.args.get("languages", "").split(",") if x] or None
        if languages and (len(languages) > 3 or any(x not in renderers.LANGUAGES for x in languages)):
            abort(400, "Choose one to three label languages.")
        return pdf_cache.response(doc, documents.pdf_filename(doc), cache_control="private, max-age=60",
                                  languages=languages, anonymous=True)
    finally:
        # Logged once the answer is made: the log's commit expires what the session
        # holds, which the key and the rendering would otherwise load again.
        _log(doc, "pdf")


# Signing on a phone (ECMR.md §3)

SIGN_LIMIT = "30/minute"


def _signing_context(state) -> dict:
    doc = state.doc
    return {"doc": doc, "data": doc.data, "link": state.link, "company": db.session.get(Company, doc.company_id),
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
        return phone_page("public/sign_gone.html", lang, 404, message=texts.catalogue(lang)["unknown_link"],
                          state=None, handover=None)
    company = db.session.get(Company, state.doc.company_id)
    _gone_if_blocked(company, (state.doc.data or {}).get("languages"))
    g.display_timezone = company.timezone
    record.log_view(state.doc, "sign", ip=request.remote_addr or "",
                    user_agent=request.headers.get("User-Agent", ""))
    if state.problem:
        return phone_page("public/sign_gone.html", lang, 410, message=texts.catalogue(lang)["gone_" + state.problem],
                          state=state, handover=_handover_qr(state))
    return phone_page("public/sign.html", lang, **_signing_context(state), handover=_handover_qr(state),
                      waiting=state.link.role == "consignee" and state.doc.taken_over_at is None)


@bp.post("/s/<token>")
@csrf.exempt
@limiter.limit(SIGN_LIMIT)
def signing_submit(token: str):
    """JSON (photos as data URLs, as the page sends them, also after being offline) or
    multipart (fields, and files under `photos`)."""
    import base64
    state = signatures.open_link(token)
    if state is not None and blocking.is_blocked(db.session.get(Company, state.doc.company_id)):
        raise CompanyGone("The issuing company's account is blocked: this CMR cannot be signed.")
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
