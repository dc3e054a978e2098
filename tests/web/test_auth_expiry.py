"""Links that expire and can be sent again, invitations the owner cancels, and the 14-day
rule for an unconfirmed address in the browser and the API (issue 10, item 7; terms §1.6)."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from cmr_app.extensions import db

T0 = "2026-11-01T09:00:00+00:00"
BEFORE_48H = "2026-11-03T08:59:00+00:00"
AFTER_48H = "2026-11-03T09:00:01+00:00"
DAY_15 = "2026-11-15T09:00:01+00:00"


def text(response) -> str:
    return response.get_data(as_text=True)


def path_of(link: str) -> str:
    return link.split("cmr.test", 1)[1]


def register(client, email="ewa@przewozy.pl", password="dlugie-haslo-1", plan=""):
    response = client.post("/register", data={"email": email, "password": password, "plan": plan,
                                              "company": "Przewozy Ewa", "accept_terms": "y"})
    assert response.status_code == 302
    return response


# Activation -------------------------------------------------------------------------

def test_an_activation_link_works_for_48_hours(app, mailbox):
    with time_machine.travel(T0, tick=False):
        register(app.test_client())
    link = path_of(mailbox.link("ewa@przewozy.pl", "/verify/"))
    assert "works for 48 hours" in mailbox.last_body("ewa@przewozy.pl")
    with time_machine.travel(BEFORE_48H, tick=False):
        browser = app.test_client()
        confirmed = browser.get(link, follow_redirects=True)
        assert "Your e-mail address is confirmed" in text(confirmed)
        assert browser.get("/documents").status_code == 200
        # A second use confirms nothing new and signs nobody in.
        again = app.test_client()
        again.get(link)
        assert again.get("/documents").status_code == 302


def test_an_expired_activation_link_says_so_and_a_new_one_is_sent_from_the_screen(app, client, mailbox):
    with time_machine.travel(T0, tick=False):
        register(client)
    first = path_of(mailbox.link("ewa@przewozy.pl", "/verify/"))
    with time_machine.travel(AFTER_48H, tick=False):
        expired = client.get(first, follow_redirects=True)
        assert "This activation link has expired" in text(expired)
        assert "Re-send the activation e-mail" in text(expired)  # back on the screen after registration
        assert client.get("/documents").status_code == 302
        client.post("/register/resend")
        fresh = path_of(mailbox.link("ewa@przewozy.pl", "/verify/"))
        assert fresh != first
        assert "Your e-mail address is confirmed" in text(client.get(fresh, follow_redirects=True))
    with app.app_context():
        from cmr_app.models import User
        user = db.session.scalar(select(User).where(User.email == "ewa@przewozy.pl"))
        assert user.email_verified_at is not None


# Invitations ------------------------------------------------------------------------

def invitation_row(app, email):
    from cmr_app.models import Invitation
    with app.app_context():
        return db.session.scalar(select(Invitation).where(Invitation.email == email)
                                 .execution_options(all_tenants=True))


def test_an_invitation_expires_after_7_days_and_the_owner_sends_it_again(app, client, owner, mailbox):
    client.post("/settings/users/invite", data={"email": "anna@example.com", "role": "editor"})
    first = path_of(mailbox.link("anna@example.com", "/invite/"))
    assert "The link works for 7 days" in mailbox.last_body("anna@example.com")
    invitation = invitation_row(app, "anna@example.com")
    with time_machine.travel(invitation.created_at + timedelta(days=7, minutes=-1), tick=False):
        assert app.test_client().get(first).status_code == 200
        assert "link valid until" in text(client.get("/settings"))
    with time_machine.travel(invitation.created_at + timedelta(days=7, seconds=1), tick=False):
        refused = app.test_client().get(first, follow_redirects=True)
        assert "This invitation has expired" in text(refused)
        settings = text(client.get("/settings"))
        assert "link expired" in settings and "Send again" in settings
        sent = client.post(f"/settings/invitations/{invitation.id}/resend", follow_redirects=True)
        assert "A new invitation is on its way to anna@example.com" in text(sent)
        fresh = path_of(mailbox.link("anna@example.com", "/invite/"))
        assert fresh != first
        assert "This invitation link no longer works" in text(app.test_client().get(first, follow_redirects=True))
        invited = app.test_client()
        accepted = invited.post(fresh, data={"password": "haslo-anny-1", "confirm": "haslo-anny-1"},
                                follow_redirects=True)
        assert "Welcome to Spedycja Test" in text(accepted)


def test_the_owner_cancels_a_pending_invitation(app, client, owner, mailbox):
    client.post("/settings/users/invite", data={"email": "piotr@example.com", "role": "viewer"})
    link = path_of(mailbox.link("piotr@example.com", "/invite/"))
    invitation = invitation_row(app, "piotr@example.com")
    cancelled = client.post(f"/settings/invitations/{invitation.id}/cancel", follow_redirects=True)
    assert "The invitation is cancelled" in text(cancelled)
    assert "piotr@example.com" not in text(client.get("/settings"))
    assert "This invitation link no longer works" in text(app.test_client().get(link, follow_redirects=True))
    assert invitation_row(app, "piotr@example.com") is None


def test_another_company_cannot_touch_an_invitation(app, client, owner, make_account, login, mailbox):
    client.post("/settings/users/invite", data={"email": "piotr@example.com", "role": "viewer"})
    invitation = invitation_row(app, "piotr@example.com")
    before = len(mailbox.to("piotr@example.com"))
    client.post("/logout")
    login(make_account(company="Obca Firma"))
    for action in ("resend", "cancel"):
        response = client.post(f"/settings/invitations/{invitation.id}/{action}", follow_redirects=True)
        assert response.status_code == 404 and "Not found" in text(response)
    assert invitation_row(app, "piotr@example.com") is not None
    assert len(mailbox.to("piotr@example.com")) == before


# The 14-day rule ----------------------------------------------------------------------

def test_after_14_days_unconfirmed_the_account_cannot_commit_to_anything(app, client, mailbox):
    with time_machine.travel(T0, tick=False):
        register(client, plan="standard")
        client.post("/login", data={"email": "ewa@przewozy.pl", "password": "dlugie-haslo-1"})
        assert client.post("/settings/tokens", data={"name": "early"}).status_code == 303
        assert "Copy it now" in text(client.get("/settings"))
    with time_machine.travel(DAY_15, tick=False):
        page = text(client.get("/settings"))
        assert "Your account can only read since" in page and "Re-send the activation e-mail" in page
        for path, data in (("/settings/tokens", {"name": "late"}),
                           ("/settings/plan", {"plan": "free"}),
                           ("/settings/features/custom_numbering", {"enabled": "1"}),
                           ("/settings/users/invite", {"email": "anna@example.com", "role": "editor"})):
            refused = client.post(path, data=data, follow_redirects=True)
            assert "Confirm your e-mail address to save changes" in text(refused), path
        from cmr_app.models import ApiToken, Company, Invitation
        with app.app_context():
            assert [t.name for t in db.session.scalars(select(ApiToken).execution_options(all_tenants=True))] \
                == ["early"]
            assert db.session.scalars(select(Invitation).execution_options(all_tenants=True)).all() == []
            company = db.session.scalars(select(Company)).one()
            assert company.plan_code == "standard"
            assert "custom_numbering" not in (company.enabled_features or [])
        # The way out: a new activation link from the banner lifts the limit.
        client.post("/verify/resend")
        client.get(path_of(mailbox.link("ewa@przewozy.pl", "/verify/")))
        assert client.post("/settings/tokens", data={"name": "late"}).status_code == 303
        assert "“late”. Copy it now" in text(client.get("/settings"))


def test_the_api_answers_403_with_the_reason_after_14_days(app, make_account, api_for, mailbox):
    from tests.billing.conftest import INVOICE_PL
    from tests.conftest import sample_document
    with time_machine.travel(T0, tick=False):
        user = make_account(verified=False, plan="pro")
        api = api_for(user)
    with time_machine.travel(DAY_15, tick=False):
        assert api.get("/account").status_code == 200  # reading goes on
        for method, path, body in (
                ("put", "/account/plan", {"plan": "free"}),
                ("put", "/account/features/custom_numbering", {"enabled": True}),
                ("post", "/orders", {"plan": "standard", "period_months": 12, "invoice": INVOICE_PL}),
                ("post", "/documents", sample_document())):
            response = getattr(api, method)(path, json=body)
            assert response.status_code == 403, (path, response.get_json())
            error = response.get_json()["error"]
            assert error["code"] == "forbidden"
            assert error["message"].startswith("Confirm your e-mail address to save changes")
            assert error["details"]["reason"] == "email_unverified"
            assert error["details"]["restricted_since"].startswith("2026-11-15T09:00:00")
