"""CMR documents: issue, edit, duplicate, delete, list, templates."""
from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, url_for
import plans
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import Conflict, NotFound, PlanRequired, ServiceError, UnknownReference, ValidationFailed
from ..extensions import db
from ..models import Carrier, Client, Company, Document, DocumentTemplate, OutboxMail, User
from ..schemas import ALL_STATUSES, DocumentIn, dump, missing_essentials, parse
from ..tenant import get_owned
from . import accounts, entitlements, lifecycle, mailing, numbering, outbox, quota
from .search import document_search_text, matching, page

# 16 random bytes: 128 bits, unguessable, and short enough (22 characters) that the link
# printed under the QR code on the form stays readable and typeable.
PUBLIC_TOKEN_BYTES = 16
PARTY_KEYS = ("name", "address", "postal_code", "city", "country", "tax_id", "email", "phone")


def _copy_party(model, company_id: int, party_id, extra=()) -> dict:
    obj = get_owned(model, party_id, company_id)
    return {key: getattr(obj, key) or "" for key in PARTY_KEYS + tuple(extra)}


def _resolve(company_id: int, model: DocumentIn) -> dict:
    """Parties picked from the address book are copied into the document now: a later
    edit of the address book does not rewrite an issued document."""
    data = dump(model)
    try:
        if model.sender_client_id:
            data["sender"] = _copy_party(Client, company_id, model.sender_client_id)
        if model.consignee_client_id:
            data["consignee"] = _copy_party(Client, company_id, model.consignee_client_id)
        if model.carrier_id:
            data["carrier"] = _copy_party(Carrier, company_id, model.carrier_id, ("vehicle_registration",))
    except NotFound:
        raise UnknownReference({"party": [_("A chosen client or carrier does not exist.")]},
                               _("A chosen client or carrier does not exist."))
    # The ids only say what to copy now; kept in the document, a later edit would copy
    # the address book again over what the user changed.
    for key in ("sender_client_id", "consignee_client_id", "carrier_id"):
        data[key] = None
    return data


def _validated(company_id: int, payload, *, partial_base: dict | None = None) -> dict:
    """The document's content, checked for shape and for the Convention's essentials,
    every problem named at once. A party picked by id counts as given (it is copied)."""
    raw = {**partial_base, **payload} if partial_base is not None and isinstance(payload, dict) else payload
    try:
        model = parse(DocumentIn, payload, partial_base=partial_base)
    except ValidationFailed as exc:
        by_id = {"sender": "sender_client_id", "consignee": "consignee_client_id"}
        for field, messages in missing_essentials(raw).items():
            section = field.split(".")[0]
            if not (isinstance(raw, dict) and raw.get(by_id.get(section, ""))):
                exc.errors.setdefault(field, messages)
        raise
    data = _resolve(company_id, model)
    missing = missing_essentials(data)
    if missing:
        raise ValidationFailed(missing)
    return data


def _local_now(company: Company):
    return clock.now().astimezone(ZoneInfo(company.timezone))


def _apply(doc: Document, data: dict, company: Company) -> None:
    """Content and what is derived from it: the date, the search text, the check code."""
    doc.status = data.pop("status", None) or doc.status or "issued"
    doc.data = data
    established = data.get("established", {}).get("date")
    doc.issued_on = date.fromisoformat(established) if established else _local_now(company).date()
    doc.search_text = document_search_text(doc.number, data)
    import renderers  # imported on first use: keeps start-up light
    doc.fingerprint = renderers.fingerprint({**data, "number": doc.number})
    doc.updated_at = clock.now()


def numbering_settings(company: Company) -> tuple[str, int]:
    if entitlements.feature_on(company, "custom_numbering"):
        return company.numbering_pattern or numbering.DEFAULT_PATTERN, company.numbering_start or 1
    return numbering.standard_pattern(company.numbering_pattern), 1


def archive_cutoff(company: Company, plan=None):
    """Documents created before this moment are beyond the plan's archive: hidden, never
    deleted, back on upgrade. None when the plan keeps everything. `plan`: the plan in
    force, when the caller has it."""
    months = (plan or entitlements.plan_in_force(company)).archive_months
    if months is None:
        return None
    return plans.add_months_local(clock.now(), -months, company.timezone)


def archived(company: Company, doc: Document, plan=None) -> bool:
    """Beyond the plan's archive: hidden (never deleted) until a plan keeps it again."""
    cutoff = archive_cutoff(company, plan)
    return cutoff is not None and doc.created_at < cutoff


def _visible(doc_id, company_id: int, *, for_update: bool = False) -> Document:
    doc = get_owned(Document, doc_id, company_id)
    if for_update:  # saves of one document queue on its row (PostgreSQL; SQLite has one writer)
        db.session.refresh(doc, with_for_update=True)
    company = db.session.get(Company, company_id)
    if archived(company, doc):
        months = entitlements.plan_in_force(company).archive_months
        longer = next((p for p in entitlements.catalogue()
                       if p.archive_months is None or p.archive_months > months), None)
        raise PlanRequired(
            _("This document is older than the %(months)s months your plan keeps visible. It is not "
              "deleted: it comes back when you move to a plan with a longer archive.", months=months),
            {"archive_months": months, "plan": longer.code if longer else None})
    return doc


def hidden_by_archive(company: Company) -> int:
    cutoff = archive_cutoff(company)
    if cutoff is None:
        return 0
    return db.session.scalar(select(func.count(Document.id)).where(
        Document.company_id == company.id, Document.created_at < cutoff)) or 0


def issue_document(user: User, payload: dict, *, commit: bool = True) -> Document:
    """Validates, takes a quota place and the next number, and saves: all in one
    transaction, so a refusal or an error leaves neither a count nor a number behind."""
    accounts.require_editor(user)
    company = user.company
    data = _validated(company.id, payload)
    pattern, start = numbering_settings(company)
    local_now = _local_now(company)
    doc = Document(company_id=company.id, created_by_id=user.id, created_at=clock.now(),
                   public_token=secrets.token_urlsafe(PUBLIC_TOKEN_BYTES))
    # From here to the commit the company's quota and number rows are locked: other
    # documents of the company wait, so only what needs the number comes after.
    quota.consume_quota(company)
    doc.number = numbering.next_number(company.id, pattern, start, local_now)
    _apply(doc, data, company)
    db.session.add(doc)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("The number %(number)s is already taken; change the numbering pattern "
                         "or its starting number.", number=doc.number))
    lifecycle.first_version(doc, user)
    _prerender(doc)  # queued when the caller commits
    if commit:
        db.session.commit()
    return doc


def _prerender(doc: Document) -> None:
    from . import pdf_cache  # it imports this module
    pdf_cache.prerender_later(doc)


def update_document(user: User, doc_id, payload: dict) -> Document:
    """Editing never counts against the quota. A change of content is a new version
    with its own check code; a change of the status mark alone is not."""
    accounts.require_editor(user)
    doc = _visible(doc_id, user.company_id, for_update=True)
    lifecycle.require_editable(doc)
    data = _validated(user.company_id, payload, partial_base={**doc.data, "status": doc.status})
    before = doc.fingerprint
    _apply(doc, data, user.company)
    if doc.fingerprint != before:
        lifecycle.new_version(doc, user)
        _prerender(doc)
    db.session.commit()
    return doc


def duplicate_document(user: User, doc_id) -> Document:
    """A new document with the same content: it counts and gets its own number and link.
    Its dates start as today, as a repeated route is issued for a new shipment."""
    doc = _visible(doc_id, user.company_id)
    lifecycle.require_content(doc)
    return issue_document(user, fresh_copy(doc.data, user.company))


def fresh_copy(data: dict, company: Company, *, keep_vehicle: bool = True) -> dict:
    """A new shipment on the same route: dates are today's; in the web interface the
    vehicle is left for the user to confirm (it is rarely the same truck)."""
    today = _local_now(company).date().isoformat()
    copy = {k: v for k, v in data.items() if k != "status"}
    copy["established"] = {**copy.get("established", {}), "date": today}
    copy["taking_over"] = {**copy.get("taking_over", {}), "date": today}
    if not keep_vehicle:
        copy["carrier"] = {**copy.get("carrier", {}), "vehicle_registration": ""}
    return copy


def delete_document(user: User, doc_id, reason: str = "") -> Document:
    """Deleting withdraws: the content is erased, the number stays taken (and listed),
    the public link says who withdrew it and when. It never refunds the quota."""
    accounts.require_editor(user)
    doc = _visible(doc_id, user.company_id, for_update=True)
    lifecycle.withdraw(doc, user, reason)
    db.session.commit()
    return doc


def cancel_document(user: User, doc_id, reason) -> Document:
    accounts.require_editor(user)
    doc = _visible(doc_id, user.company_id, for_update=True)
    lifecycle.cancel(doc, user, reason)
    db.session.commit()
    return doc


def get_document(company_id: int, doc_id) -> Document:
    return _visible(doc_id, company_id)


def check_date_range(date_from: date | None, date_to: date | None) -> None:
    """A range that ends before it starts is a mistake to tell, not an empty list."""
    if date_from and date_to and date_from > date_to:
        message = _("The end of the date range (%(end)s) comes before its start (%(start)s).",
                    end=date_to.isoformat(), start=date_from.isoformat())
        raise ValidationFailed({"to": [message]}, message)


def list_documents(company_id: int, *, q: str = "", date_from: date | None = None,
                   date_to: date | None = None, status: str | None = None, cursor=None, limit: int = 50):
    query = filtered_documents(company_id, q=q, date_from=date_from, date_to=date_to, status=status)
    return page(query, Document, cursor=cursor, limit=limit)


def filtered_documents(company_id: int, *, q: str = "", date_from: date | None = None,
                       date_to: date | None = None, status: str | None = None):
    """The list's query (the company's documents matching the filters), unordered: the
    list pages it, the export (services/impex.py) streams it."""
    check_date_range(date_from, date_to)
    query = select(Document).where(Document.company_id == company_id)
    if status:
        if status not in ALL_STATUSES:
            raise ValidationFailed({"status": [_("Choose one of: %(values)s.", values=", ".join(ALL_STATUSES))]})
        query = query.where(Document.status == status)
    cutoff = archive_cutoff(db.session.get(Company, company_id))
    if cutoff is not None:
        query = query.where(Document.created_at >= cutoff)
    for condition in matching(Document, q):
        query = query.where(condition)
    if date_from:
        query = query.where(Document.issued_on >= date_from)
    if date_to:
        query = query.where(Document.issued_on <= date_to)
    return query


PLACEHOLDER = "__link_value__"


def _link(endpoint: str, key: str, value) -> str:
    """url_for for one changing value, built once per request as a pattern: a list of 50
    documents would otherwise route 100 links."""
    patterns = g.setdefault("link_patterns", {}) if has_request_context() else {}
    if (endpoint, key) not in patterns:
        patterns[(endpoint, key)] = current_app.config["BASE_URL"] + url_for(endpoint, **{key: PLACEHOLDER})
    return patterns[(endpoint, key)].replace(PLACEHOLDER, str(value))


def public_url(doc: Document) -> str:
    return _link("public.driver_page", "token", doc.public_token)


def to_dict(doc: Document) -> dict:
    content = {k: v for k, v in doc.data.items() if k != "status"}
    return {"id": doc.id, "number": doc.number, **content, "status": doc.status,
            "version": doc.version, "fingerprint": doc.fingerprint,
            "created_at": doc.created_at.isoformat(), "updated_at": doc.updated_at.isoformat(),
            "cancelled_at": doc.cancelled_at.isoformat() if doc.cancelled_at else None,
            "cancel_reason": doc.cancel_reason or None,
            "withdrawn_at": doc.withdrawn_at.isoformat() if doc.withdrawn_at else None,
            "public_url": public_url(doc),
            "pdf_url": None if doc.withdrawn_at else _link("api.document_pdf", "doc_id", doc.id)}


def render_data(doc: Document) -> dict:
    url = public_url(doc)
    # The QR code carries the copy's check code: scanned, the page says at once whether
    # this paper is current. The link printed under it stays short enough to type.
    data = {**doc.data, "number": doc.number, "public_url": f"{url}?code={doc.fingerprint}",
            "short_url": url.split("://", 1)[-1],
            "fingerprint": doc.fingerprint, "version": doc.version, "status": doc.status}
    company = db.session.get(Company, doc.company_id)
    if doc.cancelled_at:
        data["cancelled_on"] = doc.cancelled_at.astimezone(ZoneInfo(company.timezone)).date().isoformat()
        data["cancel_reason"] = doc.cancel_reason
    if doc.first_signed_at is not None:
        data.update(_signed_data(doc, company))
    return data


def _signed_data(doc: Document, company: Company) -> dict:
    """The e-CMR on paper: each signature for its box (the time the signer signed: on the
    phone when it was captured offline, else when it was received), the carrier's and
    the consignee's reservations, and the record of events with their hashes."""
    from . import record, signatures
    sigs, reservations = {}, {}
    for sig in signatures.signatures(doc):
        sigs[sig.role] = {"name": sig.signer_name, "signed_at": (sig.captured_at or sig.signed_at).isoformat(),
                          "timezone": company.timezone, "position": sig.position, "image": sig.image}
        if sig.role in ("carrier", "consignee") and sig.reservations:
            reservations[sig.role] = sig.reservations
    return {"signatures": sigs, "reservations": reservations, "timezone": company.timezone,
            "record": [record.event_dict(e) for e in record.events(doc)]}


# What the anonymous copies (the driver's page and its PDF, reached by anyone holding the
# link) leave out: the parties' contact details, which are not particulars of the CMR
# (Art. 6 asks for names and addresses). Instructions (boxes 13, 14, 18, 19) stay: they
# are addressed to the carrier and printed on the very paper copy the driver carries.
ANONYMOUS_OMITS = ("email", "phone")
PARTIES = ("sender", "consignee", "carrier")


def anonymous_data(data: dict) -> dict:
    data = dict(data)
    for party in PARTIES:
        if isinstance(data.get(party), dict):
            data[party] = {k: v for k, v in data[party].items() if k not in ANONYMOUS_OMITS}
    # The record names the office user behind each step by e-mail: not for the public copy
    # (the events and hashes stay; the full events are the office's, through the API).
    if isinstance(data.get("record"), list):
        data["record"] = [{k: v for k, v in e.items() if k != "by"} for e in data["record"]]
    return data


def print_offset(company: Company) -> tuple[float, float]:
    return float(company.print_offset_x_mm or 0), float(company.print_offset_y_mm or 0)


def print_scale(company: Company) -> float:
    """The printer's scale in per cent (100 when never calibrated)."""
    return float(company.print_scale_pct or 100)


def pdf_filename(doc: Document, annex: str = "after") -> str:
    """CMR-<number>.pdf; the annex as a separate file is CMR-<number>-annex.pdf."""
    return ("CMR-" + "".join(c if c.isalnum() else "-" for c in doc.number)
            + ("-annex" if annex == "only" else "") + ".pdf")


ANNEX_CHOICES = ("after", "separate", "only")


def pdf_annex_option(value: str | None) -> str:
    """The `annex` print option: "after" (default: annex pages after all copies),
    "separate" (the copies only) or "only" (the annex pages, the second file)."""
    value = (value or "after").strip().lower()
    if value not in ANNEX_CHOICES:
        raise ValidationFailed({"annex": [_("Choose after, separate or only.")]})
    return value


def render_pdf(doc: Document, *, languages=None, copies=None, blank: bool = False,
               anonymous: bool = False, annex: str = "after") -> bytes:
    """The CMR as a PDF; `blank` prints only the data, shifted by the company's printer
    offset, for loading pre-printed CMR sets; `annex` where the annex pages go (see
    pdf_annex_option); `anonymous` is the copy behind the public link. Views get it
    through pdf_cache, which keeps what was rendered."""
    lifecycle.require_printable(doc)
    company = db.session.get(Company, doc.company_id)
    # The logo (deferred, up to 1 MB) is read only when there is one: its hash says so.
    logo = company.logo if company.logo_hash and entitlements.feature_on(company, "company_logo") else None
    data = render_data(doc)
    if anonymous:
        data = anonymous_data(data)
    import renderers
    from renderers.cmr import NoAnnex
    try:
        return renderers.render_cmr(data, languages=languages, copies=copies, logo=logo,
                                     blank_mode=blank, offset_mm=print_offset(company),
                                     scale_pct=print_scale(company), annex=annex)
    except NoAnnex:
        raise ValidationFailed({"annex": [_("This document has no annex pages: everything fits on the form.")]})
    except ValueError as exc:
        raise ServiceError(str(exc))


# Templates: a saved route to start new documents from.

def save_template(user: User, name: str, payload: dict) -> DocumentTemplate:
    accounts.require_editor(user)
    require_templates(user.company)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"template_name": [_("Give the template a name.")]})
    data = _resolve(user.company_id, parse(DocumentIn, payload))
    data.pop("status", None)
    template = DocumentTemplate(company_id=user.company_id, name=name[:200], data=data)
    db.session.add(template)
    db.session.commit()
    return template


def require_templates(company: Company) -> None:
    from . import features
    features.require_feature(company, "templates")


def list_templates(company_id: int) -> list[DocumentTemplate]:
    return list(db.session.scalars(select(DocumentTemplate).where(DocumentTemplate.company_id == company_id)
                                   .order_by(DocumentTemplate.name)))


def delete_template(user: User, template_id) -> None:
    accounts.require_editor(user)
    db.session.delete(get_owned(DocumentTemplate, template_id, user.company_id))
    db.session.commit()


def email_document(user: User, doc_id, recipients: list[str] | None = None) -> list[OutboxMail]:
    """Sends the document's PDF to its parties (or the given addresses): one outbox row
    each, committed here; the sender makes the PDF and delivers it. Needs the
    email_documents feature."""
    from . import features
    accounts.require_editor(user)
    doc = _visible(doc_id, user.company_id)  # no such document: 404 before anything else
    features.require_feature(user.company, "email_documents")
    lifecycle.require_printable(doc)
    if recipients is None:
        recipients = [doc.data.get(p, {}).get("email", "") for p in ("sender", "consignee", "carrier")]
    recipients = list(dict.fromkeys(r.strip().lower() for r in recipients if r and r.strip()))
    bad = [r for r in recipients if "@" not in r or " " in r or r.startswith("@") or r.endswith("@")]
    if bad or not recipients:
        raise ValidationFailed({"to": [_("Give at least one valid e-mail address; the parties of this "
                                         "document have none.") if not recipients else
                                       _("Not valid: %(addresses)s", addresses=", ".join(bad))]})
    if len(recipients) > 10:
        raise ValidationFailed({"to": [_("At most 10 addresses at once.")]})
    rows = mailing.record_document_email(doc, user, recipients)
    db.session.commit()
    return rows


def document_emails(company_id: int, doc_id: int) -> list[OutboxMail]:
    """The document's recent e-mails and how they fared (the document page, the API)."""
    return outbox.for_document(company_id, doc_id)
