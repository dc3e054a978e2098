"""The entry point: the product and its prices for a visitor, the documents for a
signed-in user; the terms of service. The tabs live in documents.py, entries.py and
settings.py."""
from flask import redirect, render_template, url_for
from flask_login import current_user

from ..services import terms as terms_service
from . import bp


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web.documents"))
    from ..admin import _formatters
    from ..admin.pricing import pricing_context
    return render_template("landing.html", **pricing_context(), **_formatters())


@bp.get("/terms")
def terms():
    from flask_babel import get_locale
    lang = str(get_locale() or "en")
    return render_template("terms.html", blocks=terms_service.blocks(terms_service.text(lang)))
