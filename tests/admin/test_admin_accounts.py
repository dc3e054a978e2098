"""The accounts overview: every company (not only the admin's), with its plans, trial,
users and documents this month; searchable by company name or user e-mail."""
from __future__ import annotations

import re

import time_machine

from tests.conftest import sample_document

REGISTERED = "2026-11-21T10:00:00+00:00"


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_the_overview_shows_other_companies_with_plan_trial_users_and_usage(client, make_admin, login,
                                                                           make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        customer = make_account("anna@spedycja.example", plan="standard", company="Spedycja Kowalski")
        api = api_for(customer)
        assert api.post("/documents", json=sample_document()).status_code == 201
        api.post("/documents", json=sample_document())
        login(make_admin())
        page = client.get("/admin/accounts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    [row] = [r for r in rows(page) if "Spedycja Kowalski" in r]
    assert "anna@spedycja.example" in row
    assert row.count("Standard") == 2  # chosen and in force during the trial
    assert "until Dec 20, 2026" in row  # the last day of the trial, in the company's time zone
    assert "2 of 150" in row
    assert len(rows(page)) == 2  # the customer and the admin's own company


def test_after_an_unpaid_trial_the_plan_in_force_is_free(client, make_admin, login, make_account):
    with time_machine.travel(REGISTERED, tick=False):
        make_account(plan="pro", company="Trans Nowak")
    with time_machine.travel("2027-01-10T10:00:00+00:00", tick=False):
        login(make_admin())
        page = client.get("/admin/accounts?q=nowak", headers={"Accept-Language": "en"}).get_data(as_text=True)
    [row] = rows(page)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert (cells[2].strip(), cells[3].strip()) == ("Pro", "Free")
    assert "ended" in cells[4]


def test_search_by_company_name_or_user_email(client, admin, make_account):
    make_account("ola@alpha.example", company="Alpha Logistics")
    make_account("jan@beta.example", company="Beta Cargo")
    page = client.get("/admin/accounts?q=ALPHA log").get_data(as_text=True)
    assert [("Alpha" in r) for r in rows(page)] == [True]
    page = client.get("/admin/accounts?q=jan@beta").get_data(as_text=True)
    assert len(rows(page)) == 1 and "Beta Cargo" in page
    page = client.get("/admin/accounts?q=100%25").get_data(as_text=True)  # "%" is a letter here
    assert rows(page) == []


def test_the_overview_is_paginated(client, admin, make_account):
    for n in range(27):
        make_account(f"owner{n}@many.example", company=f"Firma {n:02d}", plan="free")
    first = client.get("/admin/accounts?q=many.example").get_data(as_text=True)
    second = client.get("/admin/accounts?q=many.example&page=2").get_data(as_text=True)
    assert len(rows(first)) == 25 and len(rows(second)) == 2
    assert "page=2" in first and "q=many.example" in first
    beyond = client.get("/admin/accounts?q=many.example&page=99")
    assert beyond.status_code == 200 and len(rows(beyond.get_data(as_text=True))) == 2
