from __future__ import annotations

import re

from flask import Response, abort, g, render_template, request
from sqlalchemy import select

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..extensions import db, limiter
from ..models import Company, Document
from ..services import documents, lifecycle, record
from . import bp

PAGE_LIMIT = "60/minute"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STATUS_LABELS = {"issued": _l("Issued"), "in_transit": _l("In transit"), "delivered": _l("Delivered"),
                 "cancelled": _l("Cancelled"), "withdrawn": _l("Withdrawn")}


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
    if token.endswith(".pdf"):
        return driver_pdf(token[:-4])
    import renderers
    doc, company = _document(token)
    code = request.args.get("code", "")
    _log(doc, "page", lifecycle.normalize_code(code))
    if doc.withdrawn_at is not None:
        return _withdrawn(doc, company)
    return render_template("public/driver.html", doc=doc, data=doc.data, company=company,
                           label_languages=renderers.LANGUAGES, totals=goods_totals(doc.data),
                           status_label=status_label(doc.status), verdict=lifecycle.verdict(doc, code),
                           code=code, versions=list(reversed(lifecycle.versions(doc))))


@limiter.limit(PAGE_LIMIT)
def driver_pdf(token: str):
    doc, company = _document(token)
    _log(doc, "pdf")
    if doc.withdrawn_at is not None:
        return _withdrawn(doc, company)
    import renderers
    languages = [x for x in request.args.get("languages", "").split(",") if x] or None
    if languages and (len(languages) > 3 or any(x not in renderers.LANGUAGES for x in languages)):
        abort(400, "Choose one to three label languages.")
    pdf = documents.render_pdf(doc, languages=languages)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{documents.pdf_filename(doc)}"',
                             "Cache-Control": "private, max-age=60"})
