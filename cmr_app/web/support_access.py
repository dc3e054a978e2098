"""Settings → Support access (terms §14), and the page a blocked company's users see
instead of any other signed-in page (terms §10.7)."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..errors import ServiceError, ValidationFailed
from ..extensions import db
from ..services import blocking, support_access
from . import bp
from .common import FormState, flash_refusal, form_state_from_request

LOG_ON_PAGE = 50
LIST_LABELS = {"documents": _l("Documents"), "clients": _l("Clients"), "carriers": _l("Carriers"),
               "products": _l("Products")}


def describe_look(what: str) -> str:
    """The log keeps what was seen in stable English words (the API gives them as they
    are); the owner reads them in the interface language."""
    if m := re.fullmatch(r"(documents|clients|carriers|products), page (\d+)", what):
        return _("%(list)s, page %(page)s", list=LIST_LABELS[m[1]], page=m[2])
    if m := re.fullmatch(r"document (.+) \(PDF\)", what):
        return _("the PDF of document %(number)s", number=m[1])
    if m := re.fullmatch(r"document (.+)", what):
        return _("document %(number)s", number=m[1])
    return what


def support_access_context(company) -> dict:
    """The Settings section's context: the consent, its form and the latest log entries."""
    entries, more = support_access.log_page(company.id, LOG_ON_PAGE)
    return {"support": support_access.state(company), "support_log": entries, "support_log_more": more is not None,
            "support_form": FormState({"days": "7"}, readonly=current_user.role != "owner"),
            "support_days": (support_access.MIN_DAYS, support_access.MAX_DAYS), "describe_look": describe_look}


def _withdrawing() -> bool:
    return request.endpoint == "web.settings_support_access" and request.method == "POST" \
        and request.form.get("action") == "withdraw"


@bp.before_request
def refuse_blocked_company():
    """A blocked company's users see why, and nothing else (admins keep the admin area,
    another blueprint). Withdrawing support access stays possible: consent is the owner's."""
    if not current_user.is_authenticated or not blocking.is_blocked(current_user.company):
        return None
    if _withdrawing():
        return None
    company = current_user.company
    return render_template("web/blocked.html", company=company, owner=current_user.role == "owner",
                           support=support_access.state(company)), 403


@bp.post("/settings/support-access")
@login_required
def settings_support_access():
    try:
        if request.form.get("action") == "withdraw":
            support_access.withdraw(current_user)
            flash(_("Support access is withdrawn: platform support can no longer see your documents and "
                    "address book."), "success")
        else:
            state = support_access.grant(current_user, request.form.get("days", ""), typed=True)
            flash(_("Platform support may see your documents and address book until %(date)s.",
                    date=_show(state.expires_at)), "success")
    except ValidationFailed as exc:
        db.session.rollback()
        from .settings import render_settings
        return render_settings(422, support_form=form_state_from_request(exc.errors))
    except ServiceError as exc:
        db.session.rollback()
        flash_refusal(exc)
    return redirect(url_for("web.settings", _anchor="support"))


def _show(moment) -> str:
    from .common import show_date
    return show_date(moment, "medium")
