"""Settings → Plan & features and Plan & billing in the browser's HTML (PLANS.md)."""
from __future__ import annotations

import re

import time_machine

ORDER = {"plan": "standard", "period_months": "24", "promo_code": "", "payment_method": "transfer",
         "invoice.name": "Spedycja Test Sp. z o.o.", "invoice.tax_id": "7010847517",
         "invoice.address": "ul. Portowa 1", "invoice.postal_code": "81-001", "invoice.city": "Gdynia",
         "invoice.country": "PL"}


def text(response) -> str:
    return response.get_data(as_text=True)


def _feature_states(page: str) -> dict[str, str]:
    """Settings → Features as the user reads it: feature name → On / Off / Suspended…"""
    table = re.search(r'<table class="list responsive features">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>(.*?)</td>", table, re.S)
    return {name.strip(): re.sub(r"<[^>]+>", "", state).split("·")[0].strip() for name, state in rows}


def test_the_plan_section_shows_plan_trial_and_usage(client, owner):
    page = text(client.get("/settings"))
    assert re.findall(r"Plan in force: <strong>([^<]*)</strong>", page) == ["Pro"]
    assert "Free trial" in page
    assert re.search(r"0 of 2000 documents this month", page)


def test_switching_on_a_feature_in_the_trial_moves_the_plan_up(client, make_account, login):
    login(make_account(plan="free"))
    response = client.post("/settings/features/templates", data={"enabled": "1"}, follow_redirects=True)
    assert "moved to the Standard plan" in text(response)
    # Moving to Standard switched on all it includes, not only the feature asked for.
    assert _feature_states(text(response)) == {"Company logo on the CMR": "On", "Document templates": "On",
                                               "E-mailing documents": "On", "Custom numbering": "Off"}
    response = client.post("/settings/plan", data={"plan": "free"}, follow_redirects=True)
    assert "Switch off first: Company logo on the CMR, E-mailing documents, Document templates." in text(response)


def test_checking_the_price_and_ordering(client, owner, mailbox):
    quote = text(client.post("/settings/order", data={**ORDER, "action": "quote"}, follow_redirects=True))
    assert "PLN\xa01,084.86" in quote and "−PLN\xa098.00" in quote
    refused = client.post("/settings/order", data={**ORDER, "invoice.tax_id": "7010847518", "action": "order"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/settings#billing")
    shown = text(client.get("/settings"))
    assert "This NIP is not valid" in shown and 'value="Gdynia"' in shown
    placed = client.post("/settings/order", data={**ORDER, "action": "order"}, follow_redirects=True)
    page = text(placed)
    assert "Order placed: pay PLN\xa01,084.86 with the transfer title PF/1/" in page
    assert "Pay online" in page and "Pro-forma PDF" in page
    [mail] = mailbox.to(owner.email)
    assert "PF/1/" in mail["Subject"]


def test_paying_online_activates_the_plan_and_lists_the_invoice(client, owner):
    client.post("/settings/order", data={**ORDER, "action": "order"})
    page = text(client.get("/settings"))
    checkout = re.search(r'href="(/pay/fake/[^"]+)"', page).group(1)
    assert "Pay PLN\xa01,084.86" in text(client.get(checkout))
    done = text(client.post(checkout, data={"action": "pay"}, follow_redirects=True))
    assert "Payment received" in done
    assert "VAT invoice" in done and "FV/1/" in done
    assert "Paid plan" in done


def test_card_orders_go_to_the_checkout(client, owner):
    response = client.post("/settings/order", data={**ORDER, "payment_method": "card", "action": "order"})
    assert response.status_code == 303 and "/pay/fake/" in response.headers["Location"]


def test_after_the_trial_the_page_says_what_happens(client, make_account, login):
    with time_machine.travel("2026-01-05T10:00:00+00:00", tick=False):
        user = make_account(plan="pro")
    with time_machine.travel("2026-03-01T10:00:00+00:00", tick=False):
        login(user)
        page = text(client.get("/settings"))
    assert "The free trial has ended" in page
    assert "0 of 10 documents this month" in page


def test_limits_after_the_trial_are_explained_not_deleted(app, client, make_account, login, make_member):
    with time_machine.travel("2026-01-05T10:00:00+00:00", tick=False):
        owner = make_account(plan="standard")
        member = make_member(owner, "editor")
        login(owner)
        from webhelpers import cmr_form
        assert client.post("/documents/new", data=cmr_form()).status_code == 302
    with time_machine.travel("2026-04-20T10:00:00+00:00", tick=False):
        login(owner)  # the old session has expired meanwhile
        page = text(client.get("/documents"))
        assert "1 document older than 3 months is hidden by your plan's archive limit" in page
        settings = text(client.get("/settings"))
        assert "blocked by the plan" in settings and member.email in settings


def test_sending_a_document_by_email_from_its_page(app, client, owner, mailbox, set_features):
    from webhelpers import cmr_form
    response = client.post("/documents/new", data=cmr_form(**{"consignee.email": "lager@schaefer.de"}))
    doc_url = response.headers["Location"]
    page = text(client.get(doc_url))
    assert 'value="lager@schaefer.de"' in page
    refused = client.post(doc_url + "/email", data={"to": "lager@schaefer.de"}, follow_redirects=True)
    assert "Switch on" in text(refused) and mailbox.to("lager@schaefer.de") == []
    set_features(owner, "email_documents")
    sent = client.post(doc_url + "/email", data={"to": "lager@schaefer.de, biuro@kowalski.pl"},
                       follow_redirects=True)
    assert "is on its way to lager@schaefer.de, biuro@kowalski.pl" in text(sent)
    assert len(mailbox.to("lager@schaefer.de")) == 1 and len(mailbox.to("biuro@kowalski.pl")) == 1


def test_an_open_pro_forma_is_cancelled_from_the_billing_page(client, owner):
    client.post("/settings/order", data={**ORDER, "action": "order"})
    page = text(client.get("/settings"))
    cancel = re.search(r'action="(/settings/invoices/\d+/cancel)"', page).group(1)
    assert "Cancel the pro-forma" in page
    done = text(client.post(cancel, follow_redirects=True))
    assert re.search(r"Pro-forma PF/1/\d+/\d+ is cancelled.", done)
    assert "Pay online" not in done and "cancelled" in done
    again = text(client.post(cancel, follow_redirects=True))
    assert "only an unpaid pro-forma can be cancelled" in again


def test_a_new_order_for_another_plan_says_the_open_one_is_cancelled(client, owner):
    client.post("/settings/order", data={**ORDER, "action": "order"})
    page = text(client.post("/settings/order", data={**ORDER, "plan": "pro", "action": "order"},
                            follow_redirects=True))
    assert re.search(r"Pro-forma PF/1/\d+/\d+ of your earlier order is cancelled.", page)
    same = text(client.post("/settings/order", data={**ORDER, "plan": "pro", "action": "order"},
                            follow_redirects=True))
    assert "for this plan is already waiting for payment" in same


def test_the_invoice_list_links_its_ksef_xml(client, owner, make_account, login):
    client.post("/settings/order", data={**ORDER, "action": "order"})
    checkout = re.search(r'href="(/pay/fake/[^"]+)"', text(client.get("/settings"))).group(1)
    page = text(client.post(checkout, data={"action": "pay"}, follow_redirects=True))
    assert "not yet in KSeF" in page
    link = re.search(r'href="(/settings/invoices/\d+/ksef.xml)"', page).group(1)
    xml = client.get(link)
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b"<P_2>FV/1/" in xml.data
    client.post("/logout")
    login(make_account(company="Other Company"))
    assert client.get(link).status_code == 404


def _banner(page: str) -> str | None:
    found = re.search(r'<div class="banner trial" id="trial-banner"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else None


def test_the_trial_banner_says_what_the_trial_gives_and_how_to_try_more(client, make_account, login):
    """Issue 13 item 4: on every page of the desk, the trial's plan, its last day, its
    documents and functions, and the way to try a higher plan (or to choose one)."""
    with time_machine.travel("2026-01-05T10:00:00+00:00", tick=False):
        free = make_account(plan="free")
        login(free)
        banner = _banner(text(client.get("/documents")))
        # 30 days from January 5 inclusive: the last is February 3.
        assert banner.startswith("Free trial until the end of February 3, 2026: the Free plan with 10 documents "
                                 "a month and no paid functions."), banner
        assert banner.endswith("Try Standard free until then")
        assert _banner(text(client.get("/book/clients"))) == banner  # every page of the desk
        client.post("/logout")
        pro = make_account(plan="pro")
        login(pro)
        banner = _banner(text(client.get("/settings")))
        assert ("the Pro plan with 2,000 documents a month and Company logo on the CMR, Custom numbering, "
                "E-mailing documents, Document templates.") in banner, banner
        assert banner.endswith("Choose the plan to keep after the trial")
        # In the language of the page, names and numbers too.
        client.post("/settings/account", data={"language": "pl"})
        polish = _banner(text(client.get("/documents")))
        assert "Pro" in polish and "2000" not in polish and "Logo firmy" in polish, polish
    with time_machine.travel("2026-03-01T10:00:00+00:00", tick=False):
        assert _banner(text(client.get("/documents"))) is None  # the trial is over
