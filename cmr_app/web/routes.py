from flask import redirect, render_template, url_for
from flask_login import login_required

from . import bp


@bp.get("/")
def index():
    return redirect(url_for("web.documents"))


@bp.get("/documents")
@login_required
def documents():
    return render_template("base.html")


@bp.get("/book/<kind>")
@login_required
def entries(kind):
    return render_template("base.html")


@bp.get("/settings")
@login_required
def settings():
    return render_template("base.html")
