"""The entry point of the signed-in interface; the tabs live in documents.py,
entries.py and settings.py."""
from flask import redirect, url_for

from . import bp


@bp.get("/")
def index():
    return redirect(url_for("web.documents"))
