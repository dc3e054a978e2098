"""Settings answers every post with a redirect to its section (post/redirect/get) and
shows the post's messages inside that section; invitations are one per address and
company; an editor cannot change the company's name, tax id and time zone (issue 13,
items 3 and 5)."""
from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select
from webhelpers import input_value, section_messages, settings_post

from cmr_app.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def messages_outside_sections(html: str) -> list[str]:
    root = lxml_html.fromstring(html)
    return [" ".join(el.text_content().split()) for el in root.find_class("flash")
            if not any(a.tag == "section" for a in el.iterancestors())]


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).execution_options(all_tenants=True)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def path_of(link: str) -> str:
    return link.split("cmr.test", 1)[1]


COMPANY = {"name": "Spedycja Test", "first_name": "Jan", "last_name": "Nowak", "tax_id": "7010847517",
           "address": "ul. Portowa 1", "postal_code": "81-001", "city": "Gdynia", "country": "PL",
           "timezone": "Europe/Warsaw", "default_languages.0": "pl", "default_languages.1": "",
           "default_languages.2": "", "print_offset_x_mm": "0", "print_offset_y_mm": "0", "print_scale_pct": "100"}


@pytest.mark.parametrize("url, data, section", [
    ("/settings/account", {"language": "xx"}, "account"),
    ("/settings/password", {"current_password": "nope"}, "account"),
    ("/settings/company", {"name": ""}, "company"),
    ("/settings/users/invite", {"email": "bad", "role": "editor"}, "users"),
    ("/settings/tokens", {"name": "ERP"}, "tokens"),
    ("/settings/numbering", {"numbering_pattern": "X", "action": "preview"}, "numbering"),
    ("/settings/numbering", {"numbering_pattern": "{seq}", "action": "save"}, "numbering"),
    ("/settings/plan", {"plan": "nonsense"}, "plan"),
    ("/settings/order", {"plan": "standard", "action": "quote"}, "billing"),
    ("/settings/support-access", {"action": "grant", "days": "500"}, "support"),
    ("/settings/exports", {}, "export"),
])
def test_every_settings_post_answers_with_a_redirect_to_its_section(client, owner, url, data, section):
    response = client.post(url, data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/settings#{section}")
    page = client.get("/settings")
    assert page.status_code == 200 and f'id="{section}"' in text(page)


def test_a_refused_downgrade_is_told_inside_the_plan_section(client, make_account, login):
    login(make_account(plan="free"))
    settings_post(client, "/settings/features/templates", {"enabled": "1"}, "plan")
    page = settings_post(client, "/settings/plan", {"plan": "free"}, "plan")
    # Templates during the trial moved the account up to Standard, which switched on
    # the features it includes (issue 13 item 4): all three stand in the way of Free.
    assert section_messages(page, "plan") == ["Switch off first: Company logo on the CMR, E-mailing documents, Document templates."]
    assert messages_outside_sections(page) == []
    # Shown once: the next view of the page no longer has it.
    assert section_messages(text(client.get("/settings")), "plan") == []


def test_a_message_is_shown_in_the_section_where_the_user_acted(client, owner):
    page = settings_post(client, "/settings/users/invite", {"email": "anna@example.com", "role": "viewer"}, "users")
    assert section_messages(page, "users") == ["An invitation is on its way to anna@example.com."]
    assert section_messages(page, "company") == [] and messages_outside_sections(page) == []
    page = settings_post(client, "/settings/account", {"language": "en"}, "account")
    assert section_messages(page, "account") == ["Your interface language is saved."]


def test_form_errors_after_the_redirect_keep_what_was_typed(client, owner):
    page = settings_post(client, "/settings/company", {**COMPANY, "tax_id": "123", "city": "Sopot"}, "company")
    block = re.search(r'name="tax_id".*?</div>', page, re.S).group(0)
    assert "NIP" in block and 'class="error"' in block
    assert input_value(page, "tax_id") == "123" and input_value(page, "city") == "Sopot"
    again = text(client.get("/settings"))  # a reload shows the stored data, without the errors
    assert input_value(again, "city") == "" and 'aria-invalid="true"' not in again


def test_an_api_token_is_shown_once_and_a_reload_creates_none(app, client, owner):
    from cmr_app.models import ApiToken
    response = client.post("/settings/tokens", data={"name": "ERP"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings#tokens")
    # The session cookie carries the secret only encrypted.
    cookie = response.headers.get("Set-Cookie", "")
    first = client.get("/settings")
    secret = re.search(r'value="(cmr_[^"]+)"', text(first)).group(1)
    assert secret not in cookie and first.headers["Cache-Control"] == "no-store"
    assert "Copy it now: it is shown only once." in text(first)
    reload = text(client.get("/settings"))
    assert secret not in reload and "shown only once" not in reload
    assert count(app, ApiToken, user_id=owner.id) == 1
    assert app.test_client().get("/api/v1/documents", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


@pytest.mark.parametrize("path, section", [
    ("/settings/tokens", "tokens"), ("/settings/users/invite", "users"), ("/settings/account", "account"),
    ("/settings/company", "company"), ("/settings/plan", "plan"), ("/settings/order", "billing"),
    ("/settings/invitations/1/cancel", "users"), ("/settings/features/templates", "plan"),
])
def test_opening_a_post_only_address_leads_to_its_section(client, owner, path, section):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/settings#{section}")


def test_real_settings_addresses_and_unknown_ones_keep_their_answers(client, owner):
    assert client.get("/settings/nothing-here").status_code == 404
    assert client.get("/settings/logo").status_code == 404  # no logo yet: a GET route, not a redirect
    assert client.get("/settings/calibration.pdf").status_code == 200
    assert client.get("/settings/delete-account").status_code == 200


def test_inviting_the_same_address_twice_sends_the_same_invitation_again(app, client, owner, mailbox):
    from cmr_app.models import Invitation
    settings_post(client, "/settings/users/invite", {"email": "anna@example.com", "role": "viewer"}, "users")
    first = path_of(mailbox.link("anna@example.com", "/invite/"))
    page = settings_post(client, "/settings/users/invite", {"email": "Anna@Example.com", "role": "editor"}, "users")
    assert section_messages(page, "users") == [
        "anna@example.com was already invited: the invitation is sent again with a new link; "
        "the earlier link no longer works."]
    assert count(app, Invitation, email="anna@example.com") == 1
    assert len(mailbox.to("anna@example.com")) == 2
    second = path_of(mailbox.link("anna@example.com", "/invite/"))
    assert second != first
    rows = re.findall(r'<tr class="pending">.*?</tr>', page, re.S)
    assert len(rows) == 1 and "Editor" in rows[0]  # the role of the latest invitation
    gone = app.test_client().get(first, follow_redirects=True)
    assert "This invitation link no longer works" in text(gone)
    invited = app.test_client()
    accepted = invited.post(second, data={"password": "haslo-anny-1", "confirm": "haslo-anny-1"},
                            follow_redirects=True)
    assert "Welcome to Spedycja Test" in text(accepted)
    from cmr_app.models import User
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "anna@example.com")) == "editor"


def test_inviting_a_member_is_refused_with_a_clear_message(app, client, owner, make_member, mailbox):
    member = make_member(owner, "viewer", email="piotr@example.com")
    page = settings_post(client, "/settings/users/invite", {"email": member.email, "role": "editor"}, "users")
    block = re.search(r'name="email".*?</div>', page, re.S).group(0)
    assert "piotr@example.com is already a member of your company." in block
    assert mailbox.to("piotr@example.com") == []
    own = settings_post(client, "/settings/users/invite", {"email": owner.email, "role": "editor"}, "users")
    assert f"{owner.email} is already a member of your company." in own


def test_a_cancelled_invitations_link_says_so_on_the_login_page(app, client, owner, mailbox):
    from cmr_app.models import Invitation
    settings_post(client, "/settings/users/invite", {"email": "ewa@example.com", "role": "viewer"}, "users")
    link = path_of(mailbox.link("ewa@example.com", "/invite/"))
    invitation_id = re.search(r"/settings/invitations/(\d+)/cancel", text(client.get("/settings"))).group(1)
    page = settings_post(client, f"/settings/invitations/{invitation_id}/cancel", None, "users")
    assert section_messages(page, "users") == ["The invitation is cancelled; its link no longer works."]
    assert count(app, Invitation, email="ewa@example.com") == 0
    opened = app.test_client().get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/login")
    login_page = text(app.test_client().get(link, follow_redirects=True))
    assert "This invitation link no longer works: it was cancelled" in login_page
    assert 'name="password"' in login_page


def _set_plan_users(app, owner, users: int) -> None:
    from cmr_app import clock
    from cmr_app.models import Company, Plan
    from cmr_app.services import entitlements
    with app.test_request_context():
        code = entitlements.plan_in_force(db.session.get(Company, owner.company_id)).code
        plan = db.session.get(Plan, code)
        plan.users, plan.updated_at = users, clock.now()
        db.session.commit()


@pytest.mark.parametrize("limit, expected", [
    (1, "W Twoim planie może być 1 użytkownik."),
    (2, "W Twoim planie mogą być 2 użytkownicy."),
    (5, "W Twoim planie może być 5 użytkowników."),
])
def test_the_user_limit_message_has_the_right_plural_in_polish(app, client, owner, make_member, limit, expected):
    for _ in range(limit - 1):
        make_member(owner, "viewer")
    _set_plan_users(app, owner, limit)
    settings_post(client, "/settings/account", {"language": "pl"}, "account")
    page = settings_post(client, "/settings/users/invite", {"email": "nowy@example.com", "role": "viewer"}, "users")
    [message] = section_messages(page, "users")
    assert message.startswith(expected), message


@pytest.mark.parametrize("limit, expected", [(1, "Your plan allows 1 user."), (3, "Your plan allows 3 users.")])
def test_the_user_limit_message_in_english(app, client, owner, make_member, limit, expected):
    for _ in range(limit - 1):
        make_member(owner, "viewer")
    _set_plan_users(app, owner, limit)
    page = settings_post(client, "/settings/users/invite", {"email": "new@example.com", "role": "viewer"}, "users")
    assert section_messages(page, "users") == [expected + " Upgrade to add more."]


def test_an_editor_cannot_change_the_company_name_tax_id_or_time_zone(app, client, make_account, make_member,
                                                                       login):
    from cmr_app.models import Company
    owner = make_account(company="Spedycja Test")
    login(make_member(owner, "editor"))
    page = text(client.get("/settings"))
    for name in ("name", "tax_id"):
        assert re.search(r'<input[^>]*name="%s"[^>]*readonly' % name, page), name
    assert re.search(r'<select id="f-timezone" name="timezone" disabled', page)
    assert "Only the account owner can change this." in page

    for change in ({"name": "Hijacked"}, {"tax_id": "5260250274"}, {"timezone": "Europe/Berlin"}):
        refused = settings_post(client, "/settings/company", {**COMPANY, "tax_id": "", **change}, "company")
        assert section_messages(refused, "company") == [
            "Only the account owner can change the company's name, tax id and time zone."], change
    with app.app_context():
        company = db.session.get(Company, owner.company_id)
        assert (company.name, company.tax_id or "", company.timezone) == ("Spedycja Test", "", "Europe/Warsaw")

    # What the browser sends from the read-only fields (the time zone's select is disabled,
    # so it is not sent): the other data is saved.
    sent = {k: v for k, v in COMPANY.items() if k != "timezone"}
    saved = settings_post(client, "/settings/company", {**sent, "tax_id": "", "city": "Sopot"}, "company")
    assert section_messages(saved, "company") == ["The company data is saved."]
    with app.app_context():
        company = db.session.get(Company, owner.company_id)
        assert company.city == "Sopot" and company.name == "Spedycja Test" and company.timezone == "Europe/Warsaw"


def test_the_owner_changes_the_name_tax_id_and_time_zone(app, client, owner):
    from cmr_app.models import Company
    page = text(client.get("/settings"))
    assert not re.search(r'<input[^>]*name="name"[^>]*readonly', page)
    saved = settings_post(client, "/settings/company", {**COMPANY, "name": "Spedycja Nowa",
                                                        "timezone": "Europe/Berlin"}, "company")
    assert section_messages(saved, "company") == ["The company data is saved."]
    with app.app_context():
        company = db.session.get(Company, owner.company_id)
        assert (company.name, company.tax_id, company.timezone) == ("Spedycja Nowa", "7010847517", "Europe/Berlin")
