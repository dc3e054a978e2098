"""Platform administration (/admin, admins only: everyone else gets a 404) and the
public pricing page rendered from the same plan rows."""
from flask import Blueprint
from flask_babel import format_date, format_datetime, format_decimal

from ..formatting import money

bp = Blueprint("admin", __name__, url_prefix="/admin")
pricing_bp = Blueprint("public_pricing", __name__)


def _formatters():
    # Numbers, money and dates in the UI language (Flask-Babel gives filters only).
    return {"money": money, "format_decimal": format_decimal,
            "format_date": format_date, "format_datetime": format_datetime}


bp.context_processor(_formatters)
pricing_bp.context_processor(_formatters)

from . import pricing, routes  # noqa: E402,F401
from . import support  # noqa: E402,F401
