"""PAYMENT_PROVIDER (API.md): the fake provider answers only where it is set to `fake`.
Unset, as in production without a provider: bank transfer only, booked by an admin, and
every fake route is 404 (issue 10: anyone with a pro-forma link could pay with it)."""
from __future__ import annotations

import json

import pytest

from cmr_app import create_app
from tests.billing.conftest import INVOICE_PL


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAYMENT_PROVIDER": None}


@pytest.fixture
def ordered(make_account, api_for):
    api = api_for(make_account(plan="free"))
    response = api.post("/orders", json={"plan": "standard", "period_months": 12, "invoice": INVOICE_PL})
    assert response.status_code == 201, response.get_json()
    return api, response.get_json()["proforma"]


@pytest.fixture
def login_form(client):
    def do(user):
        assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
        return user
    return do


def _token(proforma) -> str:
    return proforma["pdf_url"].rsplit("/", 1)[1].removesuffix(".pdf")


def test_without_a_provider_the_fake_checkout_is_404_and_pays_nothing(app, client, ordered):
    api, proforma = ordered
    token = _token(proforma)
    assert client.get(f"/pay/fake/{token}").status_code == 404
    assert client.post(f"/pay/fake/{token}", data={"action": "pay"}).status_code == 404
    assert api.get("/account").get_json()["subscription"] is None
    assert api.get("/account").get_json()["plan"]["code"] == "free"
    assert [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"] == []
    assert client.get(f"/billing/{token}.pdf").status_code == 200  # the pro-forma itself stays reachable


def test_without_a_provider_even_a_correctly_signed_notification_is_404(app, client, ordered):
    api, proforma = ordered
    from cmr_app.services.payments import provider, refused_events
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"], "transaction_id": "T-1"}).encode()
    with app.app_context():
        signature = provider("fake").sign(body)
    response = client.post("/payments/fake/notify", data=body, headers={"X-Signature": signature})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.get("/account").get_json()["subscription"] is None
    with app.app_context():
        assert refused_events() == []


def test_without_a_provider_the_page_offers_bank_transfer_only(client, make_account, login_form):
    login_form(make_account(plan="free"))
    order = {"plan": "standard", "period_months": "12", "promo_code": "", "payment_method": "transfer",
             "action": "order", **{f"invoice.{k}": v for k, v in INVOICE_PL.items()}}
    assert client.post("/settings/order", data=order).status_code == 303
    page = client.get("/settings").get_data(as_text=True)
    assert "Transfer to" in page and "Pay online" not in page and "/pay/fake/" not in page
    assert 'value="card"' not in page
    card = client.post("/settings/order", data={**order, "payment_method": "card"})
    assert card.status_code == 303 and card.headers["Location"].endswith("/settings#billing")
    assert "Card payment is not available: choose bank transfer." in client.get("/settings").get_data(as_text=True)


def test_without_a_provider_the_api_refuses_card_orders(make_account, api_for):
    api = api_for(make_account(plan="free"))
    response = api.post("/orders", json={"plan": "standard", "period_months": 12, "payment_method": "card",
                                         "invoice": INVOICE_PL})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["payment_method"] == [
        "Card payment is not available: choose bank transfer."]


def test_without_a_provider_an_admin_still_books_the_transfer(ordered, runner):
    api, proforma = ordered
    result = runner.invoke(args=["billing", "book-payment", proforma["number"]])
    assert result.exit_code == 0, result.output
    assert api.get("/account").get_json()["subscription"]["plan"] == "standard"


def test_the_setting_comes_from_the_environment_and_unknown_providers_stop_the_start(app_config, monkeypatch):
    monkeypatch.setenv("CMR_PAYMENT_PROVIDER", "fake")
    config = {k: v for k, v in app_config.items() if k != "PAYMENT_PROVIDER"}
    assert create_app(config).config["PAYMENT_PROVIDER"] == "fake"
    monkeypatch.setenv("CMR_PAYMENT_PROVIDER", "")
    assert create_app(config).config["PAYMENT_PROVIDER"] is None
    with pytest.raises(ValueError, match="PAYMENT_PROVIDER='paypal' is not available"):
        create_app({**config, "PAYMENT_PROVIDER": "paypal"})
