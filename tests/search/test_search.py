"""Search at scale (issue 11): the same rows on SQLite (trigram FTS5) and PostgreSQL
(pg_trgm GIN), looked up in an index rather than by scanning the company; the goods are
searchable; the search text follows edits and withdrawal; a reversed date range is an
error. The suite runs on SQLite, and on PostgreSQL with CMR_TEST_DATABASE_URL: every
expectation below holds on both."""
from __future__ import annotations

from sqlalchemy import text

from cmr_app.extensions import db
from tests.conftest import sample_document


def numbers(api, query: str) -> list[str]:
    response = api.get("/documents?" + query)
    assert response.status_code == 200, response.get_json()
    return sorted(d["number"] for d in response.get_json()["items"])


def goods(nature, marks="", packing="", packages=1, weight="100"):
    return {"nature": nature, "marks": marks, "packing": packing, "packages": packages, "gross_weight_kg": weight}


def issue(api, **overrides) -> dict:
    response = api.post("/documents", json=sample_document(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_documents_are_found_by_their_goods_and_every_word_counts(api):
    berries = issue(api, goods=[goods("Frozen raspberries", "RB-2207", "Cartons 10 kg")])
    chairs = issue(api, goods=[goods("Oak chairs", "CH_01", "Pallets")],
                   consignee={"name": "Łódzkie Meble 100%", "address": "ul. Piotrkowska 1", "postal_code": "90-001",
                              "city": "Łódź", "country": "PL"})
    assert numbers(api, "q=RASPBERR") == [berries["number"]]
    assert numbers(api, "q=rb-2207") == [berries["number"]]
    assert numbers(api, "q=cartons+raspberries") == [berries["number"]]
    assert numbers(api, "q=raspberries+pallets") == []
    assert numbers(api, "q=oak+ŁÓDŹ") == [chairs["number"]]
    assert numbers(api, "q=" + chairs["number"]) == [chairs["number"]]
    # Words shorter than a trigram still match, and LIKE's wildcards are plain characters.
    assert numbers(api, "q=oa") == [chairs["number"]]
    assert numbers(api, "q=%25") == [chairs["number"]]
    assert numbers(api, "q=h_0") == [chairs["number"]]
    assert numbers(api, "q=h%250") == []
    assert numbers(api, "q=zzzz-nothing") == []


def test_the_search_text_follows_an_edit_and_a_withdrawal(api):
    doc = issue(api, goods=[goods("Frozen raspberries", "RB-2207", "Cartons")])
    other = issue(api, goods=[goods("Steel pipes", "SP-1", "Bundles")])
    changed = api.patch(f"/documents/{doc['id']}", json={"goods": [goods("Fresh blueberries", "BB-1", "Crates")]})
    assert changed.status_code == 200, changed.get_json()
    assert numbers(api, "q=raspberries") == []
    assert numbers(api, "q=blueberries+crates") == [doc["number"]]
    assert api.delete(f"/documents/{doc['id']}").status_code == 204
    # Withdrawn: the content is erased, so it is found by its number alone.
    assert numbers(api, "q=blueberries") == []
    assert numbers(api, "q=Kowalski") == [other["number"]]
    assert numbers(api, "q=" + doc["number"]) == [doc["number"]]


def test_the_address_book_search_follows_saves_and_deletes(api):
    made = api.post("/clients", json={"name": "Przetwórnia Owoców Sadex", "city": "Grójec", "country": "PL"})
    assert made.status_code == 201
    entry = made.get_json()
    api.post("/clients", json={"name": "Hurtownia Warzyw", "city": "Radom", "country": "PL"})
    api.post("/products", json={"name": "Jabłka", "nature": "Fresh apples", "packing": "Bins"})

    def names(kind, q):
        return sorted(i["name"] for i in api.get(f"/{kind}?q={q}").get_json()["items"])

    assert names("clients", "owoców+grójec") == ["Przetwórnia Owoców Sadex"]
    assert names("clients", "ra") == ["Hurtownia Warzyw"]
    assert names("products", "APPLES") == ["Jabłka"]
    api.patch(f"/clients/{entry['id']}", json={"name": "Sadex Fruit", "city": "Warka"})
    assert names("clients", "grójec") == []
    assert names("clients", "fruit+warka") == ["Sadex Fruit"]
    assert api.delete(f"/clients/{entry['id']}").status_code == 204
    assert names("clients", "fruit") == []


def test_another_companys_documents_are_not_found(api, make_account, api_for):
    issue(api, goods=[goods("Frozen raspberries", "RB-2207", "Cartons")])
    other = api_for(make_account())
    assert numbers(other, "q=raspberries") == []


def test_a_reversed_date_range_is_an_error_in_the_api(api):
    issue(api)
    response = api.get("/documents?from=2026-11-30&to=2026-11-01")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "before its start" in error["message"]
    assert error["details"]["to"] == [
        "The end of the date range (2026-11-01) comes before its start (2026-11-30)."]
    assert len(api.get("/documents?from=2026-11-01&to=2026-11-30").get_json()["items"]) == 1


def test_a_reversed_date_range_is_said_on_the_web_list(app, client, make_account):
    owner = make_account()
    client.post("/login", data={"email": owner.email, "password": owner.password})
    page = client.get("/documents?from=2026-11-30&to=2026-11-01")
    assert page.status_code == 200
    assert "The end of the date range (2026-11-01) comes before its start (2026-11-30)." in \
        page.get_data(as_text=True)


def _seed(app, company_id: int, count: int) -> None:
    """Many documents at once, straight into the table (their search text as the app writes it)."""
    from datetime import date, datetime, timezone
    from cmr_app.models import Document
    from cmr_app.services.search import document_search_text
    now = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    data = sample_document()
    rows = [{"company_id": company_id, "number": f"S{n}/11/2026", "status": "issued", "data": data,
             "public_token": f"seed-{company_id}-{n}", "fingerprint": "0123456789ab", "issued_on": date(2026, 11, 2),
             "search_text": document_search_text(f"S{n}/11/2026", data), "created_at": now, "updated_at": now,
             "version": 1, "cancel_reason": ""} for n in range(count)]
    with app.app_context():
        db.session.execute(Document.__table__.insert(), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a burst of inserts: statistics, and the GIN
            # index's pending list merged.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE documents")


def _plan(app, statement) -> tuple[str, str]:
    """(dialect, the database's plan for the statement)."""
    with app.app_context():
        conn = db.session.connection()
        compiled = statement.compile(conn)
        params = (tuple(compiled.params[k] for k in compiled.positiontup) if compiled.positional
                  else compiled.params)
        explain = "EXPLAIN QUERY PLAN "
        if conn.dialect.name == "postgresql":
            # A few thousand rows still fit a sequential scan; a company's 100,000 do not.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        rows = conn.exec_driver_sql(explain + str(compiled), params).all()
        db.session.rollback()
        return conn.dialect.name, "\n".join(str(r[-1]) for r in rows)


def test_the_search_is_answered_by_an_index_not_a_scan(app, api, make_account):
    doc = issue(api, goods=[goods("Frozen raspberries", "RB-2207", "Cartons")])
    company_id = api.get("/account").get_json()["company"]["id"]
    from cmr_app.models import Document
    from cmr_app.services.search import matching
    from sqlalchemy import select
    _seed(app, company_id, 3000)
    assert numbers(api, "q=raspberries") == [doc["number"]]
    assert numbers(api, "q=zzzz-nothing") == []
    with app.test_request_context():
        statement = (select(Document.id).where(Document.company_id == company_id, *matching(Document, "raspberr"))
                     .order_by(Document.id.desc()).limit(51))
        dialect, plan = _plan(app, statement)
    if dialect == "postgresql":
        assert "ix_documents_search_trgm" in plan, plan
    else:
        assert "documents_fts VIRTUAL TABLE INDEX" in plan, plan
