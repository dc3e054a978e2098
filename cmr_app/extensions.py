"""Every Flask extension, made once here and bound in create_app."""
import flask_limiter
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def insert_ignoring_conflict(table, **values):
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect (PostgreSQL or SQLite)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, whose check before every request runs only when there is a limit
    for it to check. Limits here are declared on the views that need them (sign-in, the
    driver's page, checkout…), and such a view checks its own limits when it is called,
    storage fallback and recovery included. Flask-Limiter also checks, before every
    request, the application's, default, meta and blueprint limits: there are none, and
    finding that out cost a tenth of the instructions of a cached PDF download through
    the API. Declare one and the check runs again."""

    def init_app(self, app) -> None:
        super().init_app(app)
        hooks = app.before_request_funcs.setdefault(None, [])
        if self._check_request_limit in hooks:
            hooks[hooks.index(self._check_request_limit)] = self._check_request_limit_if_any

    def _check_request_limit_if_any(self) -> None:
        manager = self.limit_manager
        if (manager._application_limits or manager._default_limits or manager._blueprint_limits
                or self._meta_limits):
            self._check_request_limit()


limiter = Limiter(key_func=get_remote_address, default_limits=[])
