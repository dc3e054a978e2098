"""Login limits per account besides per client, the same time and the same answer for
unknown and known addresses, and registration that does not tell whether an address is
taken (issue 10, item 3)."""
from __future__ import annotations

import re
import time

from cmr_app import create_app


def text(response) -> str:
    return response.get_data(as_text=True)


def post_login(client, email, password, ip="198.51.100.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_failed_logins_to_one_account_are_limited_whichever_client_sends_them(client, make_account):
    victim, bystander = make_account(), make_account()
    # Five clients, one wrong password each: the account's own limit, not the clients'.
    codes = [post_login(client, victim.email, "wrong password", ip=f"203.0.113.{i}").status_code
             for i in range(5)]
    assert codes == [200] * 5
    refused = post_login(client, victim.email.upper(), victim.password, ip="203.0.113.99")
    assert refused.status_code == 429
    assert "Too many failed attempts for this e-mail address" in text(refused)
    assert "Forgot your password?" in text(refused)
    # Another account, from the same clients, is not affected.
    assert post_login(client, bystander.email, bystander.password, ip="203.0.113.1").status_code == 302


def test_successful_logins_do_not_use_up_the_account_limit(app, make_account):
    user = make_account()
    for i in range(8):
        browser = app.test_client()
        assert post_login(browser, user.email, user.password, ip=f"192.0.2.{i}").status_code == 302


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(app_config, make_account):
    for proxies, eleventh in ((0, 429), (1, 200)):
        app = create_app({**app_config, "TRUSTED_PROXIES": proxies})
        client = app.test_client()
        for i in range(10):
            client.post("/login", data={"email": f"guess{i}@example.com", "password": "x"},
                        headers={"X-Forwarded-For": "203.0.113.7"})
        other = client.post("/login", data={"email": "guess@example.com", "password": "x"},
                            headers={"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == eleventh, proxies


def test_an_unknown_address_takes_as_long_as_a_known_one(client, make_account):
    user = make_account()

    times: dict[str, list[float]] = {user.email: [], "nobody-here@example.com": []}
    # Taken in turns, the best of each: a busy moment of the machine slows both alike.
    for i in range(4):
        for n, email in enumerate(times):
            started = time.perf_counter()
            response = post_login(client, email, "wrong password", ip=f"192.0.2.{10 * n + i}")
            times[email].append(time.perf_counter() - started)
            assert "Wrong e-mail or password." in text(response)
    known, unknown = (min(t) for t in times.values())
    # Without the dummy check an unknown address answered about 15 times faster.
    assert unknown > known * 0.5, (known, unknown)


def register(client, email, password="dlugie-haslo-1", ip="198.51.100.5"):
    return client.post("/register", data={"email": email, "password": password, "company": "Nowa Firma",
                                          "accept_terms": "y"}, environ_base={"REMOTE_ADDR": ip})


def test_registering_a_taken_address_answers_as_for_a_new_one(app, make_account, mailbox):
    owner = make_account("zajety@przewozy.pl")
    answers = {}
    for email in ("wolny@przewozy.pl", "Zajety@przewozy.pl"):
        browser = app.test_client()
        response = register(browser, email)
        assert response.status_code == 302 and response.headers["Location"] == "/register/done"
        page = text(browser.get("/register/done")).replace(email.lower(), "ADDRESS")
        page = re.sub(r"<input[^>]*csrf_token[^>]*>", "", page)  # a random token per browser
        answers[email] = page
        # Nobody is signed in by the form, whichever the case.
        assert browser.get("/documents").status_code == 302
    assert answers["wolny@przewozy.pl"] == answers["Zajety@przewozy.pl"]

    # The new address gets its activation link; the owner of the taken one a warning.
    assert "/verify/" in mailbox.last_body("wolny@przewozy.pl")
    warning = mailbox.last_body("zajety@przewozy.pl")
    assert "Someone tried to create a new CMR Online account with your e-mail address" in warning
    assert "http://cmr.test/login" in warning and "http://cmr.test/password/forgot" in warning
    # The existing account is untouched: its password still works, the attempt's does not.
    browser = app.test_client()
    assert post_login(browser, owner.email, "dlugie-haslo-1").status_code == 200
    assert post_login(browser, owner.email, owner.password).status_code == 302


def test_the_screen_after_registration_resends_the_activation(app, client, mailbox):
    register(client, "nowy@przewozy.pl")
    assert len(mailbox.to("nowy@przewozy.pl")) == 1
    page = text(client.get("/register/done"))
    assert "Re-send the activation e-mail" in page
    again = client.post("/register/resend", follow_redirects=True)
    assert "a new link is on its way" in text(again)
    assert len(mailbox.to("nowy@przewozy.pl")) == 2
    # The newest link activates the account and signs in.
    signed = client.get(mailbox.link("nowy@przewozy.pl", "/verify/").split("cmr.test", 1)[1],
                        follow_redirects=True)
    assert "Your e-mail address is confirmed" in text(signed)
    assert client.get("/documents").status_code == 200


def test_a_verified_address_gets_no_activation_from_the_screen(app, client, make_account, mailbox):
    make_account("zajety@przewozy.pl")
    register(client, "zajety@przewozy.pl")
    before = len(mailbox.to("zajety@przewozy.pl"))
    again = client.post("/register/resend", follow_redirects=True)
    assert "a new link is on its way" in text(again)  # the same words as for a new address
    assert len(mailbox.to("zajety@przewozy.pl")) == before


def test_one_address_cannot_be_flooded_with_e_mails(app, make_account, mailbox):
    user = make_account()
    for i in range(5):
        browser = app.test_client()
        assert browser.post("/password/forgot", data={"email": user.email},
                            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}).status_code == 302
    refused = app.test_client().post("/password/forgot", data={"email": user.email},
                                     environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert refused.status_code == 429
    assert "We have already sent several e-mails to this address" in text(refused)
    assert len(mailbox.to(user.email)) == 5


def test_the_new_screens_and_messages_speak_polish_and_german(app, make_account, mailbox):
    owner = make_account("zajety@przewozy.pl")
    with app.test_request_context():
        from cmr_app.extensions import db
        from cmr_app.models import User
        db.session.get(User, owner.id).language = "de"
        db.session.commit()
    polish = app.test_client()
    polish.post("/register", data={"email": "zajety@przewozy.pl", "password": "dlugie-haslo-1",
                                   "company": "X", "accept_terms": "y"}, headers={"Accept-Language": "pl"})
    assert "Sprawdź pocztę" in text(polish.get("/register/done", headers={"Accept-Language": "pl"}))
    assert "Jemand hat versucht, mit Ihrer E-Mail-Adresse" in mailbox.last_body("zajety@przewozy.pl")
    german = app.test_client()
    for i in range(5):
        post_login(german, owner.email, "wrong password", ip=f"192.0.2.{i}")
    refused = german.post("/login", data={"email": owner.email, "password": "x"},
                          headers={"Accept-Language": "de"})
    assert refused.status_code == 429 and "Zu viele fehlgeschlagene Versuche" in text(refused)
