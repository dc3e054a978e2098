"""CMR Online: the Flask application factory."""
from __future__ import annotations

import select
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from . import config as config_module
from .extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
UI_LANGUAGES = ("pl", "en", "de")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose signer is made only when there is a cookie
    to read: an API call or a first visit has none, and making it was 3% of a cached PDF
    download through the API."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:  # nothing to write or delete (Flask's first test)
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.session_interface = CookieSessions()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = config_module.load(app.instance_path, config)
    app.config.update(settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings["DATABASE_URL"]),
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "locales"),
        BABEL_DEFAULT_TIMEZONE="UTC",
        RATELIMIT_STORAGE_URI=settings["REDIS_URL"] or "memory://",
        # Redis is an accelerator: when it is away, limits are counted in this process's
        # memory until it is back, and a storage error never turns a page into a 500.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1}
        if settings["REDIS_URL"] else {},
        RATELIMIT_HEADERS_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
    )
    # Cookies only over https when the site is served so; a mapping given to create_app may say otherwise.
    https = settings["BASE_URL"].startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        app.config[key] = bool(settings.get(key, https))
    if settings["PROXY_FIX"]:
        # Behind a reverse proxy: the client's address (rate limits, logs) and the
        # scheme and host come from the X-Forwarded-* headers of that many proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, **settings["PROXY_FIX"])
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    return app


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Concurrent writers wait for the lock instead of failing at once.
        return {"connect_args": {"timeout": 30}}
    # No pool_pre_ping: a connection the database closed is found without a round trip
    # (_drop_closed_connections). The ping's round trip was a tenth of a cached PDF
    # download's throughput.
    return {"pool_size": 10, "max_overflow": 60}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Pool, "checkout")
def _drop_closed_connections(dbapi_connection, connection_record, connection_proxy):
    """A PostgreSQL connection the server closed (a restart, pg_terminate_backend,
    idle_session_timeout) is replaced before a request uses it, even if it was cut a
    moment after the last request. The server says so on the socket: it sends its reason
    and closes, so an idle connection with anything to read, or a hang-up, is no longer
    usable; a local poll finds that, where a ping (pool_pre_ping) cost a round trip at
    every checkout. The pool then opens a new connection for this checkout."""
    if connection_closed(dbapi_connection):
        raise DisconnectionError("the database closed this connection")


def connection_closed(dbapi_connection) -> bool:
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return False
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        socket = dbapi_connection.pgconn.socket
    except Exception:  # noqa: BLE001  (psycopg: the connection has no socket any more)
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLPRI)  # hang-ups and errors are always reported
    return bool(poller.poll(0))


def select_locale():
    if not has_request_context():  # CLI and jobs: messages in English unless forced
        return "en"
    if current_user and current_user.is_authenticated and current_user.language in UI_LANGUAGES:
        return current_user.language
    if session.get("language") in UI_LANGUAGES:
        return session["language"]
    return request.accept_languages.best_match(UI_LANGUAGES) or "en"


def select_timezone():
    if not has_request_context():
        return None
    if g.get("display_timezone"):  # a public page shows its company's local time
        return g.display_timezone
    if current_user and current_user.is_authenticated:
        return current_user.company.timezone
    return None


def register_extensions(app: Flask) -> None:
    from . import tenant  # noqa: F401  (installs the tenant guard)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    from . import sender
    sender.init_app(app)  # after db.init_app: hands committed e-mails on before the session goes


@lru_cache(maxsize=1)
def _user_statement():
    """Built once: every signed-in page runs it."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from .models import Subscription, User
    from .services import entitlements, subscriptions
    return (select(User, Subscription, entitlements.users_count_column(User.company_id),
                   *entitlements.catalogue_stamp_columns(), subscriptions.paid_plan_code_column(User.company_id))
            .outerjoin(Subscription, Subscription.company_id == User.company_id)
            .where(User.id == bindparam("user_id")).options(joinedload(User.company)))


@login_manager.user_loader
def _load_user(user_id: str):
    from . import clock
    from .models import User
    from .tenant import set_current_company
    try:
        uid, stamp = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    from .services import entitlements, subscriptions
    # The user, the company, its subscription and paid plan, its number of users and the
    # plan catalogue's stamp in one query: every page needs them.
    row = db.session.execute(_user_statement(), {"user_id": uid, "now": clock.now()}).first()
    if row is None:
        return None
    user, subscription, users, *plans_stamp, paid = row
    if user.security_stamp != stamp:
        return None
    subscriptions.remember_current(user.company_id, subscription)
    subscriptions.remember_paid(user.company_id, paid)
    entitlements.note_catalogue_stamp(*plans_stamp)
    if entitlements.user_blocked(user, users):  # over the plan's user limit after a downgrade: signed out
        return None
    set_current_company(user.company_id)
    return user


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp, pricing_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .public import bp as public_bp
    from .web import bp as web_bp
    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(pricing_bp)
    from .billing import bp as billing_bp
    app.register_blueprint(billing_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # bearer tokens, no cookies


def register_errorhandlers(app: Flask) -> None:
    from .api import error_response
    from .web.errors import register as register_web_errors
    register_web_errors(app, api_prefix="/api/", api_error=error_response)


def register_commands(app: Flask) -> None:
    from .cli import register
    register(app)


def register_request_hooks(app: Flask) -> None:
    from urllib.parse import urlsplit
    base_host = urlsplit(app.config["BASE_URL"]).netloc.lower()
    warned = []

    @app.before_request
    def warn_about_base_url():
        # Printed copies carry BASE_URL in their QR code: served under another host,
        # every copy would carry a dead link. Said once, at the first such request.
        if warned or not base_host or request.host.lower() == base_host:
            return
        warned.append(request.host)
        app.logger.warning(
            "Requests arrive for %s but links in QR codes and e-mails point to %s (BASE_URL). "
            "Set CMR_BASE_URL to the address users reach, or printed copies carry a dead link.",
            request.host, app.config["BASE_URL"])

    from . import inputs, security
    security.init_app(app)
    inputs.init_app(app)
    from . import formatting
    formatting.init_app(app)

    # Each language under its own name, for the switch's buttons (screen readers, tooltips).
    LANGUAGE_NAMES = {"pl": "Polski", "en": "English", "de": "Deutsch"}

    @app.context_processor
    def inject():
        return {"ui_languages": UI_LANGUAGES, "current_language": str(select_locale()),
                "language_names": LANGUAGE_NAMES}
