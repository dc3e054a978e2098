"""Billing pages outside the signed-in tabs: PDFs by link, the fake provider's checkout
and its notification endpoint; Stripe's pay page and webhook (stripe_routes)."""
from flask import Blueprint

bp = Blueprint("billing", __name__)

from . import routes  # noqa: E402,F401
from . import stripe_routes  # noqa: E402,F401
