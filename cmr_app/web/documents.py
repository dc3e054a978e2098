"""Documents tab: the list, the CMR form (new, edit, from a template), the document page,
its PDF, duplicate, delete, and document templates."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import clock
from ..errors import NotFound, ServiceError, ValidationFailed
from ..extensions import db
from ..qr import qr_svg
from ..schemas import (ADR_CLASSES, ADR_TUNNEL_CODES, ALL_STATUSES, ESSENTIALS, LANGUAGES, MAX_GOODS_LINES,
                       PAYMENT_INSTRUCTIONS, STATUSES)
from ..services import accounts, entitlements, lifecycle, quota, record, signatures
from ..services import documents as document_service
from ..services import pdf_cache, quick, web_support
from . import bp
from .common import (FormState, country_choices, flash_refusal, flatten, form_state_from_request,
                     is_blank, language_choices, line_indexes, parse_date_arg, parse_form,
                     remap_errors)

PAGE_SIZE = 25
OTHER = "__other__"
# The inputs marked required: what the Convention asks of every CMR (schemas.ESSENTIALS);
# the goods, one line of several fields, are marked on their box.
REQUIRED = frozenset(f"{section}.{key}" for section, key in ESSENTIALS)

# Box 20: the rows of the paper form. The English label is stored with the row, the
# form shows it translated.
CHARGE_ROWS = ("Carriage charges", "Deductions", "Balance", "Supplementary charges",
               "Other charges", "Miscellaneous", "Total")
CHARGE_LABELS = {"Carriage charges": _l("Carriage charges"), "Deductions": _l("Deductions"),
                 "Balance": _l("Balance"), "Supplementary charges": _l("Supplementary charges"),
                 "Other charges": _l("Other charges"), "Miscellaneous": _l("Miscellaneous"),
                 "Total": _l("Total")}
PAYMENT_LABELS = {"carriage_paid": _l("Carriage paid"), "carriage_forward": _l("Carriage forward")}
EVENT_LABELS = {"issued": _l("Issued"), "amended": _l("Changed"), "signed": _l("Signed"),
                "taken_over": _l("Taken over"), "delivered": _l("Delivered"), "cancelled": _l("Cancelled"),
                "withdrawn": _l("Withdrawn")}
PAGE_LABELS = {"page": _l("Driver's page"), "pdf": _l("PDF"), "sign": _l("Signing page")}
ROLE_NAMES = {"sender": _l("Sender"), "carrier": _l("Carrier"), "consignee": _l("Consignee")}
RESERVATION_LABELS = {
    "packages_not_checked": _l("Number of packages not checked (sealed or covered load)"),
    "packages_missing": _l("Packages missing"), "packaging_damaged": _l("Packaging damaged"),
    "goods_damaged": _l("Goods visibly damaged"), "goods_wet": _l("Goods wet or stained"),
    "load_unsecured": _l("Load insufficiently secured"), "seal_broken": _l("Seal missing or broken"),
    "weight_not_checked": _l("Gross weight not checked"),
    "temperature": _l("Temperature outside the agreed range"), "other": _l("Other")}
EMAIL_STATUS_LABELS = {"pending": _l("waiting to be sent"), "sending": _l("being sent"),
                       "sent": _l("sent"), "failed": _l("not delivered")}

PARTY_FIELDS = {"name": _l("Name"), "address": _l("Address"), "postal_code": _l("Postal code"),
                "city": _l("City"), "country": _l("Country"), "tax_id": _l("Tax id (NIP / VAT)"),
                "email": _l("E-mail"), "phone": _l("Phone"),
                "vehicle_registration": _l("Vehicle registration numbers")}
GOODS_FIELDS = {"marks": _l("6 Marks and numbers"), "packages": _l("7 Number of packages"),
                "packing": _l("8 Method of packing"), "nature": _l("9 Nature of the goods"),
                "statistical_number": _l("10 Statistical number"),
                "gross_weight_kg": _l("11 Gross weight, kg"), "volume_m3": _l("12 Volume, m³"),
                "adr.class": _l("ADR class"), "adr.un_number": _l("UN number"),
                "adr.packing_group": _l("Packing group"),
                "adr.proper_shipping_name": _l("Proper shipping name"),
                "adr.tunnel_code": _l("Tunnel code"),
                "adr.environmentally_hazardous": _l("Environmentally hazardous")}
SECTIONS = {"sender": _l("1 Sender"), "consignee": _l("2 Consignee"),
            "place_of_delivery": _l("3 Place of delivery"), "taking_over": _l("4 Taking over the goods"),
            "documents_attached": _l("5 Documents attached"), "goods": _l("6–12 Goods"),
            "sender_instructions": _l("13 Sender's instructions"),
            "payment_instructions": _l("14 Instructions as to payment for carriage"),
            "cash_on_delivery": _l("15 Cash on delivery"), "carrier": _l("16 Carrier"),
            "successive_carriers": _l("17 Successive carriers"),
            "carrier_reservations": _l("18 Carrier's reservations and observations"),
            "special_agreements": _l("19 Special agreements"), "charges": _l("20 To be paid by"),
            "established": _l("21 Established"), "languages": _l("Label languages"),
            "copies": _l("Copies"), "status": _l("Status"), "party": _l("Address book")}
OTHER_FIELDS = {"date": _l("Date"), "place": _l("Place"), "amount": _l("Amount"),
                "currency": _l("Currency"), "sender": _l("Sender"), "consignee": _l("Consignee"),
                "label": _l("Row")}


def describe(path: str) -> str:
    """A readable name for an error's dotted path, for the summary above the form."""
    parts = path.split(".")
    section = str(SECTIONS.get(parts[0], parts[0]))
    if len(parts) == 1:
        return section
    if parts[0] == "goods" and parts[1].isdigit():
        rest = ".".join(parts[2:])
        return _("Goods line %(n)s", n=int(parts[1]) + 1) + " · " + str(GOODS_FIELDS.get(rest, rest))
    if parts[0] == "charges" and parts[1].isdigit():
        rest = parts[-1]
        return section + " · " + str(OTHER_FIELDS.get(rest, rest))
    rest = parts[-1]
    return section + " · " + str(PARTY_FIELDS.get(rest) or OTHER_FIELDS.get(rest, rest))


def in_form_order(errors: dict, values: dict) -> list[str]:
    """The error paths in the order of the form's inputs (a posted form keeps the page's
    order), so the summary reads top to bottom; a path without an input of its own
    ("goods") sits where its first input is, one with none at the end."""
    names = list(values)

    def position(path: str) -> int:
        return next((i for i, name in enumerate(names) if name == path or name.startswith(path + ".")),
                    len(names))
    return sorted(errors, key=position)


def _charge_blank(row) -> bool:
    return not isinstance(row, dict) or is_blank({k: v for k, v in row.items() if k != "label"})


def _local_today(company) -> str:
    return clock.now().astimezone(ZoneInfo(company.timezone)).date().isoformat()


def _company_languages(company) -> list[str]:
    codes = [c.strip() for c in (company.default_languages or "").split(",") if c.strip() in LANGUAGES]
    return codes[:3] or ["pl", "en", "de"]


# Form <-> document data -------------------------------------------------------------

def payload_from_form() -> tuple[dict, dict]:
    """The posted form as the API's document shape, plus where each kept line came from."""
    data, origins = parse_form(request.form.items(),
                               compact={"goods": is_blank, "charges": _charge_blank})
    payment = data.get("payment_instructions") or ""
    if payment == OTHER:
        payment = data.get("payment_instructions_other") or ""
    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = languages.split(",")
    if isinstance(languages, list):
        languages = [x for x in languages if isinstance(x, str) and x.strip()]
    copies = data.get("copies") or "4"
    payload = {
        "sender": data.get("sender") or {}, "consignee": data.get("consignee") or {},
        "place_of_delivery": data.get("place_of_delivery") or {},
        "taking_over": data.get("taking_over") or {},
        "documents_attached": data.get("documents_attached") or "",
        "goods": data.get("goods") or [],
        "sender_instructions": data.get("sender_instructions") or "",
        "payment_instructions": payment,
        "cash_on_delivery": data.get("cash_on_delivery") or {},
        "carrier": data.get("carrier") or {},
        "successive_carriers": data.get("successive_carriers") or "",
        "carrier_reservations": data.get("carrier_reservations") or "",
        "special_agreements": data.get("special_agreements") or "",
        "charges": data.get("charges") or [],
        "established": data.get("established") or {},
        "languages": languages,
        "copies": int(copies) if isinstance(copies, str) and copies.isdigit() else copies,
        # The form itself carries the parties picked from the address book: what the
        # user sees (and may have corrected) is what is saved.
        "sender_client_id": None, "consignee_client_id": None, "carrier_id": None,
    }
    if data.get("status"):
        payload["status"] = data["status"]
    return payload, origins


def too_many_lines() -> str | None:
    """A form with more goods lines than a document may have is refused before it is
    parsed, validated or drawn again (drawing 500 lines alone takes seconds): the page's
    script never offers more, so only a hand-made post gets here."""
    lines = {key.split(".", 2)[1] for key in request.form if key.startswith("goods.") and key.count(".") >= 2}
    if len(lines) <= MAX_GOODS_LINES:
        return None
    return _("A CMR takes at most %(n)s goods lines; this form had %(sent)s. Split the shipment into "
             "several documents.", n=MAX_GOODS_LINES, sent=len(lines))


def arrange_charges(charges) -> list[dict]:
    """The document's box 20 laid over the paper form's rows, unknown rows after them."""
    charges = [c for c in (charges or []) if isinstance(c, dict)]
    by_label = {}
    for charge in charges:
        by_label.setdefault((charge.get("label") or "").strip().casefold(), charge)
    rows, used = [], set()
    for label in CHARGE_ROWS:
        found = by_label.get(label.casefold())
        if found is not None:
            used.add(id(found))
        rows.append({**(found or {}), "label": label})
    rows.extend(c for c in charges if id(c) not in used)
    return rows


def values_from_data(data: dict) -> dict[str, str]:
    data = {k: v for k, v in data.items() if k not in ("sender_client_id", "consignee_client_id", "carrier_id")}
    data["charges"] = arrange_charges(data.get("charges"))
    if not data.get("goods"):
        data["goods"] = [{}]
    values = flatten(data)
    payment = data.get("payment_instructions") or ""
    if payment not in PAYMENT_INSTRUCTIONS:
        values["payment_instructions"] = OTHER
        values["payment_instructions_other"] = payment
    return values


def new_document_values(company) -> dict[str, str]:
    today = _local_today(company)
    data = {"taking_over": {"date": today},
            "established": {"place": company.city or "", "date": today},
            "languages": _company_languages(company), "copies": 4, "goods": [{}]}
    return values_from_data(data)


def render_form(state: FormState, *, doc=None, template=None, duplicate_of=None, status: int = 200):
    goods = line_indexes(state.values, "goods") or [0]
    charges = line_indexes(state.values, "charges")
    if not charges:
        state.values.update(flatten({"charges": arrange_charges([])}))
        charges = line_indexes(state.values, "charges")
    state.required = REQUIRED
    summary = [(path, describe(path), state.errors[path]) for path in in_form_order(state.errors, state.values)]
    return render_template(
        "web/documents/form.html", form=state, doc=doc, template=template, duplicate_of=duplicate_of,
        goods_lines=goods, max_goods_lines=MAX_GOODS_LINES, charge_lines=charges, charge_labels=CHARGE_LABELS,
        payment_labels=PAYMENT_LABELS, other=OTHER, summary=summary,
        adr_classes=[(c, c) for c in ADR_CLASSES], adr_tunnel_codes=[(c, c) for c in ADR_TUNNEL_CODES],
        countries=country_choices(), languages=language_choices(), statuses=STATUSES,
        usage=quota.usage(current_user.company) if doc is None else None,
        # The pickers search the address book as the user types (web/lookup.py); the page
        # itself embeds only the last used carrier, offered as one button.
        last_carrier=quick.last_carrier(current_user.company_id),
    ), status


def _editor_refusal() -> str | None:
    try:
        accounts.require_editor(current_user)
    except ServiceError as exc:
        return exc.message
    return None


def _pdf_languages() -> list[str] | None:
    raw = request.args.getlist("lang") or (request.args.get("languages") or "").split(",")
    codes: list[str] = []
    for code in (x.strip().lower() for x in raw):
        if code and code not in codes:
            codes.append(code)
    if codes and (len(codes) > 3 or any(c not in LANGUAGES for c in codes)):
        abort(400, _("Choose one to three label languages."))
    return codes or None


# Views ------------------------------------------------------------------------------

@bp.get("/documents")
@login_required
def documents():
    errors: dict = {}
    q = (request.args.get("q") or "").strip()
    date_from, date_to = parse_date_arg("from", errors), parse_date_arg("to", errors)
    cursor = request.args.get("cursor") or None
    status = request.args.get("status") or None
    if status not in (None, *ALL_STATUSES):
        errors["status"] = [_("Choose a status from the list.")]
        status = None
    try:
        document_service.check_date_range(date_from, date_to)
    except ValidationFailed as exc:  # said under the field; the list is shown without the range
        errors.update(exc.errors)
        date_from = date_to = None
    try:
        items, next_cursor = document_service.list_documents(
            current_user.company_id, q=q, date_from=date_from, date_to=date_to, status=status,
            cursor=cursor, limit=PAGE_SIZE)
    except ServiceError as exc:  # a damaged cursor: start again from the newest
        flash(exc.message, "error")
        items, next_cursor = document_service.list_documents(
            current_user.company_id, q=q, date_from=date_from, date_to=date_to, status=status,
            limit=PAGE_SIZE)
        cursor = None
    usage = quota.usage(current_user.company)
    filters = {"q": q or None, "from": request.args.get("from") or None, "to": request.args.get("to") or None,
               "status": status}
    return render_template(
        "web/documents/list.html", items=items, q=q, filters=filters, errors=errors, statuses=ALL_STATUSES,
        filtered=any(filters.values()), paged=bool(cursor),
        older_url=url_for("web.documents", cursor=next_cursor, **filters) if next_cursor else None,
        newest_url=url_for("web.documents", **filters),
        usage=usage, resets_on=web_support.local_date(current_user.company, usage.resets_at),
        hidden=document_service.hidden_by_archive(current_user.company),
        archive_months=entitlements.plan_in_force(current_user.company).archive_months)


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required
def document_new():
    company = current_user.company
    if request.method == "GET":
        refusal = _editor_refusal()
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("web.documents"))
        template = source = None
        if request.args.get("template"):
            template = web_support.get_template(current_user.company_id, request.args["template"])
            values = values_from_data(document_service.fresh_copy(template.data, company))
        elif request.args.get("from"):
            # Duplicate: a filled form to check, numbered only when saved.
            source = document_service.get_document(current_user.company_id, request.args["from"])
            try:
                lifecycle.require_content(source)
            except ServiceError as exc:
                flash_refusal(exc)
                return redirect(url_for("web.document", doc_id=source.id))
            values = values_from_data(document_service.fresh_copy(source.data, company, keep_vehicle=False))
        else:
            values = new_document_values(company)
        return render_form(FormState(values), template=template, duplicate_of=source)
    if refusal := too_many_lines():
        return render_template("error.html", status=422, message=refusal), 422
    payload, origins = payload_from_form()
    try:
        doc = document_service.issue_document(current_user, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_form(form_state_from_request(remap_errors(exc.errors, origins)), status=422)
    except ServiceError as exc:
        flash_refusal(exc)
        return render_form(form_state_from_request(), status=exc.status)
    flash(_("CMR %(number)s is saved.", number=doc.number), "success")
    return redirect(url_for("web.document", doc_id=doc.id))


@bp.get("/documents/<int:doc_id>")
@login_required
def document(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    views, views_total = record.views(doc, limit=50)
    signed = signatures.signed_roles(doc)
    links = signatures.current_links(doc) if not (doc.withdrawn_at or doc.status == "cancelled") else {}
    signing = [{"role": role, "signature": signed.get(role),
                "photos": signatures.photos_of(signed[role]) if role in signed else [],
                "link": signatures.link_dict(links[role]) if role in links and role not in signed else None,
                "expires_at": links[role].expires_at if role in links else None,
                "qr": qr_svg(signatures.link_dict(links[role])["url"]) if role in links and role not in signed
                else None} for role in signatures.ROLES]
    return render_template(
        "web/documents/show.html", doc=doc, data=doc.data, public_url=document_service.public_url(doc),
        versions=list(reversed(lifecycle.versions(doc))),
        events=[(e, record.event_dict(e)) for e in record.events(doc)],
        views=views, views_total=views_total, event_labels=EVENT_LABELS, page_labels=PAGE_LABELS,
        signing=signing, role_names=ROLE_NAMES, reservation_labels=RESERVATION_LABELS,
        charges=[c for c in arrange_charges(doc.data.get("charges"))
                 if not _charge_blank(c)],
        charge_labels=CHARGE_LABELS, payment_labels=PAYMENT_LABELS, languages=language_choices(),
        templates_on=entitlements.feature_on(current_user.company, "templates"),
        email_on=entitlements.feature_on(current_user.company, "email_documents"),
        party_emails=", ".join(e for e in (doc.data.get(p, {}).get("email") for p in
                                           ("sender", "consignee", "carrier")) if e),
        emails=document_service.document_emails(current_user.company_id, doc.id),
        email_status_labels=EMAIL_STATUS_LABELS)


@bp.route("/documents/<int:doc_id>/edit", methods=["GET", "POST"])
@login_required
def document_edit(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    if request.method == "GET":
        refusal = _editor_refusal()
        if refusal is None:
            try:
                lifecycle.require_editable(doc)
            except ServiceError as exc:
                refusal = exc.message
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("web.document", doc_id=doc.id))
        return render_form(FormState({**values_from_data(doc.data), "status": doc.status}), doc=doc)
    if refusal := too_many_lines():
        return render_template("error.html", status=422, message=refusal), 422
    payload, origins = payload_from_form()
    try:
        document_service.update_document(current_user, doc.id, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_form(form_state_from_request(remap_errors(exc.errors, origins)), doc=doc, status=422)
    except ServiceError as exc:
        flash_refusal(exc)
        return render_form(form_state_from_request(), doc=doc, status=exc.status)
    flash(_("CMR %(number)s is saved.", number=doc.number), "success")
    return redirect(url_for("web.document", doc_id=doc.id))


@bp.get("/documents/<int:doc_id>/pdf")
@login_required
def document_pdf(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    languages = _pdf_languages()
    copies = request.args.get("copies") or None
    if copies not in (None, "3", "4"):
        abort(400, _("Choose 3 or 4 copies."))
    annex = document_service.pdf_annex_option(request.args.get("annex"))
    return pdf_cache.response(doc, document_service.pdf_filename(doc, annex),
                              disposition="attachment" if request.args.get("download") else "inline",
                              languages=languages, copies=int(copies) if copies else None,
                              blank=request.args.get("blank") == "1", annex=annex)


@bp.post("/documents/print")
@login_required
def documents_print():
    """The ticked documents of the list as one PDF, every copy of each, in list order."""
    from ..services import bulk_print
    raw = request.form.getlist("ids")
    ids = [int(x) for x in raw if x.isdigit()]
    try:
        pdf = bulk_print.bundle(current_user.company_id, ids if len(ids) == len(raw) else [None])
    except NotFound as exc:  # gone meanwhile: said on the list, not a bare 404
        flash(exc.message, "error")
        return redirect(url_for("web.documents"))
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("web.documents"))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="CMR-documents.pdf"',
                             "Cache-Control": "private, no-store"})


@bp.get("/settings/calibration.pdf")
@login_required
def calibration_pdf():
    """A page to print on a pre-printed CMR set and measure the printer's offset."""
    import renderers
    company = current_user.company
    pdf = renderers.render_calibration_page(offset_mm=document_service.print_offset(company),
                                            scale_pct=document_service.print_scale(company))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="CMR-calibration.pdf"'})


@bp.route("/documents/<int:doc_id>/duplicate", methods=["GET", "POST"])
@login_required
def document_duplicate(doc_id: int):
    """Opens a filled form; nothing is numbered or counted until it is saved."""
    source = document_service.get_document(current_user.company_id, doc_id)
    return redirect(url_for("web.document_new", **{"from": source.id}))


@bp.post("/documents/<int:doc_id>/signing-links")
@login_required
def document_signing_link(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    try:
        signatures.create_link(current_user, doc, request.form.get("role"))
    except ServiceError as exc:
        db.session.rollback()
        flash_refusal(exc)
    return redirect(url_for("web.document", doc_id=doc_id, _anchor="signing"))


@bp.get("/documents/<int:doc_id>/signatures/<role>.png")
@login_required
def document_signature_image(doc_id: int, role: str):
    doc = document_service.get_document(current_user.company_id, doc_id)
    signature = signatures.signed_roles(doc).get(role) or abort(404)
    return Response(signature.image, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@bp.get("/documents/<int:doc_id>/photos/<int:photo_id>")
@login_required
def document_photo(doc_id: int, photo_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    photo = signatures.get_photo(doc, photo_id)
    return Response(photo.image, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})


@bp.post("/documents/<int:doc_id>/cancel")
@login_required
def document_cancel(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    try:
        document_service.cancel_document(current_user, doc.id, request.form.get("reason", ""))
    except ServiceError as exc:
        db.session.rollback()
        flash_refusal(exc)
    else:
        flash(_("CMR %(number)s is cancelled. Its page and every PDF printed from now on say so.",
                number=doc.number), "success")
    return redirect(url_for("web.document", doc_id=doc_id))


@bp.post("/documents/<int:doc_id>/delete")
@login_required
def document_delete(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    number = doc.number
    try:
        document_service.delete_document(current_user, doc.id, request.form.get("reason", ""))
    except ServiceError as exc:
        db.session.rollback()
        flash_refusal(exc)
        return redirect(url_for("web.document", doc_id=doc_id))
    flash(_("CMR %(number)s is withdrawn: its content is erased, its number stays taken, and its link "
            "now says that it was withdrawn.", number=number), "success")
    return redirect(url_for("web.documents"))


@bp.post("/documents/<int:doc_id>/template")
@login_required
def document_save_template(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    try:
        template = document_service.save_template(current_user, request.form.get("template_name", ""),
                                                  dict(doc.data))
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("web.document", doc_id=doc.id))
    flash(_("Template “%(name)s” is saved.", name=template.name), "success")
    return redirect(url_for("web.templates"))


@bp.post("/documents/<int:doc_id>/email")
@login_required
def document_email(doc_id: int):
    doc = document_service.get_document(current_user.company_id, doc_id)
    raw = request.form.get("to", "")
    recipients = [r for r in raw.replace(";", ",").replace("\n", ",").split(",") if r.strip()]
    try:
        rows = document_service.email_document(current_user, doc.id, recipients or None)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("The PDF of CMR %(number)s is on its way to %(to)s.", number=doc.number,
                to=", ".join(r.recipient for r in rows)), "success")
    return redirect(url_for("web.document", doc_id=doc.id))


@bp.get("/documents/templates")
@login_required
def templates():
    return render_template("web/documents/templates.html",
                           templates=document_service.list_templates(current_user.company_id),
                           templates_on=entitlements.feature_on(current_user.company, "templates"))


@bp.post("/documents/templates/<int:template_id>/delete")
@login_required
def template_delete(template_id: int):
    template = web_support.get_template(current_user.company_id, template_id)
    name = template.name
    try:
        document_service.delete_template(current_user, template.id)
    except ServiceError as exc:
        flash_refusal(exc)
    else:
        flash(_("Template “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("web.templates"))
