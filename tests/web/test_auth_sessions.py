"""Sessions carry the user's security stamp: logging out, changing or resetting the
password ends every session and remember-me cookie; a reset also revokes the API tokens;
cookies are Secure when the site is https (issue 10, item 3)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import time_machine

from cmr_app import create_app

REMEMBER = "remember_token"


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(client) -> bool:
    return client.get("/documents").status_code == 200


def login(client, user, remember=False):
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def replay(app, name: str, value: str):
    """A fresh browser holding only the copied cookie."""
    other = app.test_client()
    other.set_cookie(name, value, domain="localhost")
    return other


def test_a_logged_out_session_cookie_replayed_is_signed_out(app, client, make_account):
    user = make_account()
    login(client, user, remember=True)
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie(REMEMBER).value
    # Before logging out, a copy of either cookie signs in: the replay below can fail.
    assert signed_in(replay(app, "session", session_cookie))
    assert signed_in(replay(app, REMEMBER, remember_cookie))

    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    for name, value in (("session", session_cookie), (REMEMBER, remember_cookie)):
        thief = replay(app, name, value)
        response = thief.get("/documents")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), name
        assert thief.get("/api/v1/account").status_code == 401  # cookies never open the API


def test_logging_out_ends_the_sessions_on_other_devices(app, make_account):
    user = make_account()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user, remember=True)
    laptop.post("/logout")
    assert not signed_in(phone)
    login(phone, user)
    assert signed_in(phone)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, make_account):
    user = make_account()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user, remember=True)
    remember_cookie = phone.get_cookie(REMEMBER).value
    changed = laptop.post("/settings/password", data={
        "current_password": user.password, "new_password": "a new password 2",
        "confirm_password": "a new password 2"}, follow_redirects=True)
    assert "Other devices have been logged out" in text(changed)
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(replay(app, REMEMBER, remember_cookie))


def test_a_password_reset_ends_sessions_and_revokes_api_tokens(app, client, make_account, api_for, mailbox):
    user = make_account()
    api = api_for(user)
    assert api.get("/account").status_code == 200
    other_device = app.test_client()
    login(other_device, user, remember=True)

    client.post("/password/forgot", data={"email": user.email})
    body = mailbox.last_body(user.email)
    assert "revokes all your API tokens" in body
    path = mailbox.link(user.email, "/password/reset/").split("cmr.test", 1)[1]
    assert "revokes all your API tokens" in text(client.get(path))
    done = client.post(path, data={"password": "new password 1", "confirm": "new password 1"},
                       follow_redirects=True)
    assert "your API tokens are revoked" in text(done)

    assert not signed_in(other_device)
    refused = api.get("/account")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    from cmr_app.extensions import db
    from cmr_app.models import ApiToken
    from sqlalchemy import select
    with app.app_context():
        assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []


def _set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def test_cookies_are_secure_when_the_site_is_https(app_config, make_account):
    for base_url, secure in (("https://cmr.example", True), ("http://cmr.test", False)):
        app = create_app({**app_config, "BASE_URL": base_url})
        with app.app_context():
            from cmr_app.services.catalogue import sync_default_catalogue
            sync_default_catalogue()
        client = app.test_client()
        user = make_account()
        response = client.post("/login", data={"email": user.email, "password": user.password,
                                               "remember": "y"})
        assert response.status_code == 302
        for name in ("session", REMEMBER):
            (header,) = _set_cookie_headers(response, name)
            assert ("; Secure" in header) is secure, (base_url, header)
            assert "HttpOnly" in header


def test_the_remember_cookie_lasts_30_days(client, make_account):
    user = make_account()
    moment = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    with time_machine.travel(moment, tick=False):
        response = client.post("/login", data={"email": user.email, "password": user.password,
                                               "remember": "y"})
    (header,) = _set_cookie_headers(response, REMEMBER)
    expires = next(part.split("=", 1)[1] for part in header.split("; ") if part.startswith("Expires="))
    assert parsedate_to_datetime(expires) == moment + timedelta(days=30)
