from __future__ import annotations

from flask import abort, g, render_template, request
from sqlalchemy import select

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from ..extensions import db, limiter
from ..models import Document
from ..services import documents, pdf_cache
from . import bp

PAGE_LIMIT = "60/minute"
# A PDF costs up to seconds of CPU to draw (a cached one far less): fewer per address.
PDF_LIMIT = "10/minute"
STATUS_LABELS = {"issued": _l("Issued"), "in_transit": _l("In transit"), "delivered": _l("Delivered"),
                 "cancelled": _l("Cancelled")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def goods_totals(data: dict) -> dict:
    from decimal import Decimal
    goods = data.get("goods") or []
    weight = sum((Decimal(g["gross_weight_kg"]) for g in goods if g.get("gross_weight_kg")), Decimal(0))
    return {"packages": sum(int(g.get("packages") or 0) for g in goods),
            "weight": format_decimal(weight, format="#,##0.###")}


def _document(token: str) -> Document:
    # The token is the only key: it carries 128 bits of randomness, so it cannot be guessed.
    doc = db.session.scalar(select(Document).where(Document.public_token == token)
                            .execution_options(all_tenants=True))
    if doc is None:
        abort(404)
    return doc


@bp.get("/d/<token>.pdf")
@limiter.limit(PDF_LIMIT)
def driver_pdf(token: str):
    doc = _document(token)
    import renderers
    languages = [x for x in request.args.get("languages", "").split(",") if x] or None
    if languages and (len(languages) > 3 or any(x not in renderers.LANGUAGES for x in languages)):
        abort(400, "Choose one to three label languages.")
    return pdf_cache.response(doc, f"CMR-{doc.id}.pdf", cache_control="private, max-age=60",
                              languages=languages, anonymous=True)


@bp.get("/d/<token>")
@limiter.limit(PAGE_LIMIT)
def driver_page(token: str):
    import renderers
    doc = _document(token)
    from ..models import Company
    g.display_timezone = db.session.get(Company, doc.company_id).timezone
    data = documents.anonymous_data(doc.data)
    return render_template("public/driver.html", doc=doc, data=data,
                           label_languages=renderers.LANGUAGES, totals=goods_totals(data),
                           status_label=status_label(doc.status))
