"""Per-request work (issue 11, item 4): the main pages and API calls make a known, small
number of queries and never the same query twice in one request. The token, its user and
the company come in one query; the company's entitlements are resolved once."""
from __future__ import annotations

import collections
import re

import pytest
from sqlalchemy import event

from cmr_app.extensions import db
from tests.conftest import sample_document


@pytest.fixture
def queries(app):
    """The SQL statements (with their parameters) sent to the database, cleared by the test."""
    from cmr_app.extensions import autocommit_engine
    seen: list[tuple[str, str]] = []
    with app.app_context():
        # The session's engine, and the one the PDF download's token query runs on
        # (the same on SQLite).
        engines = [db.engine] + ([autocommit_engine()] if autocommit_engine().pool is not db.engine.pool else [])

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, repr(parameters)))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)


def _counted(queries, call) -> list[str]:
    queries.clear()
    response = call()
    assert response.status_code in (200, 201), response.status_code
    repeated = [sql for (sql, params), n in collections.Counter(queries).items() if n > 1]
    assert not repeated, f"the same query twice in one request: {repeated}"
    return [sql for sql, _params in queries]


def _tables(statements) -> list[str]:
    """The first table each SELECT reads (its outer FROM, after any subqueries in its columns)."""
    def outer(statement: str) -> str:
        while True:  # innermost parentheses first, until none are left
            shorter = re.sub(r"\([^()]*\)", "", statement)
            if shorter == statement:
                return statement
            statement = shorter
    return [re.search(r"\bFROM (\w+)", outer(s)).group(1) for s in statements if s.startswith("SELECT")]


def _reading(statements, table: str) -> int:
    """How many statements read `table` (in FROM or JOIN, subqueries included)."""
    return sum(bool(re.search(rf"\b(FROM|JOIN) {table}\b", s)) for s in statements)


@pytest.fixture
def issued(api):
    first = api.post("/documents", json=sample_document()).get_json()
    api.post("/clients", json={"name": "Sadex", "city": "Grójec", "country": "PL"})
    return first


def test_api_calls_make_few_queries_and_none_twice(api, issued, queries):
    budget = {
        "/documents": 5, "/documents?q=kowalski": 5, "/documents?q=zzzz&from=2026-11-01&to=2026-11-30": 5,
        f"/documents/{issued['id']}": 5, f"/documents/{issued['id']}/pdf": 5, "/clients?q=sadex": 5,
        "/account": 5,
    }
    for path, most in budget.items():
        statements = _counted(queries, lambda: api.get(path))
        assert len(statements) <= most, (path, statements)
        # The token, its user, the company, its subscription, its number of users and
        # the plan catalogue's stamp: one query; the catalogue kept between requests.
        assert _tables(statements)[0] == "api_tokens"
        for table in ("api_tokens", "companies", "subscriptions", "users", "plans"):
            assert _reading(statements, table) == 1, (path, table, statements)


def test_a_pdf_downloaded_again_costs_one_query_and_another_companys_is_still_a_404(
        api, issued, queries, make_account, api_for):
    path = f"/documents/{issued['id']}/pdf"
    assert api.get(path).status_code == 200  # rendered and kept
    statements = _counted(queries, lambda: api.get(path))
    # The token query brings the document the path names: the cached PDF needs no other.
    assert len(statements) == 1, statements
    assert _reading(statements, "documents") == 1
    other = api_for(make_account("stranger@example.com", company="Stranger"))
    assert other.get(path).status_code == 404
    assert other.get(f"/documents/{issued['id']}").status_code == 404
    assert api.get(f"/documents/{2**31}/pdf").status_code == 404  # beyond the id column: not looked up
    assert api.get("/documents/²/pdf").status_code == 404  # a digit to Python, not a number


def test_a_pdf_rendered_through_the_api_loads_the_rest_of_the_document_once(api, issued, queries):
    """The token query brings the document with only the columns that find its cached PDF;
    a rendering (a new print option: not cached) reads the rest in one statement."""
    statements = _counted(queries, lambda: api.get(f"/documents/{issued['id']}/pdf?copies=3&languages=pl,de"))
    assert _reading(statements, "documents") == 2, statements
    assert len(statements) <= 3, statements


def test_a_first_render_reads_no_logo_where_the_company_has_none(api, issued, queries):
    """The logo (deferred, up to 1 MB) is read only when the company has one: a render
    (here a cache miss, a new print option) of a company without a logo does not ask."""
    assert api.put("/account/features/company_logo", json={"enabled": True}).status_code == 200
    statements = _counted(queries, lambda: api.get(f"/documents/{issued['id']}/pdf?copies=3"))
    assert not [s for s in statements if re.search(r"companies\.logo\b(?!_)", s)], statements


def test_the_drivers_page_and_first_pdf_load_the_document_and_company_once(client, issued, queries):
    """The driver's page and PDF log each opening (a commit, which expires what the session
    holds): logged once the answer is made, nothing is loaded again to make it."""
    page = issued["public_url"].replace("http://cmr.test", "")
    for path in (page, page + ".pdf"):  # the PDF a first time: a render included
        statements = _counted(queries, lambda: client.get(path))
        assert _reading(statements, "companies") == 1, (path, statements)
        assert len([s for s in statements if re.match(r"SELECT documents\.id\b", s)]) == 1, (path, statements)


def test_issuing_a_document_takes_its_number_and_quota_place_in_few_statements(api, issued, queries):
    statements = _counted(queries, lambda: api.post("/documents", json=sample_document()))
    assert len(statements) <= 9, statements
    assert _reading(statements, "subscriptions") == 1


def test_web_pages_make_few_queries_and_none_twice(client, make_account, api_for, queries):
    for n in range(6):  # users of other companies: the plan's user limit counts this company's only
        make_account(f"other{n}@example.com", company=f"Other {n}")
    owner = make_account(plan="standard")  # 3 users allowed: fewer than the database holds
    api = api_for(owner)
    doc = api.post("/documents", json=sample_document()).get_json()
    client.post("/login", data={"email": owner.email, "password": owner.password})
    budget = {"/documents": 6, "/documents?q=kowalski": 6, f"/documents/{doc['id']}": 12,
              "/documents/new": 8, "/book/clients": 5, f"/documents/{doc['id']}/pdf": 5}
    for path, most in budget.items():
        statements = _counted(queries, lambda: client.get(path))
        assert len(statements) <= most, (path, statements)
        # The signed-in user, the company and the subscription: one query.
        assert _tables(statements)[0] == "users"
        for table in ("companies", "subscriptions"):
            assert _reading(statements, table) == 1, (path, table, statements)
        # Within the plan's user limit, the users are counted in that query, not loaded.
        assert _reading(statements, "users") == 1, (path, statements)


def test_a_paying_companys_requests_read_its_paid_plan_in_their_first_query(
        client, make_account, api_for, runner, queries):
    """The plan a company has paid for decides what it may do: it comes with the token or
    the signed-in user, not from a query of its own at every request; and it is the plan
    of the period running now."""
    import time_machine

    from tests.billing.conftest import INVOICE_PL
    owner = make_account(plan="free")
    api = api_for(owner)
    proforma = api.post("/orders", json={"plan": "standard", "period_months": 12, "payment_method": "transfer",
                                         "invoice": INVOICE_PL}).get_json()["proforma"]
    assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
    doc = api.post("/documents", json=sample_document()).get_json()
    assert api.get(f"/documents/{doc['id']}/pdf").status_code == 200  # rendered and kept
    calls = [lambda: api.get("/account"), lambda: api.get(f"/documents/{doc['id']}/pdf"),
             lambda: api.get("/documents"), lambda: client.get("/documents"), lambda: client.get("/documents/new")]
    for n, call in enumerate(calls):
        if n == 3:  # the web pages, signed in (the API's client shares the cookies: signed in after it)
            client.post("/login", data={"email": owner.email, "password": owner.password})
        statements = _counted(queries, call)
        assert _reading(statements, "orders") == 1 and _reading(statements[:1], "orders") == 1, statements
    client.post("/logout")
    assert api.get("/account").get_json()["plan"]["code"] == "standard"
    with time_machine.travel("2027-12-31T12:00:00+00:00"):  # after the paid year: no paid period runs
        assert api.get("/account").get_json()["plan"]["code"] == "free"
