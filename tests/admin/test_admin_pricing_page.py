"""The public pricing page: the plans as stored, in the visitor's language."""
from __future__ import annotations

import re


def test_the_pricing_page_lists_the_three_plans_with_registration_links(client):
    response = client.get("/pricing", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for code in ("free", "standard", "pro"):
        assert f'href="/register?plan={code}"' in page
    assert page.index("plan-free") < page.index("plan-standard") < page.index("plan-pro")
    assert "150 documents a month" in page and "2,000 documents a month" in page
    assert "Archive: 3 months" in page and "Archive: all documents" in page
    assert "Custom numbering" in page
    assert "save 10%" in page
    assert "for 24 months" in page


def test_prices_are_shown_in_polish_format_in_polish(client):
    page = client.get("/pricing", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert re.search(r"490,00\szł", page)
    # CLDR's Polish minimum grouping: a lone thousands digit is not set apart (12 345,00 is)
    assert re.search(r"1190,00\szł", page) and not re.search(r"1\s190,00", page)
    assert "Własna numeracja" in page  # the catalogue's feature names in the UI language
    # 24 months of Standard: 980.00 less 10% = 882.00
    assert "882,00" in page


def test_prices_are_shown_in_german_format_in_german(client):
    page = client.get("/pricing", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "1.190,00" in page and "Eigene Nummerierung" in page


def test_anonymous_visitors_find_the_pricing_link_in_the_top_bar(client):
    assert 'href="/pricing"' in client.get("/login").get_data(as_text=True)


def test_signed_in_users_are_sent_to_their_settings_instead_of_registering(client, make_account):
    user = make_account()
    client.post("/login", data={"email": user.email, "password": user.password})
    page = client.get("/pricing").get_data(as_text=True)
    assert "/register?plan=" not in page
