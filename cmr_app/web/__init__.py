"""The signed-in web interface: Documents, Clients, Carriers, Products, Settings."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from . import common, documents, entries, plan, settings, routes  # noqa: E402,F401
from . import exports  # noqa: E402,F401  (the owner's export)
from . import support_access  # noqa: E402,F401
from . import lookup  # noqa: E402,F401  (the CMR form's pickers)
from . import impex  # noqa: E402,F401  (import and export of the lists)
