"""Public pages without login: the driver's page reached from the QR code."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import routes  # noqa: E402,F401
