"""The admin area exists only for platform admins: everyone else gets a 404."""
from __future__ import annotations

import pytest

ADMIN_URLS = ["/admin/", "/admin/plans", "/admin/plans/standard", "/admin/plans/nope",
              "/admin/new-plan", "/admin/history", "/admin/accounts", "/admin/accounts?q=x&page=2"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_anonymous_visitors_get_404_on_every_admin_url(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_signed_in_non_admins_get_404_on_every_admin_url(client, make_account, login, url):
    login(make_account())
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code in (404, 405)


def test_a_non_admin_cannot_change_a_plan_by_posting(client, make_account, login, plan_row):
    from tests.admin.conftest import plan_form
    login(make_account())
    response = client.post("/admin/plans/standard", data=plan_form(price_per_year="1.00"))
    assert response.status_code == 404
    assert str(plan_row("standard").price_per_year) == "490.00"


def test_non_admins_see_no_admin_tab(client, make_account, login):
    login(make_account())
    assert "/admin" not in client.get("/documents").get_data(as_text=True)


def test_admins_see_the_admin_tab_and_pages(client, admin):
    assert 'href="/admin/"' in client.get("/documents").get_data(as_text=True)
    for url in ADMIN_URLS:
        expected = 404 if url.endswith("/nope") else (302 if url == "/admin/" else 200)
        assert client.get(url).status_code == expected, url


def test_the_api_cannot_reach_the_admin_area_with_a_token(client, make_admin, api_for):
    api = api_for(make_admin())
    response = client.get("/admin/plans", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 404
