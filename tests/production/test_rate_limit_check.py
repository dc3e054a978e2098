"""Flask-Limiter's check before every request runs only when a limit needs it (the
application's, default, meta or a blueprint's): the app declares limits on views only,
and those are checked when the view is called. Declared anywhere else, the check runs."""
from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask_limiter.util import get_remote_address

from cmr_app.extensions import Limiter


def _app(**limits):
    app = Flask(__name__)
    app.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_HEADERS_ENABLED=True)
    limiter = Limiter(key_func=get_remote_address, **limits)

    def view():  # named: Flask-Limiter tells views apart by their qualified names
        return "view"

    def plain():
        return "plain"

    def free_view():
        return "free"

    def limited_view():
        return "limited"
    free = Blueprint("free", __name__)
    free.add_url_rule("/free", "free", free_view)
    limited = Blueprint("limited", __name__)
    limited.add_url_rule("/limited", "limited", limited_view)
    app.add_url_rule("/view", "view", limiter.limit("2/minute")(view))
    app.add_url_rule("/plain", "plain", plain)
    return app, limiter, free, limited


def _statuses(client, path, n=3) -> list[int]:
    return [client.get(path).status_code for _ in range(n)]


def test_a_views_limit_holds_without_the_check_before_every_request():
    app, limiter, free, limited = _app(default_limits=[])
    limiter.init_app(app)
    app.register_blueprint(free)
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    client = app.test_client()
    assert _statuses(client, "/view") == [200, 200, 429]
    assert _statuses(client, "/plain", 5) == [200] * 5
    assert client.get("/view").headers.get("Retry-After")


@pytest.mark.parametrize("limits", [{"default_limits": ["2/minute"]}, {"application_limits": ["2/minute"]},
                                    {"meta_limits": ["2/minute"]}])
def test_the_application_default_and_meta_limits_are_still_checked(limits):
    app, limiter, free, limited = _app(**limits)
    limiter.init_app(app)
    client = app.test_client()
    if "meta_limits" in limits:  # meta limits count breaches of other limits
        assert [client.get("/view").status_code for _ in range(12)][-1] == 429
        assert client.get("/plain").status_code == 429
    else:
        assert _statuses(client, "/plain") == [200, 200, 429]


def test_a_blueprints_limit_declared_after_the_app_is_made_is_checked():
    app, limiter, free, limited = _app()
    limiter.init_app(app)
    limiter.limit("2/minute")(limited)
    app.register_blueprint(free)
    app.register_blueprint(limited)
    client = app.test_client()
    assert _statuses(client, "/limited") == [200, 200, 429]
    assert _statuses(client, "/free", 5) == [200] * 5
