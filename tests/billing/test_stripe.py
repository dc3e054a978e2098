"""Stripe as the payment provider (PAYMENT_PROVIDER=stripe), against localstripe, a local
Stripe stand-in started here (GPL, a test tool only): PaymentIntents confirmed with a test
card, webhooks verified with the signing secret and booked once, the card kept for the
automatic renewal and charged off-session at the end of the period unless the renewal
was cancelled in time (PLANS.md, terms §5.9)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import stripe
import time_machine

from tests.billing.conftest import INVOICE_PL

PUBLISHABLE = "pk_test_cmr"
SECRET = "sk_test_cmr"
WEBHOOK_SECRET = "whsec_cmr_test_secret"
VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # saved without complaint, refused when charged
THREE_D_SECURE = "4000002500003155"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """localstripe on a free port, started for the session and waited for."""
    port = _free_port()
    command = [sys.executable, str(Path(__file__).with_name("run_localstripe.py")), str(port)]
    if os.environ.get("CMR_TEST_NOW"):  # the test clock is moved: localstripe's with it
        command.append(repr(time.time()))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/js.stripe.com/v3/", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


def _localstripe_post(base: str, path: str, data: dict) -> dict:
    request = urllib.request.Request(base + path, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = answer.read()
    return json.loads(body) if body else {}


@pytest.fixture
def webhooks(localstripe):
    """register(url, times=1): localstripe posts its events to `url`, `times` over (each
    registration delivers every event once). Forgotten after the test."""
    ids = []

    def register(url: str, times: int = 1, secret: str = WEBHOOK_SECRET):
        for n in range(times):
            ids.append(f"cmr{n}")
            _localstripe_post(localstripe, f"/_config/webhooks/cmr{n}",
                              {"url": url, "secret": secret, "events": ["payment_intent.succeeded"]})
    yield register
    for hook in ids:  # a later test's server may get this port: point them nowhere
        _localstripe_post(localstripe, f"/_config/webhooks/{hook}",
                          {"url": "http://127.0.0.1:9/", "secret": "x", "events": ["none"]})


@pytest.fixture
def app_config(app_config, localstripe):
    # Each test's database starts empty, so Stripe's store does too (numbers repeat). The
    # webhooks of an earlier test's events are delivered first: localstripe sends them a
    # second late, to whatever webhooks are registered then (this test's server, where the
    # same order number would book them).
    _localstripe_post(localstripe, "/_config/deliveries/wait", {})
    urllib.request.urlopen(urllib.request.Request(localstripe + "/_config/data", method="DELETE"), timeout=10)
    return {**app_config, "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": SECRET,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": localstripe}


@pytest.fixture
def stripe_api(localstripe):
    return stripe.StripeClient(SECRET, base_addresses={"api": localstripe})


def _token(proforma: dict) -> str:
    return proforma["pdf_url"].rsplit("/", 1)[1].removesuffix(".pdf")


@pytest.fixture
def order(make_account, api_for):
    def make(payment_method="transfer"):
        api = api_for(make_account(plan="free"))
        response = api.post("/orders", json={"plan": "standard", "period_months": 12,
                                             "payment_method": payment_method, "invoice": INVOICE_PL})
        assert response.status_code == 201, response.get_json()
        return api, response.get_json()["proforma"]
    return make


def confirm_setup_as_stripe_js(base: str, client_secret: str, number: str) -> dict:
    """What Stripe.js's confirmCardSetup sends from the browser: the card goes to Stripe
    with the publishable key, never to us."""
    setup_id = client_secret.split("_secret_")[0]
    return _localstripe_post(base, f"/v1/setup_intents/{setup_id}/confirm", {
        "key": PUBLISHABLE, "use_stripe_sdk": True, "client_secret": client_secret,
        "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": "12",
                                                          "exp_year": "2034", "cvc": "123"}}})


def pay_by_card(client, base: str, proforma: dict, number: str = VISA):
    token = _token(proforma)
    intent = client.post(f"/pay/stripe/{token}/intent", json={"method": "card"})
    assert intent.status_code == 200, intent.get_json()
    assert intent.get_json()["kind"] == "setup"
    setup = confirm_setup_as_stripe_js(base, intent.get_json()["client_secret"], number)
    return client.post(f"/pay/stripe/{token}/confirm", json={"setup_intent": setup["id"]})


def payments_of(app):
    from cmr_app.extensions import db
    from cmr_app.models import Payment
    with app.app_context():
        return [(p.provider, p.external_id, str(p.amount)) for p in db.session.query(Payment).order_by(Payment.id)]


def refused(app):
    from cmr_app.services.payments import refused_events
    with app.app_context():
        return [(e.provider, e.problem) for e in refused_events()]


def invoices(api):
    return [i for i in api.get("/invoices").get_json()["items"] if i["kind"] == "invoice"]


# Paying on the pay page

def test_a_card_payment_books_the_order_once(app, client, order, localstripe, stripe_api):
    api, proforma = order()
    assert client.get(f"/pay/stripe/{_token(proforma)}").status_code == 200
    paid = pay_by_card(client, localstripe, proforma)
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid", paid.get_json()
    account = api.get("/account").get_json()
    assert account["plan"]["code"] == "standard" and account["subscription"]["status"] == "active"
    # A transfer order paid once by card does not renew by itself.
    assert account["subscription"]["auto_renew"] is False
    [(provider, intent_id, amount)] = payments_of(app)
    assert provider == "stripe" and amount == proforma["gross"] == "602.70"
    intent = stripe_api.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "succeeded" and intent.amount == 60270 and intent.currency == "pln"
    assert intent.metadata["proforma"] == proforma["number"]
    assert len(invoices(api)) == 1
    # The page again, or its confirm call again: nothing more is charged or booked.
    again = client.get(f"/pay/stripe/{_token(proforma)}")
    assert again.status_code == 302
    assert client.post(f"/pay/stripe/{_token(proforma)}/intent", json={"method": "card"}).status_code == 409
    assert len(invoices(api)) == 1 and len(payments_of(app)) == 1


def test_a_declined_card_books_nothing(app, client, order, localstripe):
    api, proforma = order()
    refused_card = pay_by_card(client, localstripe, proforma, DECLINED_ON_CHARGE)
    assert refused_card.status_code == 402
    assert refused_card.get_json()["error"]["code"] == "payment_failed"
    assert "declined" in refused_card.get_json()["error"]["message"]
    assert api.get("/account").get_json()["subscription"] is None
    assert payments_of(app) == [] and invoices(api) == []
    # Another card afterwards pays the same pro-forma.
    assert pay_by_card(client, localstripe, proforma).get_json()["status"] == "paid"
    assert len(payments_of(app)) == 1


def test_a_card_order_keeps_the_card_for_the_renewal(app, client, order, localstripe):
    api, proforma = order("card")
    assert pay_by_card(client, localstripe, proforma).get_json()["status"] == "paid"
    assert api.get("/account").get_json()["subscription"]["auto_renew"] is True
    from cmr_app.services import stripe_provider
    with app.app_context():
        from cmr_app.models import Order
        from cmr_app.extensions import db
        company_id = db.session.query(Order).one().company_id
        card = stripe_provider.saved_card(company_id)
        assert card is not None and card.payment_method_id.startswith("pm_") and card.card_last4 == "4242"


def test_a_card_order_is_paid_by_card_only(client, order):
    _api, proforma = order("card")
    refused_method = client.post(f"/pay/stripe/{_token(proforma)}/intent", json={"method": "blik"})
    assert refused_method.status_code == 400
    page = client.get(f"/pay/stripe/{_token(proforma)}").get_data(as_text=True)
    assert 'id="pay-blik"' not in page and 'id="pay-card"' in page


def test_blik_and_przelewy24_are_payment_intents_in_pln(client, order, stripe_api):
    _api, proforma = order()
    page = client.get(f"/pay/stripe/{_token(proforma)}").get_data(as_text=True)
    assert 'id="pay-blik"' in page and 'id="pay-p24"' in page
    for method in ("blik", "p24"):
        answer = client.post(f"/pay/stripe/{_token(proforma)}/intent", json={"method": method})
        assert answer.status_code == 200 and answer.get_json()["kind"] == "payment"
        intent_id = answer.get_json()["client_secret"].split("_secret_")[0]
        intent = stripe_api.v1.payment_intents.retrieve(intent_id)
        assert intent.amount == 60270 and intent.currency == "pln"
        # Opening the page again gives the same intent, not a second one.
        again = client.post(f"/pay/stripe/{_token(proforma)}/intent", json={"method": method})
        assert again.get_json()["client_secret"] == answer.get_json()["client_secret"]


def test_an_intent_of_another_order_is_not_looked_at(client, order, localstripe):
    _api, first = order()
    _api2, second = order()
    paid = pay_by_card(client, localstripe, first)
    assert paid.get_json()["status"] == "paid"
    from_first = client.post(f"/pay/stripe/{_token(first)}/intent", json={"method": "blik"})
    assert from_first.status_code == 409  # paid: nothing more to pay
    other = client.post(f"/pay/stripe/{_token(second)}/confirm", json={"payment_intent": "pi_unknown"})
    assert other.status_code == 404


# Webhooks

def _make_paid_intent(stripe_api, proforma: dict, order_id: int) -> str:
    """A PaymentIntent of the order that Stripe charged (as when the payer closed the page
    before our server heard back): the webhook is what books it."""
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 60270, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
        "payment_method_types": ["card"],
        "metadata": {"order_id": str(order_id), "proforma": proforma["number"], "site": "http://cmr.test"}})
    assert intent.status == "succeeded"
    return intent.id


def _order_id(app) -> int:
    from cmr_app.extensions import db
    from cmr_app.models import Order
    with app.app_context():
        return db.session.query(Order).order_by(Order.id.desc()).first().id


def _event_of(localstripe: str, intent_id: str) -> bytes:
    request = urllib.request.Request(localstripe + "/v1/events?type=payment_intent.succeeded&limit=100",
                                     headers={"Authorization": f"Bearer {SECRET}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        events = json.loads(answer.read())["data"]
    [event] = [e for e in events if e["data"]["object"]["id"] == intent_id]
    return json.dumps(event).encode()


def _sign(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def test_the_webhook_books_once_though_delivered_twice(app, order, live_server, webhooks, stripe_api,
                                                         localstripe, client):
    api, proforma = order()
    webhooks(live_server + "/payments/stripe/webhook", times=2)  # every event arrives twice
    intent_id = _make_paid_intent(stripe_api, proforma, _order_id(app))
    deadline = time.monotonic() + 20
    while not invoices(api) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(invoices(api)) == 1
    time.sleep(2)  # the second delivery
    # Once more by hand, as Stripe does when it did not hear back in time.
    body = _event_of(localstripe, intent_id)
    assert client.post("/payments/stripe/webhook", data=body,
                       headers={"Stripe-Signature": _sign(body)}).status_code == 200
    assert payments_of(app) == [("stripe", intent_id, "602.70")]
    assert len(invoices(api)) == 1 and refused(app) == []
    assert api.get("/account").get_json()["plan"]["code"] == "standard"


def test_a_webhook_with_a_bad_signature_is_400_and_books_nothing(app, client, order, stripe_api, localstripe):
    api, proforma = order()
    intent_id = _make_paid_intent(stripe_api, proforma, _order_id(app))
    body = _event_of(localstripe, intent_id)
    wrong = [
        {"Stripe-Signature": _sign(body, "whsec_someone_else")},
        {"Stripe-Signature": _sign(body.replace(b"60270", b"60271"))[:-4] + "0000"},
        {"Stripe-Signature": _sign(body, at=int(time.time()) - 3600)},  # an old one replayed
        {},
    ]
    for headers in wrong:
        answer = client.post("/payments/stripe/webhook", data=body, headers=headers)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_request"
    # The fake provider's kind of notification, sent for Stripe: refused, not a 500.
    assert client.post("/payments/stripe/notify", data=body, headers={"X-Signature": "0" * 64}).status_code == 400
    tampered = body.replace(b'"status": "succeeded"', b'"status": "succeeded" ')
    assert client.post("/payments/stripe/webhook", data=tampered,
                       headers={"Stripe-Signature": _sign(body)}).status_code == 400
    assert payments_of(app) == [] and invoices(api) == []
    assert api.get("/account").get_json()["subscription"] is None
    assert refused(app) and all(problem.endswith(("bad signature", "/payments/stripe/webhook only"))
                                for _p, problem in refused(app))
    # Signed with the secret, the same event books.
    assert client.post("/payments/stripe/webhook", data=body,
                       headers={"Stripe-Signature": _sign(body)}).get_json()["status"] == "booked"
    assert len(invoices(api)) == 1


def test_a_signed_webhook_with_the_wrong_amount_books_nothing(app, client, order, stripe_api, localstripe):
    api, proforma = order()
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 100, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
        "metadata": {"order_id": str(_order_id(app)), "proforma": proforma["number"], "site": "http://cmr.test"}})
    body = _event_of(localstripe, intent.id)
    answer = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": _sign(body)})
    assert answer.status_code == 409
    assert payments_of(app) == [] and invoices(api) == []
    assert any("does not match" in problem for _p, problem in refused(app))


def test_an_event_of_another_site_on_the_same_stripe_account_books_nothing(app, client, order, stripe_api,
                                                                            localstripe):
    api, proforma = order()
    intent = stripe_api.v1.payment_intents.create(params={
        "amount": 60270, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
        "metadata": {"order_id": str(_order_id(app)), "proforma": proforma["number"],
                     "site": "https://staging.cmr.test"}})
    body = _event_of(localstripe, intent.id)
    answer = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": _sign(body)})
    assert answer.status_code == 200 and answer.get_json()["status"] == "ignored"
    assert payments_of(app) == [] and invoices(api) == []


def test_a_payment_already_made_is_booked_not_started_again(app, client, order, stripe_api):
    """The card was charged but our server never heard back (and the webhook has not come):
    asking to pay by BLIK instead finds that payment and books it."""
    api, proforma = order()
    intent_id = _make_paid_intent(stripe_api, proforma, _order_id(app))
    from cmr_app.extensions import db
    from cmr_app.models import StripeIntent
    with app.app_context():
        db.session.add(StripeIntent(order_id=_order_id(app), purpose="card", intent_id=intent_id))
        db.session.commit()
    answer = client.post(f"/pay/stripe/{_token(proforma)}/intent", json={"method": "blik"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "paid"
    assert payments_of(app) == [("stripe", intent_id, "602.70")]
    assert [pi.id for pi in stripe_api.v1.payment_intents.list(params={"limit": 100}).data] == [intent_id]


def test_events_of_other_kinds_or_other_integrations_are_accepted_and_ignored(app, client):
    for event in ({"id": "evt_1", "type": "customer.created", "data": {"object": {"id": "cus_1"}}},
                  {"id": "evt_2", "type": "payment_intent.succeeded",
                   "data": {"object": {"id": "pi_1", "status": "succeeded", "amount": 100, "currency": "pln",
                                       "metadata": {}}}}):
        body = json.dumps(event).encode()
        answer = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": _sign(body)})
        assert answer.status_code == 200 and answer.get_json()["status"] == "ignored"
    assert payments_of(app) == [] and refused(app) == []


# Automatic renewal by the saved card (§5.9)

def daily(runner) -> dict:
    result = runner.invoke(args=["jobs", "daily"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def card_subscriber(order, client, localstripe):
    """Standard for 12 months paid by card on 2026-01-10 10:00 UTC: ends 2027-01-10 10:00 UTC."""
    def make(number=VISA):
        with time_machine.travel("2026-01-10T10:00:00+00:00", tick=False):
            api, proforma = order("card")
            assert pay_by_card(client, localstripe, proforma, number).get_json()["status"] == "paid"
        return api
    return make


def _renewal_intents(stripe_api, proforma_number: str) -> list:
    return [pi for pi in stripe_api.v1.payment_intents.list(params={"limit": 100}).data
            if pi.to_dict()["metadata"].get("proforma") == proforma_number]


def test_the_renewal_charges_the_saved_card_off_session(app, card_subscriber, runner, stripe_api):
    api = card_subscriber()
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        assert daily(runner)["renewal_proformas"] == 1
        renewal = [i for i in api.get("/invoices").get_json()["items"] if i["status"] == "pending"]
    [renewal] = renewal
    assert _renewal_intents(stripe_api, renewal["number"]) == []  # nothing charged 14 days before
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 1 and result["lapsed"] == 0
        assert daily(runner)["card_renewals"] == 0  # a second run charges nothing
        subscription = api.get("/account").get_json()["subscription"]
    assert subscription["period_end"] == "2028-01-10T10:00:00+00:00" and subscription["status"] == "active"
    [charge] = _renewal_intents(stripe_api, renewal["number"])
    assert charge.status == "succeeded" and charge.amount == 60270
    from cmr_app.services import stripe_provider
    from cmr_app.extensions import db
    from cmr_app.models import Order
    with app.app_context():
        card = stripe_provider.saved_card(db.session.query(Order).first().company_id)
        assert charge.payment_method == card.payment_method_id and charge.customer == card.customer_id
    booked = payments_of(app)
    assert len(booked) == 2 and booked[1] == ("stripe", charge.id, "602.70")
    assert len(invoices(api)) == 2


def test_a_renewal_cancelled_in_time_charges_nothing(app, card_subscriber, runner, stripe_api):
    api = card_subscriber()
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):  # exactly 14 days before
        assert api.put("/account/auto-renew", json={"enabled": False}).status_code == 200
        daily(runner)
        [renewal] = [i for i in api.get("/invoices").get_json()["items"] if i["status"] == "pending"]
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 0 and result["lapsed"] == 1
        assert api.get("/account").get_json()["plan"]["code"] == "free"
    assert _renewal_intents(stripe_api, renewal["number"]) == []
    assert len(payments_of(app)) == 1


def test_after_the_cut_off_the_renewal_goes_ahead(app, card_subscriber, runner, stripe_api):
    api = card_subscriber()
    with time_machine.travel("2026-12-27T10:00:01+00:00", tick=False):
        assert api.put("/account/auto-renew", json={"enabled": False}).status_code == 409
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        assert daily(runner)["card_renewals"] == 1
    assert len(payments_of(app)) == 2


def test_a_card_refused_at_renewal_lets_the_plan_lapse(app, card_subscriber, runner):
    card_subscriber()
    from cmr_app.extensions import db
    from cmr_app.models import StripeCustomer
    with app.app_context():  # the bank now refuses the saved card
        row = db.session.query(StripeCustomer).one()
        row.payment_method_id = "pm_card_chargeCustomerFail"
        db.session.commit()
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 0 and result["lapsed"] == 1
    assert len(payments_of(app)) == 1


# Settings, routes and the page's policy

def test_the_pay_page_loads_stripe_js_and_only_it_may_run_there(client, order, localstripe, make_account):
    _api, proforma = order()
    page = client.get(f"/pay/stripe/{_token(proforma)}")
    policy = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe}" in policy and f"connect-src 'self' {localstripe}" in policy
    assert "unsafe-inline" not in policy
    html = page.get_data(as_text=True)
    assert f'src="{localstripe}/js.stripe.com/v3/"' in html and PUBLISHABLE in html and SECRET not in html
    other = client.get("/login")
    assert localstripe not in other.headers["Content-Security-Policy"]
    assert "js.stripe.com" not in other.headers["Content-Security-Policy"]


def test_with_stripe_the_fake_provider_is_404(app, client, order):
    api, proforma = order()
    assert client.get(f"/pay/fake/{_token(proforma)}").status_code == 404
    assert client.post(f"/pay/fake/{_token(proforma)}", data={"action": "pay"}).status_code == 404
    body = json.dumps({"order": proforma["number"], "amount": proforma["gross"], "transaction_id": "T-1"}).encode()
    assert client.post("/payments/fake/notify", data=body, headers={"X-Signature": "0" * 64}).status_code == 404
    assert payments_of(app) == []


def test_the_settings_page_sends_to_the_stripe_pay_page(client, make_account, order):
    user = make_account(plan="free")
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    form = {"plan": "standard", "period_months": "12", "promo_code": "", "payment_method": "card",
            "action": "order", **{f"invoice.{k}": v for k, v in INVOICE_PL.items()}}
    answer = client.post("/settings/order", data=form)
    assert answer.status_code == 303 and "/pay/stripe/" in answer.headers["Location"]


def test_stripe_needs_its_keys(tmp_path):
    from cmr_app import create_app
    with pytest.raises(ValueError, match="STRIPE_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "PAYMENT_PROVIDER": "stripe",
                    "SECRET_KEY": "x", "STRIPE_PUBLISHABLE_KEY": "pk", "STRIPE_WEBHOOK_SECRET": "whsec"})


@pytest.mark.parametrize("provider", ["fake", None])
def test_without_stripe_its_routes_are_404(app_config, provider):
    from cmr_app import create_app
    app = create_app({**app_config, "PAYMENT_PROVIDER": provider})
    client = app.test_client()
    body = b'{"type": "payment_intent.succeeded"}'
    assert client.post("/payments/stripe/webhook", data=body,
                       headers={"Stripe-Signature": _sign(body)}).status_code == 404
    assert client.get("/pay/stripe/whatever").status_code == 404


# The pay page in a browser, with localstripe's Stripe.js

@pytest.mark.browser
@pytest.mark.parametrize("number, three_d_secure", [(VISA, False), (THREE_D_SECURE, True)])
def test_paying_on_the_pay_page_in_a_browser(app, make_account, api_for, live_server, chromium, localstripe,
                                             number, three_d_secure, tmp_path):
    user = make_account(plan="free")
    api = api_for(user)
    proforma = api.post("/orders", json={"plan": "standard", "period_months": 12, "payment_method": "card",
                                         "invoice": INVOICE_PL}).get_json()["proforma"]
    page = chromium.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", user.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/documents**")
    page.goto(live_server + f"/pay/stripe/{_token(proforma)}")
    # localstripe's Stripe.js draws plain inputs where Stripe's draws its card frame.
    for field, value in (("number", number), ("exp_month", "12"), ("exp_year", "34"), ("cvc", "123"),
                         ("postal_code", "81001")):
        page.fill(f"#card-element input[placeholder={field}]", value)
    page.screenshot(path=str(tmp_path / "pay-page.png"), full_page=True)
    page.click("text=Pay by card")
    if three_d_secure:  # the bank's challenge: once to save the card, once for the payment
        for _ in range(2):
            page.click("text=Complete authentication")
    page.wait_for_url("**/settings**")
    assert "Payment received" in page.inner_text(".flash")
    assert f"ending in {number[-4:]}" in page.inner_text("#billing")
    page.screenshot(path=str(tmp_path / "paid.png"), full_page=True)
    assert problems == []
    assert api.get("/account").get_json()["subscription"]["auto_renew"] is True
    assert len(invoices(api)) == 1 and len(payments_of(app)) == 1
    if os.environ.get("CMR_STRIPE_SHOTS"):
        import shutil
        for shot in ("pay-page.png", "paid.png"):
            shutil.copy(tmp_path / shot, Path(os.environ["CMR_STRIPE_SHOTS"]) / f"{number}-{shot}")


def test_stripe_away_at_renewal_the_charge_waits_for_the_next_run(app, card_subscriber, runner, localstripe):
    api = card_subscriber()
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    with time_machine.travel("2027-01-10T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 0 and result["card_renewals_deferred"] == 1 and result["lapsed"] == 0
    assert len(payments_of(app)) == 1
    app.config["STRIPE_API_BASE"] = localstripe
    with time_machine.travel("2027-01-11T11:00:00+00:00", tick=False):
        result = daily(runner)
        assert result["card_renewals"] == 1 and result["lapsed"] == 0
        assert api.get("/account").get_json()["subscription"]["period_end"] == "2028-01-10T10:00:00+00:00"
    assert len(payments_of(app)) == 2


def test_stripe_away_for_days_the_account_lapses(app, card_subscriber, runner):
    api = card_subscriber()
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    with time_machine.travel("2027-01-13T10:00:00+00:00", tick=False):  # 3 days after the end
        result = daily(runner)
        assert result["card_renewals_deferred"] == 0 and result["lapsed"] == 1
        assert api.get("/account").get_json()["plan"]["code"] == "free"
    assert len(payments_of(app)) == 1
