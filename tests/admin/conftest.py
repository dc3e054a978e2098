"""Admin tests: a platform admin signed in through the login form."""
from __future__ import annotations

import pytest

from cmr_app.extensions import db


@pytest.fixture
def login(client):
    def do(user):
        response = client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user
    return do


@pytest.fixture
def make_admin(app, make_account):
    def make(email: str = "admin@cmr.example", **kw):
        account = make_account(email, company="CMR Online Operator", **kw)
        from cmr_app.models import User
        with app.app_context():
            db.session.get(User, account.id).is_admin = True
            db.session.commit()
        return account
    return make


@pytest.fixture
def admin(make_admin, login):
    return login(make_admin())


@pytest.fixture
def plan_row(app):
    def get(code: str):
        from cmr_app.models import Plan
        with app.app_context():
            plan = db.session.get(Plan, code)
            db.session.expunge(plan)
            return plan
    return get


def plan_form(**overrides) -> dict:
    """Standard as shipped, in the shape the edit form posts."""
    data = {"name_pl": "Standard", "name_en": "Standard", "name_de": "Standard",
            "price_per_year": "490.00", "documents_per_month": "150", "users": "3",
            "archive_months": "24", "features": ["company_logo", "templates", "email_documents"],
            "position": "20"}
    data.update(overrides)
    return data
