"""Clients, Carriers and Products tabs: one set of views for the three address books."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..errors import ServiceError, ValidationFailed
from ..extensions import db
from ..schemas import ADR_CLASSES, ADR_TUNNEL_CODES
from ..services import addressbook
from . import bp
from .common import (FormState, can_edit, country_choices, flash_refusal, flatten,
                     form_state_from_request, parse_form)

PAGE_SIZE = 50

PARTY = [("name", _l("Name"), "text"), ("address", _l("Address"), "text"),
         ("postal_code", _l("Postal code"), "text"), ("city", _l("City"), "text"),
         ("country", _l("Country"), "country"), ("tax_id", _l("Tax id (NIP / VAT)"), "text"),
         ("email", _l("E-mail"), "email"), ("phone", _l("Phone"), "tel")]
PRODUCT = [("name", _l("Name"), "text"), ("nature", _l("Nature of the goods"), "text"),
           ("marks", _l("Marks and numbers"), "text"), ("packages", _l("Number of packages"), "integer"),
           ("packing", _l("Method of packing"), "text"),
           ("statistical_number", _l("Statistical number"), "text"),
           ("gross_weight_kg", _l("Gross weight, kg"), "decimal"), ("volume_m3", _l("Volume, m³"), "decimal"),
           # ADR 5.4.1.1.1's order: "UN 1263 PAINT, 3, II, (D/E)"
           ("adr.un_number", _l("UN number"), "text"),
           ("adr.proper_shipping_name", _l("Proper shipping name"), "text"),
           ("adr.class", _l("ADR class"), [(c, c) for c in ADR_CLASSES]),
           ("adr.packing_group", _l("Packing group"), [(g, g) for g in ("I", "II", "III")]),
           ("adr.tunnel_code", _l("Tunnel code"), [(c, c) for c in ADR_TUNNEL_CODES]),
           ("adr.environmentally_hazardous", _l("Environmentally hazardous"), [("True", _l("Yes"))])]

KIND_PAGES = {
    "clients": {"title": _l("Clients"), "one": _l("client"), "new": _l("New client"),
                "fields": PARTY, "empty": _l("No clients yet. Add the senders and consignees you work with: "
                                             "the CMR form fills their data in with one choice.")},
    "carriers": {"title": _l("Carriers"), "one": _l("carrier"), "new": _l("New carrier"),
                 "fields": PARTY + [("vehicle_registration", _l("Vehicle registration numbers"), "text")],
                 "empty": _l("No carriers yet. Add the hauliers you hire, with their vehicles.")},
    "products": {"title": _l("Products"), "one": _l("product"), "new": _l("New product"),
                 "fields": PRODUCT,
                 "empty": _l("No products yet. Goods you ship often go here, with packing, weight and ADR data.")},
}


def read_only(kind: str):
    """A viewer who asked to change an address book: back to its list, saying why."""
    flash(_("Your role allows reading only."), "error")
    return redirect(url_for("web.entries", kind=kind))


def _kind(kind: str):
    if kind not in addressbook.KINDS:
        abort(404)
    return addressbook.KINDS[kind], KIND_PAGES[kind]


def _payload(kind: str) -> dict:
    data, _origins = parse_form(request.form.items())
    fields = {name.split(".")[0] for name, _label, _type in KIND_PAGES[kind]["fields"]}
    # Every field is sent, blank ones too: an emptied input clears the value on edit.
    return {name: data.get(name, "" if name not in ("packages", "gross_weight_kg", "volume_m3") else None)
            for name in fields}


def _render_form(kind: str, state: FormState, *, entry=None, status: int = 200):
    page = KIND_PAGES[kind]
    schema = addressbook.KINDS[kind].schema
    if not state.readonly:   # a reader changes nothing: nothing to mark
        state.required = frozenset(name for name, field in schema.model_fields.items() if field.is_required())
    labels = {name: label for name, label, _type in page["fields"]}
    # Every error in the summary, linked to its input; one the form has no input for
    # (a refusal of the whole entry) is said there without a link.
    order = list(labels)
    summary = [(name if name in labels else None, labels.get(name), messages)
               for name, messages in sorted(state.errors.items(),
                                            key=lambda item: order.index(item[0]) if item[0] in labels else len(order))]
    return render_template("web/entries/form.html", kind=kind, page=page, form=state, entry=entry,
                           countries=country_choices(), summary=summary), status


@bp.get("/book/<kind>")
@login_required
def entries(kind: str):
    model_kind, page = _kind(kind)
    q = (request.args.get("q") or "").strip()
    cursor = request.args.get("cursor") or None
    try:
        items, next_cursor = addressbook.list_entries(model_kind, current_user.company_id, q=q,
                                                      cursor=cursor, limit=PAGE_SIZE)
    except ServiceError as exc:
        flash(exc.message, "error")
        items, next_cursor = addressbook.list_entries(model_kind, current_user.company_id, q=q, limit=PAGE_SIZE)
        cursor = None
    return render_template(
        "web/entries/list.html", kind=kind, page=page, items=[model_kind.to_dict(i) for i in items], q=q,
        paged=bool(cursor), newest_url=url_for("web.entries", kind=kind, q=q or None),
        older_url=url_for("web.entries", kind=kind, q=q or None, cursor=next_cursor) if next_cursor else None)


@bp.route("/book/<kind>/new", methods=["GET", "POST"])
@login_required
def entry_new(kind: str):
    model_kind, page = _kind(kind)
    if request.method == "GET":
        if not can_edit():
            return read_only(kind)
        return _render_form(kind, FormState({"country": current_user.company.country or ""}))
    try:
        entry = addressbook.create_entry(model_kind, current_user, _payload(kind))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(kind, form_state_from_request(exc.errors), status=422)
    except ServiceError as exc:
        flash_refusal(exc)
        return _render_form(kind, form_state_from_request(), status=exc.status)
    flash(_("“%(name)s” is saved.", name=entry.name), "success")
    return redirect(url_for("web.entries", kind=kind))


@bp.route("/book/<kind>/<int:entry_id>", methods=["GET", "POST"])
@login_required
def entry_edit(kind: str, entry_id: int):
    model_kind, page = _kind(kind)
    entry = addressbook.get_entry(model_kind, current_user.company_id, entry_id)
    if request.method == "GET":
        values = flatten({k: v for k, v in model_kind.to_dict(entry).items() if k != "id"})
        return _render_form(kind, FormState(values, readonly=not can_edit()), entry=entry)
    try:
        addressbook.update_entry(model_kind, current_user, entry.id, _payload(kind))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(kind, form_state_from_request(exc.errors), entry=entry, status=422)
    except ServiceError as exc:
        flash_refusal(exc)
        return _render_form(kind, form_state_from_request(), entry=entry, status=exc.status)
    flash(_("“%(name)s” is saved.", name=entry.name), "success")
    return redirect(url_for("web.entries", kind=kind))


@bp.post("/book/<kind>/<int:entry_id>/delete")
@login_required
def entry_delete(kind: str, entry_id: int):
    model_kind, page = _kind(kind)
    entry = addressbook.get_entry(model_kind, current_user.company_id, entry_id)
    name = entry.name
    try:
        addressbook.delete_entry(model_kind, current_user, entry.id)
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("web.entry_edit", kind=kind, entry_id=entry_id))
    flash(_("“%(name)s” is deleted. Documents that used it keep their own copy.", name=name), "success")
    return redirect(url_for("web.entries", kind=kind))
