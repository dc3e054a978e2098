"""API endpoints. Each parses input, calls a service, returns JSON."""
from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request, url_for

from .. import inputs
from ..errors import Conflict, NotFound, ServiceError, ValidationFailed
from ..schemas import calendar_day_problem
from ..services import account as account_service
from ..services import (addressbook, billing, documents, ecmr_export, idempotency, ksef, lifecycle, outbox,
                        pdf_cache, record, signatures)
from . import bp
from .auth import current


def body(*, optional: bool = False) -> dict:
    """The request's JSON object, refused whole when it nests too deeply and field by
    field when a string carries control characters (422 naming each field)."""
    if optional and not request.get_data(cache=True):
        return {}
    try:
        data = request.get_json()  # None when it is not JSON (inputs: the app's request class)
    except inputs.TooDeep:  # the parser itself gave up: far deeper than MAX_JSON_DEPTH
        raise ServiceError(f"The JSON body nests more than {inputs.MAX_JSON_DEPTH} levels deep.") from None
    if not isinstance(data, dict):
        raise ServiceError("Send a JSON object with Content-Type: application/json.")
    try:
        problems = inputs.json_problems(data)
    except inputs.TooDeep:
        raise ServiceError(f"The JSON body nests more than {inputs.MAX_JSON_DEPTH} levels deep.") from None
    if problems:
        raise ValidationFailed(problems)
    return data


def limit_arg() -> int:
    raw = request.args.get("limit", "50")
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({"limit": ["Enter a whole number from 1 to 100."]})
    if not 1 <= value <= 100:
        raise ValidationFailed({"limit": ["Enter a whole number from 1 to 100."]})
    return value


def date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: [calendar_day_problem(raw) or "Enter a date as YYYY-MM-DD."]})


# Account and plans

@bp.get("/account")
def account():
    return jsonify(account_service.summary(current()))


@bp.get("/plans")
def plans():
    return jsonify({"items": account_service.public_catalogue()})


@bp.put("/account/features/<key>")
def switch_feature(key: str):
    data = body()
    if not isinstance(data.get("enabled"), bool):
        raise ValidationFailed({"enabled": ["Send true or false."]})
    account_service.switch_feature(current(), key, data["enabled"])
    return jsonify(account_service.summary(current()))


@bp.put("/account/plan")
def change_plan():
    data = body()
    if not isinstance(data.get("plan"), str):
        raise ValidationFailed({"plan": ["Send a plan code."]})
    account_service.change_plan(current(), data["plan"])
    return jsonify(account_service.summary(current()))


@bp.put("/account/auto-renew")
def auto_renew():
    data = body()
    if not isinstance(data.get("enabled"), bool):
        raise ValidationFailed({"enabled": ["Send true or false."]})
    from ..services import accounts, subscriptions
    accounts.require_owner(current())
    subscriptions.set_auto_renew(current().company, data["enabled"])
    return jsonify(account_service.summary(current()))


@bp.put("/account/logo")
def logo_upload():
    """The logo as the raw request body (PNG or JPEG). Stored decoded, downscaled and
    re-encoded; a refusal is a 422 naming `logo`."""
    from ..services import web_support
    # Read one byte past the limit: enough to tell "too big" without reading it all.
    clean = web_support.set_logo(current(), request.stream.read(web_support.LOGO_MAX_BYTES + 1))
    return jsonify({"logo": {"mime": clean.mime, "width": clean.width, "height": clean.height}})


@bp.delete("/account/logo")
def logo_remove():
    from ..services import web_support
    web_support.remove_logo(current())
    return Response(status=204)


# Orders and invoices

@bp.post("/orders")
def orders_create():
    order = billing.create_order(current(), body())
    return jsonify(billing.order_dict(order)), 201


@bp.get("/invoices")
def invoices_list():
    return jsonify({"items": [billing.document_dict(d) for d in billing.list_documents(current().company_id)],
                    "next_cursor": None})


@bp.get("/invoices/<int:invoice_id>/ksef.xml")
def invoice_ksef_xml(invoice_id: int):
    document = billing.company_document(current().company_id, invoice_id)
    try:
        xml = ksef.xml_of(document)
    except ksef.InvalidInvoice as exc:
        raise Conflict(str(exc) or "This document has no FA(3) XML.") from None
    filename = document.number.replace("/", "-") + ".xml"
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.post("/invoices/<int:invoice_id>/cancel")
def invoice_cancel(invoice_id: int):
    return jsonify(billing.document_dict(billing.cancel_proforma(current(), invoice_id)))


# Address book: the same five endpoints for clients, carriers and products

def _register_address_book(name: str, kind) -> None:
    def list_view():
        items, cursor = addressbook.list_entries(kind, current().company_id, q=request.args.get("q", ""),
                                                 cursor=request.args.get("cursor"), limit=limit_arg())
        return jsonify({"items": [kind.to_dict(i) for i in items], "next_cursor": cursor})

    def create_view():
        obj = addressbook.create_entry(kind, current(), body())
        return jsonify(kind.to_dict(obj)), 201, {"Location": url_for(f"api.{name}_get", entry_id=obj.id)}

    def get_view(entry_id):
        return jsonify(kind.to_dict(addressbook.get_entry(kind, current().company_id, entry_id)))

    def patch_view(entry_id):
        return jsonify(kind.to_dict(addressbook.update_entry(kind, current(), entry_id, body())))

    def delete_view(entry_id):
        addressbook.delete_entry(kind, current(), entry_id)
        return "", 204

    bp.add_url_rule(f"/{name}", f"{name}_list", list_view, methods=["GET"])
    bp.add_url_rule(f"/{name}", f"{name}_create", create_view, methods=["POST"])
    bp.add_url_rule(f"/{name}/<entry_id>", f"{name}_get", get_view, methods=["GET"])
    bp.add_url_rule(f"/{name}/<entry_id>", f"{name}_patch", patch_view, methods=["PATCH"])
    bp.add_url_rule(f"/{name}/<entry_id>", f"{name}_delete", delete_view, methods=["DELETE"])


for _name, _kind in addressbook.KINDS.items():
    _register_address_book(_name, _kind)


# Documents

@bp.get("/documents")
def documents_list():
    items, cursor = documents.list_documents(
        current().company_id, q=request.args.get("q", ""), date_from=date_arg("from"),
        date_to=date_arg("to"), status=request.args.get("status") or None,
        cursor=request.args.get("cursor"), limit=limit_arg())
    return jsonify({"items": [documents.to_dict(d) for d in items], "next_cursor": cursor})


@bp.post("/documents")
def documents_create():
    payload = body()
    user = current()

    def work():
        doc = documents.issue_document(user, payload, commit=False)
        return 201, documents.to_dict(doc)

    key = request.headers.get("Idempotency-Key", "").strip()
    if key:
        if len(key) > 200:
            raise ValidationFailed({"Idempotency-Key": ["At most 200 characters."]})
        status, data = idempotency.run_once(user, key, payload, work)
    else:
        status, data = work()
        from ..extensions import db
        db.session.commit()
    return jsonify(data), status, {"Location": url_for("api.documents_get", doc_id=data["id"])}


@bp.get("/documents/<doc_id>")
def documents_get(doc_id):
    return jsonify(documents.to_dict(documents.get_document(current().company_id, doc_id)))


@bp.patch("/documents/<doc_id>")
def documents_patch(doc_id):
    return jsonify(documents.to_dict(documents.update_document(current(), doc_id, body())))


@bp.delete("/documents/<doc_id>")
def documents_delete(doc_id):
    """Withdraws the document (ECMR.md §2); an optional JSON body may give a reason."""
    documents.delete_document(current(), doc_id, body(optional=True).get("reason"))
    return "", 204


@bp.post("/documents/<doc_id>/cancel")
def documents_cancel(doc_id):
    doc = documents.cancel_document(current(), doc_id, body().get("reason"))
    return jsonify(documents.to_dict(doc))


@bp.get("/documents/<doc_id>/versions")
def documents_versions(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify({"items": [lifecycle.version_dict(doc, v) for v in lifecycle.versions(doc)],
                    "next_cursor": None})


@bp.get("/documents/<doc_id>/events")
def documents_events(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify({"items": [record.event_dict(e) for e in record.events(doc)], "next_cursor": None})


@bp.get("/documents/<doc_id>/views")
def documents_views(doc_id):
    """Openings of the document's public pages, newest first (the latest 100)."""
    doc = documents.get_document(current().company_id, doc_id)
    items, total = record.views(doc)
    return jsonify({"items": [record.view_dict(v) for v in items], "total": total, "next_cursor": None})


@bp.post("/documents/<doc_id>/duplicate")
def documents_duplicate(doc_id):
    doc = documents.duplicate_document(current(), doc_id)
    return jsonify(documents.to_dict(doc)), 201, {"Location": url_for("api.documents_get", doc_id=doc.id)}


@bp.post("/documents/<doc_id>/email")
def document_email(doc_id):
    to = body(optional=True).get("to")
    if to is not None and not (isinstance(to, list) and all(isinstance(x, str) for x in to)):
        raise ValidationFailed({"to": ["Send a list of e-mail addresses."]})
    rows = documents.email_document(current(), doc_id, to)
    # Accepted, not yet delivered: the outbox rows say how each e-mail fares.
    return jsonify({"sent_to": [r.recipient for r in rows], "emails": [outbox.to_dict(r) for r in rows]}), 202


@bp.get("/documents/<doc_id>/emails")
def document_emails(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify({"items": [outbox.to_dict(r) for r in documents.document_emails(doc.company_id, doc.id)],
                    "next_cursor": None})


@bp.get("/documents/<doc_id>/pdf")
def document_pdf(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    options = pdf_options(request.args)
    return pdf_cache.response(doc, documents.pdf_filename(doc, options["annex"]), **options)


def pdf_options(args) -> dict:
    """The PDF's print options from the query string (also read by auth.cached_pdf)."""
    # Empty items skipped, a repeated language counted once.
    languages = list(dict.fromkeys(x for x in args.get("languages", "").split(",") if x)) or None
    copies = args.get("copies")
    if copies is not None and copies not in ("3", "4"):
        raise ValidationFailed({"copies": ["Choose 3 or 4 copies."]})
    return {"languages": languages, "copies": int(copies) if copies else None,
            "blank": args.get("blank") in ("1", "true"), "annex": documents.pdf_annex_option(args.get("annex"))}


@bp.post("/documents/print")
def documents_print():
    """Bulk print: {"ids": [...]} (1–200) → one PDF, every copy of each, in that order."""
    from ..services import bulk_print
    pdf = bulk_print.bundle(current().company_id, body().get("ids"))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="CMR-documents.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Signing on a phone (ECMR.md §3)

@bp.post("/documents/<doc_id>/signing-links")
def signing_links_create(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    link = signatures.create_link(current(), doc, body().get("role"))
    return jsonify(signatures.link_dict(link)), 201


@bp.get("/documents/<doc_id>/signing-links")
def signing_links_list(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify({"items": [signatures.link_dict(link) for link in signatures.current_links(doc).values()],
                    "next_cursor": None})


@bp.get("/documents/<doc_id>/signatures")
def signatures_list(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify({"items": [signatures.signature_dict(doc, s) for s in signatures.signatures(doc)],
                    "next_cursor": None})


@bp.get("/documents/<doc_id>/signatures/<role>.png")
def signature_image(doc_id, role):
    doc = documents.get_document(current().company_id, doc_id)
    signature = signatures.signed_roles(doc).get(role)
    if signature is None:
        raise NotFound()
    return Response(signature.image, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@bp.get("/documents/<doc_id>/photos/<photo_id>")
def signature_photo(doc_id, photo_id):
    doc = documents.get_document(current().company_id, doc_id)
    photo = signatures.get_photo(doc, photo_id)
    return Response(photo.image, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})


# The owner's export (terms §11.6): a ZIP made by a job, its link e-mailed

@bp.post("/account/exports")
def exports_create():
    from ..services import exports
    return jsonify(exports.to_dict(exports.request_export(current()))), 202


@bp.get("/account/exports/<export_id>")
def exports_get(export_id):
    from ..services import exports
    return jsonify(exports.to_dict(exports.get_export(current(), export_id)))


# The e-CMR as one JSON document (ECMR.md §4)

@bp.get("/documents/<doc_id>/ecmr.json")
def document_ecmr(doc_id):
    doc = documents.get_document(current().company_id, doc_id)
    return jsonify(ecmr_export.export(doc))


@bp.get("/schemas/ecmr.json")
def ecmr_schema():
    """The JSON Schema of the export, public: a document names it in `$schema`."""
    return Response(ecmr_export.SCHEMA_PATH.read_bytes(), mimetype="application/schema+json",
                    headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/openapi.json")
def openapi():
    from .openapi import spec
    return jsonify(spec())
