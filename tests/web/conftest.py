"""Helpers for the HTML interface tests: signing in through the login form, team
members with a role, switching plan features, and the CMR form as posted by a browser."""
from __future__ import annotations

import pytest

from cmr_app.extensions import db

PASSWORD = "correct horse 1"


@pytest.fixture
def login(client):
    def do(user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user
    return do


@pytest.fixture
def owner(make_account, login):
    return login(make_account(company="Spedycja Test"))


@pytest.fixture
def set_features(app):
    def switch(user, *keys: str):
        from cmr_app.models import Company
        with app.app_context():
            company = db.session.get(Company, user.company_id)
            company.enabled_features = sorted(keys)
            db.session.commit()
    return switch


@pytest.fixture
def usage(app):
    """The quota's count of documents this month for the user's company."""
    def used(user) -> int:
        from cmr_app.models import Company
        from cmr_app.services import quota
        with app.test_request_context():
            return quota.usage(db.session.get(Company, user.company_id)).used
    return used
