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


def autocommit_engine():
    """For a request whose one statement is a SELECT (the API's PDF download), run without
    a session: on PostgreSQL an engine beside the app's, whose connections are in
    autocommit from the start (a worker holds one more connection while it serves such
    requests). The session, and switching its connection to autocommit and back at
    every checkout, cost as much as the statement's execution. SQLite: the app's engine
    in autocommit."""
    from flask import current_app
    from sqlalchemy import create_engine
    engine = current_app.extensions.get("cmr_autocommit_engine")
    if engine is None:
        main = db.engine
        if main.dialect.name == "postgresql":
            engine = create_engine(main.url, isolation_level="AUTOCOMMIT",
                                   **current_app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        else:
            engine = main.execution_options(isolation_level="AUTOCOMMIT")
        current_app.extensions["cmr_autocommit_engine"] = engine
    return engine


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
