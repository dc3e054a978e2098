"""Support access by consent (terms §14, API.md): the owner lets platform support read the
documents and address book for 1–90 days, or ends it at once; admins see them read-only
only while it holds; every look is logged and listed to the owner."""
from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

import pytest
import time_machine

from cmr_app import clock
from cmr_app.extensions import db

from tests.support.conftest import make_editor, signed_in


def _support(admin_client, owner, path="", **kw):
    return admin_client.get(f"/admin/accounts/{owner.company_id}/support{path}", **kw)


def test_the_owner_grants_support_access_for_a_number_of_days(owner_api):
    before = clock.now()
    response = owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    assert response.status_code == 200
    body = response.get_json()
    assert body["enabled"] is True
    expires = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(days=7) <= expires <= clock.now() + timedelta(days=7)
    assert owner_api.get("/account/support-access").get_json() == body


@pytest.mark.parametrize("days", [0, 91, -1, 7.5, "7", True, None, "seven"])
def test_days_outside_1_to_90_are_refused(owner_api, days):
    response = owner_api.put("/account/support-access", json={"enabled": True, "days": days})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "days" in error["details"]
    assert owner_api.get("/account/support-access").get_json() == {"enabled": False, "expires_at": None}


@pytest.mark.parametrize("days", [1, 90])
def test_one_and_ninety_days_are_allowed(owner_api, days):
    assert owner_api.put("/account/support-access", json={"enabled": True, "days": days}).status_code == 200


def test_enabled_must_be_true_or_false(owner_api):
    response = owner_api.put("/account/support-access", json={"enabled": "yes", "days": 7})
    assert response.status_code == 422 and "enabled" in response.get_json()["error"]["details"]


def test_only_the_owner_switches_support_access(app, owner, api_for):
    editor = api_for(make_editor(app, owner))
    response = editor.put("/account/support-access", json={"enabled": True, "days": 7})
    assert response.status_code == 403
    assert editor.get("/account/support-access").get_json()["enabled"] is False


def test_without_consent_admins_see_plan_and_billing_data_only(app, owner, owner_data, admin_client):
    accounts = admin_client.get("/admin/accounts").get_data(as_text=True)
    assert "Spedycja Kowalski" in accounts and "No support consent" in accounts
    for path in ("", "?kind=clients", f"/documents/{owner_data['id']}", f"/documents/{owner_data['id']}.pdf"):
        response = _support(admin_client, owner, path)
        assert response.status_code == 403, path
        page = response.get_data(as_text=True)
        assert "has not allowed support access" in page
        assert owner_data["number"] not in page and "Bakkerij" not in page


def test_with_consent_admins_read_documents_and_address_book(owner, owner_api, owner_data, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 3})
    documents = _support(admin_client, owner)
    assert documents.status_code == 200
    assert owner_data["number"] in documents.get_data(as_text=True)
    seen = {kind: _support(admin_client, owner, f"?kind={kind}").get_data(as_text=True)
            for kind in ("clients", "carriers", "products")}
    assert "Bakkerij de Vries" in seen["clients"]
    assert "Trans-Pol" in seen["carriers"] and "PO 12345" in seen["carriers"]
    assert "Paint 20 l" in seen["products"] and "UN 1263 PAINT, 3, II, (D/E)" in unescape(seen["products"])
    one = _support(admin_client, owner, f"/documents/{owner_data['id']}")
    assert one.status_code == 200 and "Möbelhaus Schäfer GmbH" in one.get_data(as_text=True)
    pdf = _support(admin_client, owner, f"/documents/{owner_data['id']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_the_support_view_is_read_only(owner, owner_api, owner_data, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 3})
    page = _support(admin_client, owner).get_data(as_text=True)
    assert "<form method=\"post\"" not in page.split('class="admin-nav"')[-1]
    for path in ("", f"/documents/{owner_data['id']}"):
        assert admin_client.post(f"/admin/accounts/{owner.company_id}/support{path}").status_code == 405


def test_withdrawing_ends_support_access_at_once(owner, owner_api, owner_data, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 30})
    assert _support(admin_client, owner).status_code == 200
    response = owner_api.put("/account/support-access", json={"enabled": False})
    assert response.status_code == 200 and response.get_json() == {"enabled": False, "expires_at": None}
    assert _support(admin_client, owner).status_code == 403
    assert _support(admin_client, owner, f"/documents/{owner_data['id']}").status_code == 403


def test_consent_ends_by_itself_when_its_days_are_over(owner, owner_api, owner_data, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 2})
    with time_machine.travel(clock.now() + timedelta(days=2, hours=-1), tick=False):
        assert _support(admin_client, owner).status_code == 200
    with time_machine.travel(clock.now() + timedelta(days=2, minutes=1), tick=False):
        assert _support(admin_client, owner).status_code == 403
        assert owner_api.get("/account/support-access").get_json() == {"enabled": False, "expires_at": None}


def test_every_look_is_logged_and_listed_to_the_owner(owner, owner_api, owner_data, admin, admin_client,
                                                       owner_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    _support(admin_client, owner, "?kind=clients")
    _support(admin_client, owner, f"/documents/{owner_data['id']}")
    _support(admin_client, owner, f"/documents/{owner_data['id']}.pdf")
    owner_api.put("/account/support-access", json={"enabled": False})
    _support(admin_client, owner)  # refused: not a look

    items = owner_api.get("/account/support-access/log").get_json()["items"]
    assert [(i["action"], i["who"], i["what"]) for i in items] == [
        ("withdrawn", owner.email, ""),
        ("viewed", admin.email, f"document {owner_data['number']} (PDF)"),
        ("viewed", admin.email, f"document {owner_data['number']}"),
        ("viewed", admin.email, "clients, page 1"),
        ("granted", owner.email, ""),
    ]
    assert all(datetime.fromisoformat(i["at"]) <= clock.now() for i in items)
    assert items[-1]["expires_at"] is not None

    settings = owner_client.get("/settings").get_data(as_text=True)
    section = settings.split('id="support"')[1]
    assert admin.email in section and f"Looked at: document {owner_data['number']}" in section
    assert "Access withdrawn" in section


def test_the_log_pages_with_a_cursor(owner, owner_api, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    for _ in range(4):
        _support(admin_client, owner)
    first = owner_api.get("/account/support-access/log?limit=3").get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = owner_api.get(f"/account/support-access/log?limit=3&cursor={first['next_cursor']}").get_json()
    assert [i["action"] for i in rest["items"]] == ["viewed", "granted"] and rest["next_cursor"] is None
    assert owner_api.get("/account/support-access/log?cursor=abc").status_code == 422
    # Digits of other scripts are digits to str.isdigit, not to int(): refused, not a 500.
    assert owner_api.get("/account/support-access/log?cursor=%C2%B2").status_code == 422
    assert owner_api.get("/account/support-access/log?cursor=%D9%A3").status_code == 422
    # 7.0 days is the whole number 7 in JSON (as the description's "integer" reads it).
    assert owner_api.put("/account/support-access", json={"enabled": True, "days": 7.0}).status_code == 200
    assert owner_api.put("/account/support-access", json={"enabled": True, "days": 7.5}).status_code == 422
    assert owner_api.get("/account/support-access/log?limit=0").status_code == 422


def test_the_log_and_the_consent_are_the_company_s_own(owner, owner_api, make_account, api_for, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    _support(admin_client, owner)
    other = make_account("other@firma.example", company="Inna Firma")
    other_api = api_for(other)
    assert other_api.get("/account/support-access/log").get_json()["items"] == []
    assert other_api.get("/account/support-access").get_json()["enabled"] is False
    assert _support(admin_client, other).status_code == 403


def test_the_support_view_is_for_admins_only(app, owner, owner_api, owner_data, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    owner_client = signed_in(app, owner)
    assert _support(owner_client, owner).status_code == 404
    assert _support(app.test_client(), owner).status_code == 404


def test_an_unknown_account_or_another_company_s_document_is_404(owner, owner_api, make_account, api_for,
                                                                  admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    other = make_account("other@firma.example", company="Inna Firma")
    from tests.conftest import sample_document
    foreign = api_for(other).post("/documents", json=sample_document()).get_json()
    assert admin_client.get("/admin/accounts/999999/support").status_code == 404
    assert admin_client.get("/admin/accounts/x/support").status_code == 404
    assert _support(admin_client, owner, f"/documents/{foreign['id']}").status_code == 404
    assert _support(admin_client, owner, "/documents/99999999999").status_code == 404


# Settings (web)

def test_the_owner_allows_and_withdraws_support_access_in_settings(owner, owner_client, admin_client):
    refused = owner_client.post("/settings/support-access", data={"action": "grant", "days": "91"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/settings#support")
    assert "from 1 to 90" in owner_client.get("/settings").get_data(as_text=True)
    assert _support(admin_client, owner).status_code == 403

    allowed = owner_client.post("/settings/support-access", data={"action": "grant", "days": "14"},
                                follow_redirects=True)
    page = allowed.get_data(as_text=True)
    assert 'data-support-state="on"' in page and "Support access is on until" in page
    assert _support(admin_client, owner).status_code == 200

    withdrawn = owner_client.post("/settings/support-access", data={"action": "withdraw"}, follow_redirects=True)
    assert 'data-support-state="off"' in withdrawn.get_data(as_text=True)
    assert _support(admin_client, owner).status_code == 403


def test_a_member_sees_the_consent_but_cannot_change_it(app, owner, owner_api):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    editor = signed_in(app, make_editor(app, owner))
    page = editor.get("/settings").get_data(as_text=True)
    assert "Support access is on until" in page and "Only the account owner can allow" in page
    editor.post("/settings/support-access", data={"action": "withdraw"})
    assert owner_api.get("/account/support-access").get_json()["enabled"] is True


# Migration 0014

def test_the_early_boolean_becomes_a_consent_that_ends(empty_database):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from cmr_app import create_app
    from tests.conftest import insert_old_company
    app = create_app({"DATABASE_URL": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0010")
        stamp = clock.now() if db.engine.dialect.name == "postgresql" else clock.now().replace(tzinfo=None)
        with db.engine.begin() as conn:
            insert_old_company(conn, stamp)
            conn.execute(text("INSERT INTO companies (id, name, first_name, last_name, tax_id, address,"
                              " postal_code, city, country, timezone, plan_code, registered_at, logo_mime,"
                              " numbering_pattern, numbering_start, default_languages, print_offset_x_mm,"
                              " print_offset_y_mm, support_access, enabled_features) VALUES (2, 'Consenting',"
                              " '', '', '', '', '', '', 'PL', 'Europe/Warsaw', 'free', :t, '', '{seq}', 1, 'pl',"
                              " 0, 0, true, '[]')"), {"t": stamp})
        upgrade()
        from cmr_app.models import Company
        from cmr_app.services import support_access
        old, consenting = db.session.get(Company, 1), db.session.get(Company, 2)
        assert support_access.state(old).enabled is False
        state = support_access.state(consenting)
        assert state.enabled and state.expires_at <= clock.now() + timedelta(days=7)
        assert consenting.blocked_at is None and consenting.blocked_reason == ""
        db.session.remove()
        db.engine.dispose()


def test_the_openapi_document_describes_support_access(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    put = paths["/account/support-access"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    # Days are asked (1-90) only of a consent given: {"enabled": false} ends it whatever else.
    granting = next(b for b in body["anyOf"] if b["properties"]["enabled"] == {"const": True})
    days = granting["properties"]["days"]
    assert granting["required"] == ["days"] and (days["minimum"], days["maximum"]) == (1, 90)
    assert "422" in put["responses"]
    assert "get" in paths["/account/support-access/log"]
