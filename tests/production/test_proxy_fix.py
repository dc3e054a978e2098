"""Behind a reverse proxy (README "Production"): PROXY_FIX says how many proxies' X-Forwarded-*
headers to believe; unset, a client cannot forge its address with them."""
from __future__ import annotations

import pytest

from cmr_app import create_app


def _failed_logins(client, forwarded_for: str, times: int) -> list[int]:
    # A new address each time: the per-address limit (5 a minute) stays out of the way,
    # so what is counted is the client.
    return [client.post("/login", data={"email": f"nobody{i}-{forwarded_for}@example.com",
                                        "password": "wrong password"},
                        headers={"X-Forwarded-For": forwarded_for}).status_code for i in range(times)]


def test_behind_a_proxy_each_client_has_its_own_login_limit(app_config):
    app = create_app({**app_config, "PROXY_FIX": "x_for=1,x_proto=1,x_host=1"})
    client = app.test_client()
    assert _failed_logins(client, "203.0.113.7", 11)[-1] == 429
    # Another office behind the same proxy is not locked out by the first one.
    assert _failed_logins(client, "198.51.100.9", 1) == [200]


def test_without_the_setting_forwarded_headers_are_not_believed(app_config):
    app = create_app({**app_config, "PROXY_FIX": None})
    client = app.test_client()
    assert _failed_logins(client, "203.0.113.7", 11)[-1] == 429
    # A forged header does not buy another ten attempts.
    assert _failed_logins(client, "198.51.100.9", 1) == [429]


def test_the_scheme_host_and_address_come_from_the_proxy(app_config):
    from flask import request
    app = create_app({**app_config, "PROXY_FIX": "1"})
    app.add_url_rule("/_seen", "seen", lambda: f"{request.remote_addr} {request.url_root}")
    seen = app.test_client().get("/_seen", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "cmr.example.com"})
    assert seen.get_data(as_text=True) == "203.0.113.7 https://cmr.example.com/"


@pytest.mark.parametrize("value", ["yes", "x_for=one", "x_forwarded=1"])
def test_a_wrong_setting_stops_the_start_with_what_to_write(app_config, value):
    with pytest.raises(ValueError, match="number of proxies"):
        create_app({**app_config, "PROXY_FIX": value})
