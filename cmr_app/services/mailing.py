"""E-mails that carry or point to PDFs: pro-formas, invoices, CMR documents. Queued
(tasks.enqueue) so the PDF is made by the worker, not in the web request."""
from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import mail, tasks
from ..extensions import db
from ..models import BillingDocument, Company, Document, User
from . import accounts


def after_payment(invoice_id: int) -> None:
    tasks.enqueue("billing_email", document_id=invoice_id, template="invoice_issued")


def proforma_issued(proforma_id: int, renewal: bool) -> None:
    tasks.enqueue("billing_email", document_id=proforma_id,
                  template="renewal_offer" if renewal else "proforma_issued")


SUBJECTS = {
    "invoice_issued": lambda d: _("Payment received: your plan is active (invoice %(number)s)", number=d.number),
    "proforma_issued": lambda d: _("Pro-forma %(number)s for your CMR Online order", number=d.number),
    "renewal_offer": lambda d: _("Renew your CMR Online plan: pro-forma %(number)s", number=d.number),
}


def send_billing_email(document_id: int, template: str) -> None:
    from . import billing
    document = db.session.get(BillingDocument, document_id)
    if document is None or document.company_id is None:
        return
    pdf = billing.render(document)
    filename = document.number.replace("/", "-") + ".pdf"
    renewed = db.session.get(type(document.order), document.order.renews_order_id) \
        if document.order.renews_order_id else None
    for owner in accounts.company_owners(document.company_id):
        with force_locale(owner.language or "en"):
            text = render_template(f"email/{template}.txt", user=owner, document=document,
                                   order=document.order, link=billing.document_url(document),
                                   ends=renewed.period_end if renewed else None)
            mail.deliver_now(owner.email, SUBJECTS[template](document), text,
                             attachments=[(filename, "application/pdf", pdf)])


def send_document_email(document_id: int, user_id: int, recipients: list[str]) -> None:
    from . import documents
    doc = db.session.get(Document, document_id)
    user = db.session.get(User, user_id)
    if doc is None or user is None:
        return
    company = db.session.get(Company, doc.company_id)
    pdf = documents.render_pdf(doc)
    filename = documents.pdf_filename(doc)
    with force_locale(user.language or "en"):
        text = render_template("email/document.txt", doc=doc, company=company, user=user,
                               link=documents.public_url(doc))
        subject = _("CMR %(number)s from %(company)s", number=doc.number, company=company.name)
    for address in recipients:
        mail.deliver_now(address, subject, text, attachments=[(filename, "application/pdf", pdf)])


STEP_SUBJECTS = {
    "taken_over": lambda doc: _("CMR %(number)s: goods taken over", number=doc.number),
    "delivered": lambda doc: _("CMR %(number)s: goods delivered", number=doc.number),
}


def document_step(document_id: int, step: str, recipients: list[str]) -> None:
    """At taking over and at delivery the parties get the signed PDF (ECMR.md §3)."""
    tasks.enqueue("document_step_email", document_id=document_id, step=step, recipients=recipients)


def send_document_step_email(document_id: int, step: str, recipients: list[str]) -> None:
    from . import documents
    doc = db.session.get(Document, document_id)
    if doc is None or doc.withdrawn_at is not None:
        return
    company = db.session.get(Company, doc.company_id)
    pdf = documents.render_pdf(doc)
    with force_locale("en"):
        text = render_template("email/document_step.txt", doc=doc, company=company, step=step,
                               link=documents.public_url(doc))
        subject = STEP_SUBJECTS[step](doc)
    for address in recipients:
        mail.deliver_now(address, subject, text, attachments=[(documents.pdf_filename(doc), "application/pdf", pdf)])
