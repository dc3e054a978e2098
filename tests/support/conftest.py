"""Support access and blocking: an owner and a platform admin, each in their own browser
session (two test clients), and the owner's data for support to look at."""
from __future__ import annotations

import pytest

from cmr_app.extensions import db
from tests.conftest import sample_document

PASSWORD = "correct horse 1"


def signed_in(app, user):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def owner(make_account):
    return make_account("owner@spedycja.example", company="Spedycja Kowalski")


@pytest.fixture
def owner_api(api_for, owner):
    return api_for(owner)


@pytest.fixture
def admin(app, make_account):
    account = make_account("support@cmr.example", company="CMR Online Operator")
    from cmr_app.models import User
    with app.app_context():
        db.session.get(User, account.id).is_admin = True
        db.session.commit()
    return account


@pytest.fixture
def admin_client(app, admin):
    return signed_in(app, admin)


@pytest.fixture
def owner_client(app, owner):
    return signed_in(app, owner)


@pytest.fixture
def owner_data(owner_api):
    """One document and one entry of each address book, as the owner made them."""
    doc = owner_api.post("/documents", json=sample_document()).get_json()
    owner_api.post("/clients", json={"name": "Bakkerij de Vries", "city": "Utrecht", "country": "NL"})
    owner_api.post("/carriers", json={"name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL",
                                      "vehicle_registration": "PO 12345"})
    owner_api.post("/products", json={"name": "Paint 20 l", "nature": "Paint", "packages": 4,
                                      "adr": {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3",
                                              "packing_group": "II", "tunnel_code": "D/E"}})
    return doc


def make_editor(app, owner, email="editor@spedycja.example"):
    from types import SimpleNamespace

    from cmr_app import clock
    from cmr_app.models import User
    from cmr_app.services import accounts
    with app.app_context():
        user = User(company_id=owner.company_id, email=email, password_hash=accounts.hash_password(PASSWORD),
                    role="editor", email_verified_at=clock.now())
        db.session.add(user)
        db.session.commit()
        return SimpleNamespace(id=user.id, company_id=user.company_id, email=user.email, password=PASSWORD)
