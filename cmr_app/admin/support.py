"""The admin's side of support access (terms §14) and of blocking (terms §10.7).

Support view: a company's documents, clients, carriers and products, read-only, only
while its owner's consent holds; each page opened is logged for the owner before it is
shown. Blocking: with a reason, which the owner is e-mailed."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..errors import ValidationFailed
from ..extensions import db
from ..services import addressbook, blocking, documents, pdf_cache, support_access
from ..services.admin_accounts import _as_company
from . import bp

KIND_LABELS = {"documents": _l("Documents"), "clients": _l("Clients"), "carriers": _l("Carriers"),
               "products": _l("Products")}


@bp.context_processor
def _support_context():
    return {"now_utc": clock.now()}


def _refused(company):
    return render_template("admin/support_refused.html", company=company), 403


def _page_arg() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


@bp.get("/accounts/<account_id>/support")
def support_view(account_id):
    company = support_access.company_for_support(account_id)
    kind = request.args.get("kind", "documents")
    if kind not in support_access.KINDS:
        kind = "documents"
    if not support_access.is_open(company):
        return _refused(company)
    page = _page_arg()
    support_access.look(current_user, company, f"{kind}, page {page}")
    with _as_company(company.id):
        rows, page, pages, total = support_access.rows_page(kind, company.id, page)
        return render_template("admin/support.html", company=company, kind=kind, kinds=KIND_LABELS,
                               rows=rows, page=page, pages=pages, total=total,
                               consent=support_access.state(company), product_adr=addressbook.product_adr)


@bp.get("/accounts/<account_id>/support/documents/<doc_id>")
def support_doc(account_id, doc_id):
    company = support_access.company_for_support(account_id)
    if not support_access.is_open(company):
        return _refused(company)
    doc = support_access.document(company.id, doc_id)
    support_access.look(current_user, company, f"document {doc.number}")
    with _as_company(company.id):
        return render_template("admin/support_document.html", company=company, doc=doc, data=doc.data or {},
                               kinds=KIND_LABELS, kind="documents", consent=support_access.state(company))


@bp.get("/accounts/<account_id>/support/documents/<doc_id>.pdf")
def support_doc_pdf(account_id, doc_id):
    company = support_access.company_for_support(account_id)
    if not support_access.is_open(company):
        return _refused(company)
    doc = support_access.document(company.id, doc_id)
    support_access.look(current_user, company, f"document {doc.number} (PDF)")
    with _as_company(company.id):
        return pdf_cache.response(doc, documents.pdf_filename(doc), cache_control="private, no-store")


# Blocking

@bp.route("/accounts/<account_id>/block", methods=["GET", "POST"])
def account_block(account_id):
    company = blocking.company_by_id(account_id)
    errors, reason = {}, company.blocked_reason
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            changed = blocking.block(company, reason)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            if changed:
                flash(_("%(company)s is blocked; its owner is e-mailed the reason.", company=company.name), "success")
            else:
                flash(_("%(company)s was already blocked for this reason: nothing changed.", company=company.name),
                      "info")
            return redirect(url_for("admin.accounts", q=company.name))
    return render_template("admin/block.html", company=company, reason=reason, errors=errors), \
        (422 if errors else 200)


@bp.post("/accounts/<account_id>/unblock")
def account_unblock(account_id):
    company = blocking.company_by_id(account_id)
    if blocking.unblock(company):
        flash(_("%(company)s is unblocked; its owner is e-mailed.", company=company.name), "success")
    else:
        flash(_("%(company)s was not blocked: nothing changed.", company=company.name), "info")
    return redirect(url_for("admin.accounts", q=company.name))
