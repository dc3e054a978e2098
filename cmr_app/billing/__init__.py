"""Billing pages outside the signed-in tabs: PDFs by link, the fake provider's checkout
and its notification endpoint."""
from flask import Blueprint

bp = Blueprint("billing", __name__)

from . import routes  # noqa: E402,F401
