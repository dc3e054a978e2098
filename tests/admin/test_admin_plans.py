"""Admins edit the catalogue; the API, the pricing page and `plans sync` follow the edit,
and every change is audited with who, when and the old and new values."""
from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from cmr_app.extensions import db
from tests.admin.conftest import plan_form


def audit_rows(app, code=None):
    from cmr_app.models import PlanAuditEntry
    with app.app_context():
        query = select(PlanAuditEntry).order_by(PlanAuditEntry.id)
        if code:
            query = query.where(PlanAuditEntry.plan_code == code)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def api_plan(api, code):
    return next(p for p in api.get("/plans").get_json()["items"] if p["code"] == code)


def test_an_admins_edit_reaches_the_api_the_pricing_page_and_the_audit(
        app, client, make_admin, login, api_for, make_account, plan_row):
    with time_machine.travel("2026-11-22T09:30:00+00:00", tick=False):
        admin = login(make_admin())
        response = client.post("/admin/plans/standard",
                               data=plan_form(price_per_year="590.00", documents_per_month="200"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/plans/standard")

    plan = plan_row("standard")
    assert plan.price_per_year == Decimal("590.00") and plan.documents_per_month == 200
    assert plan.edited_by_admin is True

    api = api_for(make_account())
    assert api_plan(api, "standard")["price_per_year"] == "590.00"
    assert api_plan(api, "standard")["documents_per_month"] == 200

    page = client.get("/pricing", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "590.00" in page and "200 documents a month" in page

    [entry] = audit_rows(app, "standard")
    assert entry.action == "update"
    assert entry.admin_id == admin.id and entry.admin_email == admin.email
    assert entry.changed_at.isoformat() == "2026-11-22T09:30:00+00:00"
    assert entry.changes == {"price_per_year": ["490.00", "590.00"], "documents_per_month": [150, 200]}


def test_the_plan_page_and_the_history_show_the_change(client, admin):
    client.post("/admin/plans/standard", data=plan_form(price_per_year="590.00"))
    for url in ("/admin/plans/standard", "/admin/history"):
        page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert admin.email in page
        assert "490.00</del>" in page and "590.00</ins>" in page


def test_loading_the_default_catalogue_again_keeps_the_admins_edit(app, client, admin, runner, plan_row):
    client.post("/admin/plans/standard", data=plan_form(price_per_year="590.00", documents_per_month="200"))
    result = runner.invoke(args=["plans", "sync"])
    assert result.exit_code == 0, result.output
    plan = plan_row("standard")
    assert (plan.price_per_year, plan.documents_per_month) == (Decimal("590.00"), 200)


def test_a_price_typed_with_a_decimal_comma_is_understood(client, admin, plan_row):
    response = client.post("/admin/plans/standard", data=plan_form(price_per_year="1 190,50"))
    assert response.status_code == 302
    assert plan_row("standard").price_per_year == Decimal("1190.50")


@pytest.mark.parametrize("price, message", [
    ("abc", "Enter the price as a number"),
    ("-1", "The price cannot be negative"),
    ("", "This field is required"),
    ("490.005", "At most two decimal places"),
])
def test_an_invalid_price_is_shown_under_its_field_and_changes_nothing(app, client, admin, plan_row,
                                                                       price, message):
    response = client.post("/admin/plans/standard", data=plan_form(price_per_year=price, users="7"),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "Nothing was saved" in page
    assert page.count('class="error"') == 1  # one clear message, not a parse and a range error
    assert f'value="{price}"' in page  # what was typed stays in the field
    plan = plan_row("standard")
    assert (plan.price_per_year, plan.users, plan.edited_by_admin) == (Decimal("490.00"), 3, False)
    assert audit_rows(app) == []


@pytest.mark.parametrize("field, value", [
    ("users", "0"), ("users", "x"), ("documents_per_month", "-5"), ("archive_months", "0"),
    ("position", "1.5"), ("name_en", ""), ("features", ["company_logo", "teleportation"]),
])
def test_other_invalid_values_are_refused_field_by_field(app, client, admin, plan_row, field, value):
    response = client.post("/admin/plans/standard", data=plan_form(**{field: value}))
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert plan_row("standard").edited_by_admin is False
    assert audit_rows(app) == []


def test_free_keeps_a_zero_price(app, client, admin, plan_row):
    data = plan_form(name_pl="Free", name_en="Free", name_de="Free", price_per_year="10",
                     documents_per_month="10", users="1", archive_months="3", features=[], position="10")
    response = client.post("/admin/plans/free", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "its price stays 0" in response.get_data(as_text=True)
    assert plan_row("free").price_per_year == Decimal("0.00")


def test_an_empty_archive_means_the_whole_archive(app, client, admin, plan_row):
    client.post("/admin/plans/standard", data=plan_form(archive_months=""))
    assert plan_row("standard").archive_months is None
    [entry] = audit_rows(app)
    assert entry.changes == {"archive_months": [24, None]}


def test_saving_without_changes_writes_no_audit_and_keeps_the_plan_default(app, client, admin, plan_row):
    response = client.post("/admin/plans/standard", data=plan_form(), follow_redirects=True,
                           headers={"Accept-Language": "en"})
    assert "Nothing changed." in response.get_data(as_text=True)
    assert plan_row("standard").edited_by_admin is False
    assert audit_rows(app) == []


def test_feature_checkboxes_change_the_plans_features(app, client, admin, make_account, api_for):
    client.post("/admin/plans/standard",
                data=plan_form(features=["company_logo", "templates", "email_documents", "custom_numbering"]))
    [entry] = audit_rows(app)
    assert entry.changes == {"features": [["company_logo", "email_documents", "templates"],
                                          ["company_logo", "custom_numbering", "email_documents", "templates"]]}
    assert "custom_numbering" in api_plan(api_for(make_account()), "standard")["features"]


def test_an_unknown_plan_is_a_404(client, admin):
    assert client.get("/admin/plans/platinum").status_code == 404
    assert client.post("/admin/plans/platinum", data=plan_form()).status_code == 404


def test_the_admin_area_keeps_csrf_protection(app, client, admin, plan_row):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/admin/plans/standard", data=plan_form(price_per_year="1.00"))
    assert response.status_code in (400, 422)
    assert plan_row("standard").price_per_year == Decimal("490.00")


def test_the_history_lists_the_newest_change_first(client, make_admin, login):
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False) as traveller:
        login(make_admin())
        client.post("/admin/plans/standard", data=plan_form(users="4"))
        traveller.move_to("2026-11-22T10:00:00+00:00")
        client.post("/admin/plans/pro", data=plan_form(
            name_pl="Pro", name_en="Pro", name_de="Pro", price_per_year="1290.00",
            documents_per_month="2000", users="25", archive_months="",
            features=["company_logo", "templates", "email_documents", "custom_numbering"], position="30"))
        page = client.get("/admin/history").get_data(as_text=True)
        plan_page = client.get("/admin/plans/standard").get_data(as_text=True)
    assert page.index("/admin/plans/pro") < page.index("/admin/plans/standard")
    assert "1,290.00" not in plan_page and "1290" not in plan_page  # only this plan's history there
