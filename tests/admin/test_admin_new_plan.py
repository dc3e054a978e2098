"""Admins add plans: a unique code of lowercase letters, digits and dashes; the new plan
is on the pricing page and can be chosen at registration."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cmr_app.extensions import db
from tests.admin.conftest import plan_form


def new_plan(**overrides):
    return plan_form(code="business-5", name_pl="Biznes", name_en="Business", name_de="Business",
                     price_per_year="2490", documents_per_month="5000", users="50", archive_months="",
                     features=["company_logo", "templates", "email_documents", "custom_numbering"],
                     position="40", **overrides)


def test_a_new_plan_is_created_audited_and_offered(app, client, admin):
    response = client.post("/admin/new-plan", data=new_plan())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/plans/business-5")

    from cmr_app.models import Plan, PlanAuditEntry
    with app.app_context():
        plan = db.session.get(Plan, "business-5")
        assert plan.names == {"pl": "Biznes", "en": "Business", "de": "Business"}
        assert (plan.price_per_year, plan.archive_months, plan.edited_by_admin) == (Decimal("2490.00"), None, True)
        entry = db.session.scalar(select(PlanAuditEntry))
        assert (entry.action, entry.plan_code, entry.admin_email) == ("create", "business-5", admin.email)
        assert entry.changes["price_per_year"] == [None, "2490.00"]

    page = client.get("/pricing", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Business" in page


def test_the_new_plan_can_be_chosen_at_registration(app, client, admin):
    client.post("/admin/new-plan", data=new_plan())
    client.post("/logout")
    page = client.get("/pricing").get_data(as_text=True)
    assert 'href="/register?plan=business-5"' in page
    response = client.post("/register?plan=business-5",
                           data={"email": "new@firma.example", "password": "correct horse 1",
                                 "company": "Nowa Firma", "plan": "business-5", "accept_terms": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    from cmr_app.models import User
    from cmr_app.services import entitlements
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == "new@firma.example"))
        assert user.company.plan_code == "business-5"
        assert entitlements.plan_in_force(user.company).documents_per_month == 5000


@pytest.mark.parametrize("code, message", [
    ("", "This field is required"),
    ("Business", "Lowercase letters"),
    ("bus iness", "Lowercase letters"),
    ("-business", "Lowercase letters"),
    ("business--5", "Lowercase letters"),
    ("standard", "exists already"),
    ("x" * 33, "Field cannot be longer than 32 characters"),
])
def test_a_new_plan_needs_a_fresh_well_formed_code(app, client, admin, code, message):
    response = client.post("/admin/new-plan", data=new_plan() | {"code": code},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    from cmr_app.models import Plan
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Plan.code))) == 3
