"""The CMR form's picker lookup with 100,000 clients in one company (issue 13 item 1):
a prefix query answers at most the page limit, ranked (the latest documents' parties
first, then the newest entries), never another company's. Speed is not asserted here:
benchmarks/bench_lookup.py measures it."""
from __future__ import annotations

from sqlalchemy import insert

from cmr_app import clock
from cmr_app.extensions import db
from cmr_app.services.quick import LOOKUP_LIMIT
from cmr_app.services.search import fold

COUNT = 100_000
CITIES = (("Poznań", "PL"), ("Berlin", "DE"), ("Łódź", "PL"), ("Utrecht", "NL"), ("Wien", "AT"))


def client_row(company_id: int, i: int, now, name: str | None = None) -> dict:
    name = name or f"Klient {i:06d}"
    city, country = CITIES[i % len(CITIES)]
    tax_id = f"{7000000000 + i}"
    address = f"ul. Długa {i % 300 + 1}"
    return {"company_id": company_id, "name": name, "address": address, "postal_code": f"{i % 100:02d}-100",
            "city": city, "country": country, "tax_id": tax_id, "email": "", "phone": "", "created_at": now,
            "search_text": fold(name, city, country, tax_id, "", address, f"{i % 100:02d}-100")}


def bulk_clients(company_id: int, count: int, named: dict[int, str] | None = None) -> None:
    """`count` clients in one company, inserted by SQLAlchemy core in batches (the search
    indexes, the trigram GIN on PostgreSQL and the FTS5 table on SQLite, are kept as usual)."""
    from cmr_app.models import Client
    now, named = clock.now(), named or {}
    for start in range(0, count, 10_000):
        db.session.execute(insert(Client), [client_row(company_id, i, now, named.get(i))
                                            for i in range(start, min(start + 10_000, count))])
    db.session.commit()


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [e["name"] for e in response.get_json()["items"]]


def test_the_lookup_over_100000_clients_answers_a_ranked_page(app, client, owner, make_account, api_for):
    stranger = make_account(company="Konkurencja")
    with app.app_context():
        bulk_clients(owner.company_id, COUNT, named={7: "Zakłady Mięsne Kowalski", 50_000: "Kowalski i Syn",
                                                     99_990: "Meble Kowalski Sp. z o.o."})
        bulk_clients(stranger.company_id, 1000)  # the same names, another company's
        from cmr_app.models import Client
        assert db.session.query(Client).filter_by(company_id=owner.company_id).count() == COUNT

    # A prefix of every name: one page, the newest first.
    assert names(client.get("/documents/lookup/clients?q=klie")) == [
        f"Klient {i:06d}" for i in (99_999, 99_998, 99_997, 99_996, 99_995, 99_994, 99_993, 99_992, 99_991,
                                    99_989)]
    # A prefix of a hundred names: the newest ten of them, each with its own data.
    found = client.get("/documents/lookup/clients?q=klient 0421").get_json()["items"]
    assert [e["name"] for e in found] == [f"Klient {i:06d}" for i in range(42_199, 42_189, -1)]
    assert found[0]["tax_id"] == "7000042199" and found[0]["city"] == CITIES[42_199 % 5][0]
    # A word's prefix found anywhere in the name, whatever the case and the accents typed.
    assert names(client.get("/documents/lookup/clients?q=KOWALS")) == [
        "Meble Kowalski Sp. z o.o.", "Kowalski i Syn", "Zakłady Mięsne Kowalski"]
    assert names(client.get("/documents/lookup/clients?q=mięs kowal")) == ["Zakłady Mięsne Kowalski"]
    # By tax id and by city, two words together.
    assert names(client.get("/documents/lookup/clients?q=7000031337")) == ["Klient 031337"]
    # "04217" is in 042170-042179 and in 004217; of those, three are in Łódź.
    assert names(client.get("/documents/lookup/clients?q=Łódź 04217")) == [
        "Klient 042177", "Klient 042172", "Klient 004217"]
    assert names(client.get("/documents/lookup/clients?q=nobody-by-this-name")) == []
    # One letter, and nothing typed: still one page.
    assert len(names(client.get("/documents/lookup/clients?q=k"))) == LOOKUP_LIMIT
    assert len(names(client.get("/documents/lookup/clients"))) == LOOKUP_LIMIT

    # Last week's consignee was an old entry: in that role it comes first, then the newest.
    api = api_for(owner)
    doc = {"sender": {"name": "Meble Kowalski Sp. z o.o.", "country": "PL"},
           "consignee": {"name": "Klient 000003", "city": "Wien", "country": "AT"},
           "place_of_delivery": {"city": "Graz", "country": "AT"},
           "taking_over": {"city": "Poznań", "country": "PL", "date": "2026-11-21"},
           "goods": [{"packages": 1, "nature": "Furniture", "gross_weight_kg": "100"}],
           "languages": ["pl", "de"], "copies": 4}
    assert api.post("/documents", json=doc).status_code == 201
    ranked = client.get("/documents/lookup/clients?q=klient&role=consignee").get_json()["items"]
    assert [e["name"] for e in ranked] == ["Klient 000003"] + [f"Klient {i:06d}" for i in (
        99_999, 99_998, 99_997, 99_996, 99_995, 99_994, 99_993, 99_992, 99_991)]
    assert ranked[0]["usual_place"] == {"city": "Graz", "country": "AT", "address": "", "from_document": True}
    assert ranked[1]["usual_place"]["from_document"] is False
    # As a sender it was never used: the plain order; the sender is first in its own role.
    assert names(client.get("/documents/lookup/clients?q=klient&role=sender"))[0] == "Klient 099999"
    assert names(client.get("/documents/lookup/clients?role=sender"))[0] == "Meble Kowalski Sp. z o.o."
    # A query the used party does not match leaves it out.
    assert "Klient 000003" not in names(client.get("/documents/lookup/clients?q=klient 0421&role=consignee"))
