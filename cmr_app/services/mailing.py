"""E-mails that carry PDFs: pro-formas, invoices, CMR documents. Each is recorded in the
outbox in the caller's transaction (the caller commits), its text written now in the
reader's language; the PDF is made by the sender at send time, not in the web request."""
from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..models import BillingDocument, Company, Document, OutboxMail, Order, User
from . import accounts, outbox

SUBJECTS = {
    "invoice_issued": lambda d: _("Payment received: your plan is active (invoice %(number)s)", number=d.number),
    "proforma_issued": lambda d: _("Pro-forma %(number)s for your CMR Online order", number=d.number),
    "renewal_offer": lambda d: _("Renew your CMR Online plan: pro-forma %(number)s", number=d.number),
}


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def after_payment(invoice_id: int) -> list[OutboxMail]:
    return record_billing_email(invoice_id, "invoice_issued")


def proforma_issued(proforma_id: int, renewal: bool) -> list[OutboxMail]:
    return record_billing_email(proforma_id, "renewal_offer" if renewal else "proforma_issued")


def record_billing_email(document_id: int, template: str) -> list[OutboxMail]:
    """One e-mail to each owner of the company, the document's PDF attached."""
    document = db.session.get(BillingDocument, document_id)
    if document is None or document.company_id is None:
        return []
    order = document.order
    renewed = db.session.get(Order, order.renews_order_id) if order.renews_order_id else None
    link = _absolute("billing.document_pdf", token=document.access_token)
    rows = []
    for owner in accounts.company_owners(document.company_id):
        with force_locale(owner.language or "en"):
            text = render_template(f"email/{template}.txt", user=owner, document=document, order=order,
                                   link=link, ends=renewed.period_end if renewed else None)
            rows.append(outbox.record(owner.email, SUBJECTS[template](document), text, kind=template,
                                      company_id=document.company_id,
                                      attachment={"type": "billing_pdf", "id": document.id}))
    return rows


def record_document_email(doc: Document, user: User, recipients: list[str]) -> list[OutboxMail]:
    """The CMR's PDF to each address, written in the sending user's language."""
    company = db.session.get(Company, doc.company_id)
    with force_locale(user.language or "en"):
        text = render_template("email/document.txt", doc=doc, company=company, user=user,
                               link=_absolute("public.driver_page", token=doc.public_token))
        subject = _("CMR %(number)s from %(company)s", number=doc.number, company=company.name)
    return [outbox.record(address, subject, text, kind="document", company_id=doc.company_id,
                          document_id=doc.id, attachment={"type": "document_pdf", "id": doc.id})
            for address in recipients]


STEP_SUBJECTS = {
    "taken_over": lambda doc: _("CMR %(number)s: goods taken over", number=doc.number),
    "delivered": lambda doc: _("CMR %(number)s: goods delivered", number=doc.number),
}


def record_document_step(doc: Document, step: str, recipients: list[str]) -> list[OutboxMail]:
    """At taking over and at delivery the parties get the signed PDF (ECMR.md §3),
    recorded in the signature's transaction."""
    company = db.session.get(Company, doc.company_id)
    with force_locale("en"):
        text = render_template("email/document_step.txt", doc=doc, company=company, step=step,
                               link=_absolute("public.driver_page", token=doc.public_token))
        subject = STEP_SUBJECTS[step](doc)
    return [outbox.record(address, subject, text, kind=f"document_{step}", company_id=doc.company_id,
                          document_id=doc.id, attachment={"type": "document_pdf", "id": doc.id})
            for address in recipients]
