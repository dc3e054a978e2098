"""Bounds on input (ASVS V5.1): control characters, bidi overrides and (in single-line
fields) line breaks refused with a message naming the field; hostile URLs, deep JSON,
oversized bodies and oversized forms answered with a 4xx, never a 500."""
from __future__ import annotations

import time

import pytest

from tests.conftest import sample_document
from tests.web.webhelpers import cmr_form, documents_in_db

CONTROL = "Remove the invisible control characters"
SINGLE_LINE = "single line"


def details(response) -> dict:
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]["details"]


@pytest.mark.parametrize("value", ["Meble\x00Kowalski", "Meble\x07", "Meble\x7f", "Meble\x9b",
                                   "Meble \u202eiksw\u202c", "Meble \u2066x\u2069", "Meble\ud800"])
def test_control_and_bidi_characters_are_refused_naming_the_field(api, value):
    response = api.post("/documents", json=sample_document(sender={"name": value, "country": "PL"}))
    assert response.status_code == 422
    assert "sender.name" in details(response)
    response = api.post("/clients", json={"name": "Ok", "city": value})
    assert response.status_code == 422 and "city" in details(response)
    assert api.get("/documents").get_json()["items"] == []


def test_a_nul_anywhere_in_the_body_is_a_422_even_in_ignored_fields(api):
    response = api.post("/documents", json=sample_document(goods=[{"nature": "Paint", "note\x00": "x"}]))
    assert response.status_code == 422
    response = api.post("/documents", json=sample_document(extra={"deep": ["ok", "bad\x00"]}))
    assert response.status_code == 422 and "extra.deep.1" in details(response)
    response = api.put("/account/plan", json={"plan": "pro\x00"})
    assert response.status_code == 422 and "plan" in details(response)


def test_line_breaks_only_in_multi_line_boxes(api):
    response = api.post("/documents", json=sample_document(consignee={"name": "A\nB"}))
    assert response.status_code == 422
    assert any(SINGLE_LINE in m for m in details(response)["consignee.name"])
    ok = api.post("/documents", json=sample_document(sender_instructions="Keep dry.\r\nDo not stack.\tThanks"))
    assert ok.status_code == 201
    assert ok.get_json()["sender_instructions"] == "Keep dry.\r\nDo not stack.\tThanks"
    response = api.post("/documents", json=sample_document(sender_instructions="Keep\x00dry"))
    assert response.status_code == 422 and "sender_instructions" in details(response)


def test_hostile_urls_are_4xx(client, api):
    assert client.get("/d/%00").status_code == 404
    assert client.get("/d/%00.pdf").status_code == 404
    assert client.get("/d/abc%00def").status_code == 404
    assert client.get("/login?next=/%00/x").status_code == 400
    assert client.get("/documents?q=%00").status_code == 400
    response = api.get("/documents?q=%00")
    assert response.status_code == 400 and details(response) == {}
    assert api.get("/documents/%00").status_code == 404


@pytest.mark.parametrize("depth", [17, 1000, 100_000])
def test_deeply_nested_json_is_a_400_with_the_error_object(api, depth):
    body = '{"sender": ' + "[" * depth + "]" * depth + "}"
    response = api.client.post("/api/v1/documents", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400
    assert "nests" in response.get_json()["error"]["message"]


def test_a_body_over_the_limit_is_a_413(api, client, owner_session):
    big = '{"name": "' + "x" * (5 * 1024 * 1024) + '"}'
    response = api.client.post("/api/v1/clients", data=big, content_type="application/json",
                               headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    page = client.post("/book/clients/new", data={"name": "x" * (5 * 1024 * 1024)})
    assert page.status_code == 413
    assert "too large" in page.get_data(as_text=True)


def test_a_multipart_part_without_a_name_is_a_400_not_a_500(api, client, owner_session):
    """Found by Schemathesis on the import endpoint: a part whose Content-Disposition names
    nothing reaches the form with no key."""
    body = (b'--b\r\nContent-Disposition: form-data\r\n\r\n1.3\r\n'
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n\r\nname\nA\r\n--b--\r\n')
    response = api.client.post("/api/v1/clients/import", data=body, content_type="multipart/form-data; boundary=b",
                               headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400 and response.get_json()["error"]["message"] == "A part of the form has no name."
    page = client.post("/book/clients/import", data=body, content_type="multipart/form-data; boundary=b")
    assert page.status_code == 400 and "A part of the form has no name." in page.get_data(as_text=True)
    assert api.get("/clients").get_json()["items"] == []


@pytest.fixture
def owner_session(client, make_account):
    owner = make_account(company="Spedycja Test")
    assert client.post("/login", data={"email": owner.email, "password": owner.password}).status_code == 302
    return owner


def test_the_cmr_form_shows_the_message_under_the_field(app, client, owner_session):
    response = client.post("/documents/new", data=cmr_form(**{"sender.name": "Meble\x00", "goods.1.nature": "P\u202eaint",
                                                             "consignee.city": "Ber\nlin"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count(CONTROL) >= 2 and SINGLE_LINE in html
    assert documents_in_db(app, owner_session.company_id) == []
    response = client.post("/book/carriers/new", data={"name": "Trans\x01Pol", "country": "PL"})
    assert response.status_code == 422 and CONTROL in response.get_data(as_text=True)


def test_a_line_break_in_the_company_name_is_refused_and_not_saved(app, client, owner_session):
    settings = client.get("/settings").get_data(as_text=True)
    assert "Spedycja Test" in settings
    response = client.post("/settings/company", data={"name": "Spedycja\r\nTest Bcc: x@evil.test", "country": "PL",
                                                      "timezone": "Europe/Warsaw", "default_languages.0": "pl"})
    assert response.status_code == 303  # post/redirect/get: the page shows the field's error
    assert SINGLE_LINE in client.get("/settings").get_data(as_text=True)
    with app.app_context():
        from cmr_app.extensions import db
        from cmr_app.models import Company
        assert db.session.get(Company, owner_session.company_id).name == "Spedycja Test"


def test_registration_refuses_a_line_break_in_the_company_name(client):
    response = client.post("/register", data={"email": "nowy@example.com", "password": "bezpieczne-1",
                                              "company": "Nowa\nFirma", "accept_terms": "y"})
    assert SINGLE_LINE in response.get_data(as_text=True)
    assert client.post("/login", data={"email": "nowy@example.com", "password": "bezpieczne-1"}).status_code != 302


def test_other_forms_refuse_control_characters_with_a_page_naming_the_field(client, owner_session, app):
    response = client.post("/settings/users/invite", data={"email": "a@b.pl\x00", "role": "editor"})
    assert response.status_code == 400 and "“email”" in response.get_data(as_text=True)
    response = client.post("/settings/users/invite", data={"email": "a@b.pl\nBcc: c@d.pl", "role": "editor"})
    assert response.status_code == 303
    with app.app_context():
        from sqlalchemy import select

        from cmr_app.extensions import db
        from cmr_app.models import Invitation
        assert db.session.scalars(select(Invitation)).all() == []


def test_ten_thousand_goods_lines_are_refused_quickly(app, client, owner_session):
    form = cmr_form()
    for i in range(10_000):
        form[f"goods.{i}.nature"] = f"Line {i}"
    started = time.monotonic()
    response = client.post("/documents/new", data=form)
    elapsed = time.monotonic() - started
    assert response.status_code == 413  # more inputs than any real form has
    assert elapsed < 3
    form = cmr_form()
    for i in range(501):
        form[f"goods.{i}.nature"] = f"Line {i}"
    started = time.monotonic()
    response = client.post("/documents/new", data=form)
    elapsed = time.monotonic() - started
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "at most 500 goods lines" in html and "had 501" in html
    assert elapsed < 2 and len(response.data) < 50_000
    assert documents_in_db(app, owner_session.company_id) == []


def test_the_cli_refuses_what_the_forms_refuse_in_a_company_name(runner):
    for company, message in (("Nowa\nFirma", SINGLE_LINE), ("Nowa\x00Firma", CONTROL), ("F" * 201, "At most 200")):
        result = runner.invoke(args=["accounts", "create", "--email", "cli@example.com",
                                     "--password", "bezpieczne-1", "--company", company])
        assert result.exit_code != 0 and message in result.output, result.output


def test_a_weight_beyond_the_columns_range_is_a_field_error_not_a_500(api):
    # Numeric(12, 3) on PostgreSQL: 2147483648 kg would overflow at save.
    response = api.post("/products", json={"name": "Paint", "gross_weight_kg": "2147483648"})
    assert response.status_code == 422
    assert "gross_weight_kg" in response.get_json()["error"]["details"]
    assert api.post("/products", json={"name": "Paint", "gross_weight_kg": "999999999.999"}).status_code == 201
