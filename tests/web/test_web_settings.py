"""The Settings tab: account, company, users, API tokens, numbering, danger zone."""
from __future__ import annotations

import re

from webhelpers import cmr_form, documents_in_db, input_value, section_messages, settings_post

from cmr_app.extensions import db


def company_of(app, user):
    from sqlalchemy.orm import undefer
    from cmr_app.models import Company
    with app.app_context():  # the logo is deferred: loaded now, before the row is detached
        company = db.session.get(Company, user.company_id, options=[undefer(Company.logo)])
        if company is not None:
            db.session.expunge(company)
        return company


def test_the_settings_page_has_every_section(client, owner):
    html = client.get("/settings").get_data(as_text=True)
    for anchor in ("account", "company", "users", "tokens", "numbering", "plan", "danger"):
        assert f'id="{anchor}"' in html


def test_inviting_an_employee_sends_the_email(app, client, owner, mailbox):
    bad = settings_post(client, "/settings/users/invite", {"email": "not-an-address", "role": "editor"}, "users")
    block = re.search(r'name="email".*?</div>', bad, re.S).group(0)
    assert "Enter a valid e-mail address." in block and 'value="not-an-address"' in block

    response = client.post("/settings/users/invite", data={"email": "Anna@Example.com", "role": "viewer"},
                           follow_redirects=True)
    assert "An invitation is on its way to anna@example.com" in response.get_data(as_text=True)
    link = mailbox.link("anna@example.com", "/invite/")
    assert "Spedycja Test" in mailbox.last_body("anna@example.com")
    assert "anna@example.com" in client.get("/settings").get_data(as_text=True)  # pending invitation

    client.post("/logout")
    path = link.split("cmr.test", 1)[1]
    accepted = client.post(path, data={"password": "another pass 1", "confirm": "another pass 1"})
    assert accepted.status_code == 302
    from cmr_app.services import accounts
    with app.app_context():
        assert [u.role for u in accounts.company_users(owner.company_id)] == ["owner", "viewer"]


def test_an_editor_cannot_invite_or_change_roles(app, client, make_account, make_member, login):
    owner = make_account()
    viewer = make_member(owner, "viewer")
    login(make_member(owner, "editor"))
    page = client.get("/settings").get_data(as_text=True)
    assert "Only the account owner invites users" in page and "Send invitation" not in page
    refused = settings_post(client, "/settings/users/invite", {"email": "x@example.com", "role": "editor"}, "users")
    assert section_messages(refused, "users") == ["Only the account owner can do this."]
    followed = client.post(f"/settings/users/{viewer.id}/role", data={"role": "owner"}, follow_redirects=True)
    assert "Only the account owner can do this." in followed.get_data(as_text=True)
    from cmr_app.models import User
    with app.app_context():
        assert db.session.get(User, viewer.id).role == "viewer"


def test_the_owner_changes_a_role_and_removes_a_user(app, client, owner, make_member):
    member = make_member(owner, "viewer")
    client.post(f"/settings/users/{member.id}/role", data={"role": "editor"})
    from cmr_app.models import User
    with app.app_context():
        assert db.session.get(User, member.id).role == "editor"
    page = client.post(f"/settings/users/{owner.id}/role", data={"role": "viewer"}, follow_redirects=True)
    assert "You cannot take the owner role from yourself." in page.get_data(as_text=True)
    client.post(f"/settings/users/{member.id}/remove")
    with app.app_context():
        assert db.session.get(User, member.id) is None


def test_an_api_token_is_shown_once_and_can_be_revoked(app, client, owner):
    response = client.post("/settings/tokens", data={"name": "ERP"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings#tokens")
    assert "cmr_" not in response.get_data(as_text=True)
    shown = client.get("/settings")
    html = shown.get_data(as_text=True)
    secret = re.search(r'value="(cmr_[^"]+)"', html).group(1)
    assert shown.headers["Cache-Control"] == "no-store"

    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/documents", headers=headers).status_code == 200

    listing = client.get("/settings").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", listing).group(1)
    client.post(f"/settings/tokens/{token_id}/revoke")
    assert api.get("/api/v1/documents", headers=headers).status_code == 401
    assert "/settings/tokens/" not in client.get("/settings").get_data(as_text=True)


def test_numbering_pattern_is_validated_and_needs_the_feature(app, client, owner, set_features):
    bad = settings_post(client, "/settings/numbering", {"numbering_pattern": "CMR/{MM}", "numbering_start": "1",
                                                         "action": "preview"}, "numbering")
    block = re.search(r'name="numbering_pattern".*?</div>', bad, re.S).group(0)
    assert "Use {seq} once" in block and 'value="CMR/{MM}"' in block

    preview = settings_post(client, "/settings/numbering", {"numbering_pattern": "CMR-{seq:4}/{YYYY}",
                                                             "numbering_start": "120", "action": "preview"})
    assert re.search(r'class="preview">CMR-0120/\d{4}', preview)
    assert input_value(preview, "numbering_start") == "120"

    refused = settings_post(client, "/settings/numbering", {"numbering_pattern": "CMR-{seq:4}/{YYYY}",
                                                             "numbering_start": "120", "action": "save"}, "numbering")
    assert any("Custom numbering" in m for m in section_messages(refused, "numbering"))
    assert company_of(app, owner).numbering_pattern == "{YYYY}/{MM}/{seq:05}"

    set_features(owner, "custom_numbering")
    saved = client.post("/settings/numbering", data={"numbering_pattern": "CMR-{seq:4}/{YYYY}",
                                                     "numbering_start": "120", "action": "save"})
    assert saved.status_code == 303
    client.post("/documents/new", data=cmr_form())
    [doc] = documents_in_db(app, owner.company_id)
    assert re.fullmatch(r"CMR-0120/\d{4}", doc.number)


def test_company_data_with_an_invalid_nip_and_then_valid(app, client, owner):
    data = {"name": "Spedycja Test", "first_name": "Jan", "last_name": "Nowak", "tax_id": "123",
            "address": "ul. Portowa 1", "postal_code": "81-001", "city": "Gdynia", "country": "PL",
            "timezone": "Europe/Warsaw", "default_languages.0": "pl", "default_languages.1": "de",
            "default_languages.2": "", "print_offset_x_mm": "1,5", "print_offset_y_mm": "-2"}
    html = settings_post(client, "/settings/company", data, "company")
    block = re.search(r'name="tax_id".*?</div>', html, re.S).group(0)
    assert 'class="error"' in block and "NIP" in block
    assert input_value(html, "city") == "Gdynia"

    assert client.post("/settings/company", data={**data, "tax_id": "PL 701-084-75-17"}).status_code == 303
    company = company_of(app, owner)
    assert company.tax_id == "7010847517" and company.city == "Gdynia"
    assert company.default_languages == "pl,de"
    assert str(company.print_offset_x_mm) == "1.5" and str(company.print_offset_y_mm) == "-2.0"
    new_form = client.get("/documents/new").get_data(as_text=True)
    assert input_value(new_form, "established.place") == "Gdynia"


def test_the_printers_scale_is_saved_and_checked(app, client, owner):
    data = {"name": "Spedycja Test", "country": "PL", "timezone": "Europe/Warsaw", "default_languages.0": "pl",
            "print_offset_x_mm": "0", "print_offset_y_mm": "0", "print_scale_pct": "120"}
    bad = settings_post(client, "/settings/company", data, "company")
    block = re.search(r'name="print_scale_pct".*?</div>', bad, re.S).group(0)
    assert "Between 90 and 110 %" in block
    assert client.post("/settings/company", data={**data, "print_scale_pct": "98,5"}).status_code == 303
    assert str(company_of(app, owner).print_scale_pct) == "98.50"
    calibration = client.get("/settings/calibration.pdf").data
    assert b"/PrintScaling /None" in calibration
    from tests.pdf_helpers import pdf_pages_text
    assert "scale = 98.50 %" in pdf_pages_text(calibration)[0]


def test_a_viewer_sees_read_only_company_settings(client, make_account, make_member, login):
    owner = make_account()
    login(make_member(owner, "viewer"))
    html = client.get("/settings").get_data(as_text=True)
    assert '<fieldset class="plain" disabled>' in html
    assert "Delete account" not in html
    refused = client.post("/settings/company", data={"name": "Hijacked"}, follow_redirects=True)
    assert "Your role allows reading only." in refused.get_data(as_text=True)


def test_logo_upload_accepts_png_and_refuses_other_files(app, client, owner):
    import io
    from PIL import Image
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    refused = settings_post(client, "/settings/logo", {"logo": (io.BytesIO(b"GIF89a...."), "logo.png")},
                            "company", content_type="multipart/form-data")
    assert "Choose a PNG or JPEG file." in re.search(r'name="logo".*?</div>', refused, re.S).group(0)
    # Starting like a PNG is not being one: the file is decoded, and this one is refused.
    looks_like = settings_post(client, "/settings/logo", {"logo": (io.BytesIO(fake_png), "logo.png")},
                               "company", content_type="multipart/form-data")
    assert "Choose a PNG or JPEG file." in looks_like
    assert company_of(app, owner).logo is None
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (20, 90, 200)).save(buffer, "PNG")
    png = buffer.getvalue()
    too_big = settings_post(client, "/settings/logo", {"logo": (io.BytesIO(png + b"0" * 1024 * 1024), "logo.png")},
                            "company", content_type="multipart/form-data")
    assert "at most 1 MB" in too_big
    client.post("/settings/logo", data={"logo": (io.BytesIO(png), "logo.png")}, content_type="multipart/form-data")
    company = company_of(app, owner)
    assert company.logo_mime == "image/png"
    assert Image.open(io.BytesIO(company.logo)).size == (120, 60)
    assert client.get("/settings/logo").data == company.logo


def test_language_and_password_changes(app, client, owner):
    client.post("/settings/account", data={"language": "de"})
    from cmr_app.models import User
    with app.app_context():
        assert db.session.get(User, owner.id).language == "de"
    wrong = settings_post(client, "/settings/password", {"current_password": "nope", "new_password": "new password 2",
                                                          "confirm_password": "new password 2"}, "account")
    assert 'class="error"' in wrong and "new password 2" not in wrong  # passwords are never kept
    ok = client.post("/settings/password", data={"current_password": "correct horse 1",
                                                 "new_password": "new password 2",
                                                 "confirm_password": "new password 2"})
    assert ok.status_code == 303
    assert client.get("/settings").status_code == 200  # this session continues


def test_deleting_the_account_needs_the_company_name(app, client, owner):
    page = client.get("/settings/delete-account").get_data(as_text=True)
    assert "Type the company name to confirm" in page
    wrong = client.post("/settings/delete-account", data={"company_name": "spedycja"})
    assert wrong.status_code == 303 and company_of(app, owner) is not None
    assert "Type the company name exactly as shown." in client.get(wrong.headers["Location"]).get_data(as_text=True)
    assert "Type the company name exactly as shown." not in client.get("/settings/delete-account").get_data(as_text=True)
    gone = client.post("/settings/delete-account", data={"company_name": "Spedycja Test"})
    assert gone.status_code == 303 and "/login" in gone.headers["Location"]
    assert company_of(app, owner) is None
    assert client.get("/documents").status_code == 302  # logged out


def test_form_names_become_the_api_shape_and_errors_map_back():
    from cmr_app.web.common import is_blank, parse_form, remap_errors
    data, origins = parse_form([("goods.0.nature", ""), ("goods.0.adr.class", ""), ("goods.2.nature", "Paint"),
                                ("goods.2.packages", ""), ("sender.name", "A"), ("csrf_token", "x")],
                               compact={"goods": is_blank})
    assert data == {"goods": [{"nature": "Paint", "packages": None}], "sender": {"name": "A"}}
    assert remap_errors({"goods.0.packages": ["bad"]}, origins) == {"goods.2.packages": ["bad"]}


def test_a_numbering_pattern_whose_numbers_could_pass_80_characters_is_refused(app, client, owner, set_features):
    """Issue 12 item 7: the longest number is printed in full at 6 pt; a padding such as
    {seq:99} would make numbers longer than the document's number holds (80)."""
    set_features(owner, "custom_numbering")
    for pattern in ("{seq:99}", "CMR/WAREHOUSE-KRAKOW-NOWA-HUTA/{YYYY}/{MM}/{DD}/{seq:50}"):
        bad = settings_post(client, "/settings/numbering", {"numbering_pattern": pattern, "numbering_start": "1",
                                                             "action": "save"}, "numbering")
        block = re.search(r'name="numbering_pattern".*?</div>', bad, re.S).group(0)
        assert "could have more than 80 characters" in block
    assert company_of(app, owner).numbering_pattern == "{YYYY}/{MM}/{seq:05}"
    # 60 characters with a ten-digit sequence stay within 80: accepted.
    ok = "CMR/WAREHOUSE-KRAKOW-NOWA-HUTA/BRANCH-7/{YYYY}/{MM}/{seq:10}"
    assert len(ok) <= 60
    saved = client.post("/settings/numbering", data={"numbering_pattern": ok, "numbering_start": "1",
                                                     "action": "save"})
    assert saved.status_code == 303
    assert company_of(app, owner).numbering_pattern == ok
