"""Bulk print (the clerk's desk): the chosen documents as one PDF, every copy of each,
in the order chosen. Each document's PDF comes from the PDF cache (rendered once per
version), and the files are joined page by page with pypdf."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Document
from ..tenant import MAX_ID
from . import lifecycle, pdf_cache

MAX_DOCUMENTS = 200


def parse_ids(raw) -> list[int]:
    """The ids as given (a list of whole numbers, 1–200 of them), duplicates dropped,
    order kept."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed({"ids": [_("Choose at least one document.")]})
    if len(raw) > MAX_DOCUMENTS:
        raise ValidationFailed({"ids": [_("At most %(n)s documents at once; you chose %(chosen)s.",
                                          n=MAX_DOCUMENTS, chosen=len(raw))]})
    ids = []
    for value in raw:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 7.0 is the whole number 7 in JSON (and in JSON Schema)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise ValidationFailed({"ids": [_("Document ids are whole numbers.")]})
        if value not in ids:
            ids.append(value)
    return ids


def documents_in_order(company_id: int, ids: list[int]) -> list[Document]:
    found = {d.id: d for d in db.session.scalars(
        select(Document).where(Document.company_id == company_id, Document.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("No such document: %(ids)s.", ids=", ".join(map(str, missing))))
    docs = [found[i] for i in ids]
    for doc in docs:
        lifecycle.require_printable(doc)  # a withdrawn one says so, naming its number
    return docs


def bundle(company_id: int, raw_ids) -> bytes:
    from pypdf import PdfWriter
    docs = documents_in_order(company_id, parse_ids(raw_ids))
    writer = PdfWriter()
    for doc in docs:
        pdf, _tag = pdf_cache.get_or_render(doc)
        writer.append(io.BytesIO(pdf))
    writer.add_metadata({"/Title": _("CMR documents (%(n)s)", n=len(docs))})
    # As each single CMR: print at actual size, or the data misses a pre-printed form's boxes.
    writer.create_viewer_preferences().print_scaling = "/None"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
