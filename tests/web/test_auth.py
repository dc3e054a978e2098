"""Accounts in the browser: registration with a chosen plan, activation, the 14-day rule,
login rate limits, password reset (MISSION.md §1, terms §1.6)."""
from __future__ import annotations

import re

import time_machine

from webhelpers import cmr_form, documents_in_db


def text(response) -> str:
    return response.get_data(as_text=True)


def plan_in_force(page: str) -> str:
    """The plan named in Settings' "Plan in force" line (not just any "Standard" on the page)."""
    [name] = re.findall(r"Plan in force: <strong>([^<]*)</strong>", page)
    return name


def register(client, **fields):
    data = {"email": "ewa@przewozy.pl", "password": "dlugie-haslo-1", "company": "Przewozy Ewa",
            "accept_terms": "y", **fields}
    return client.post("/register", data=data)


def test_registration_remembers_the_plan_and_sends_the_activation_link(app, client, mailbox):
    page = text(client.get("/register?plan=standard"))
    # Every plan to choose from, the one in the link chosen (issue 13 item 4).
    radios = re.findall(r'<input[^>]*name="plan"[^>]*>', page)
    assert [re.search(r'value="(\w+)"', r).group(1) for r in radios] == ["free", "standard", "pro"]
    assert [r for r in radios if " checked" in r] == [r for r in radios if 'value="standard"' in r]
    assert "2,000 documents a month" in page and "10 documents a month" in page  # counts as the locale writes them
    response = register(client, plan="standard")
    assert response.status_code == 302 and response.headers["Location"] == "/register/done"
    assert "We have sent a message to ewa@przewozy.pl" in text(client.get("/register/done"))
    link = mailbox.link("ewa@przewozy.pl", "/verify/")
    # The first confirmation signs the new owner in.
    confirmed = client.get(link.split("cmr.test", 1)[1], follow_redirects=True)
    assert "Your e-mail address is confirmed" in text(confirmed)
    assert "Please confirm your e-mail address" not in text(confirmed)
    assert plan_in_force(text(client.get("/settings"))) == "Standard"


def test_registration_errors_are_shown_on_the_form(client):
    no_terms = register(client, accept_terms="")
    assert no_terms.status_code == 200 and "You must accept the terms of service." in text(no_terms)
    short = register(client, password="short")
    assert "The password needs at least 8 characters." in text(short)
    bad_plan = register(client, plan="gold")
    assert "There is no such plan." in text(bad_plan)
    bad_address = register(client, email="@a.test")
    assert "Enter a valid e-mail address." in text(bad_address)


def test_an_unverified_account_becomes_read_only_after_14_days(app, client, mailbox):
    with time_machine.travel("2026-11-01T09:00:00+00:00", tick=False):
        register(client)
        client.post("/login", data={"email": "ewa@przewozy.pl", "password": "dlugie-haslo-1"})
    with time_machine.travel("2026-11-15T09:00:01+00:00", tick=False):
        refused = client.post("/documents/new", data=cmr_form(), follow_redirects=True)
        assert "Confirm your e-mail address to save changes" in text(refused)
        with app.app_context():
            from cmr_app.models import User
            from cmr_app.extensions import db
            from sqlalchemy import select
            user = db.session.scalar(select(User).where(User.email == "ewa@przewozy.pl"))
            company_id = user.company_id
        assert documents_in_db(app, company_id) == []
        page = text(client.get("/documents"))
        assert "Your account can only read since" in page and "Re-send the activation e-mail" in page
        # The first link is older than 48 hours: it has expired, and the banner sends a new one.
        old = client.get(mailbox.link("ewa@przewozy.pl", "/verify/").split("cmr.test", 1)[1],
                         follow_redirects=True)
        assert "This activation link has expired" in text(old)
        assert client.post("/verify/resend", headers={"Referer": "http://localhost/documents"}
                           ).headers["Location"] == "/documents"
        client.get(mailbox.link("ewa@przewozy.pl", "/verify/").split("cmr.test", 1)[1])
        saved = client.post("/documents/new", data=cmr_form())
        assert saved.status_code == 302
        assert len(documents_in_db(app, company_id)) == 1


def test_login_is_rate_limited_per_client_address(client, make_account):
    make_account()
    # Ten different addresses from one client: the eleventh try is refused whatever it names.
    codes = [client.post("/login", data={"email": f"guess{i}@example.com", "password": "wrong password"}).status_code
             for _ in range(1) for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert "Too many attempts" in text(client.post("/login", data={"email": "x@example.com", "password": "x"}))


def test_wrong_password_says_so_without_telling_which_part(client, make_account):
    user = make_account()
    page = text(client.post("/login", data={"email": user.email, "password": "wrong password"}))
    assert "Wrong e-mail or password." in page
    page = text(client.post("/login", data={"email": "nobody@example.com", "password": "wrong password"}))
    assert "Wrong e-mail or password." in page


def test_password_reset_by_emailed_link_works_once(client, make_account, mailbox):
    user = make_account()
    response = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    assert "a link to set a new password is on its way" in text(response)
    client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert mailbox.to("nobody@example.com") == []
    path = mailbox.link(user.email, "/password/reset/").split("cmr.test", 1)[1]
    mismatch = client.post(path, data={"password": "new password 1", "confirm": "other"})
    assert "The passwords differ." in text(mismatch)
    assert client.post(path, data={"password": "new password 1", "confirm": "new password 1"}).status_code == 302
    client.post("/logout")
    again = client.post(path, data={"password": "third password", "confirm": "third password"},
                        follow_redirects=True)
    assert "already been used" in text(again)
    assert client.post("/login", data={"email": user.email, "password": "new password 1"}).status_code == 302


def test_a_reset_link_expires_after_an_hour(client, make_account, mailbox):
    user = make_account()
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        client.post("/password/forgot", data={"email": user.email})
    path = mailbox.link(user.email, "/password/reset/").split("cmr.test", 1)[1]
    with time_machine.travel("2026-11-21T11:00:05+00:00", tick=False):
        expired = client.post(path, data={"password": "new password 1", "confirm": "new password 1"},
                              follow_redirects=True)
    assert "expired" in text(expired)


def test_the_language_switch_is_remembered_for_the_user(client, owner):
    client.post("/language/de", data={"next": "/documents"})
    client.post("/logout")
    client.post("/login", data={"email": owner.email, "password": "correct horse 1"})
    assert 'lang="de"' in text(client.get("/documents"))
