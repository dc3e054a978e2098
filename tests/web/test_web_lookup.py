"""The CMR form's picker lookups (issue 13 item 1): GET /documents/lookup/<kind>?q=
answers at most ten entries of the user's own company from the address book's search,
with a client's usual place; bad input gets the error object, never a 500."""
from __future__ import annotations

from tests.conftest import sample_document


def _client(api, name: str, **more) -> dict:
    response = api.post("/clients", json={"name": name, "country": "PL", **more})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_lookup_finds_the_companys_entries_and_never_another_companys(client, owner, api_for, make_account):
    api = api_for(owner)
    _client(api, "Meble Kowalski Sp. z o.o.", city="Poznań")
    _client(api, "Möbelhaus Schäfer GmbH", city="Berlin", country="DE")
    assert api.post("/carriers", json={"name": "Trans-Pol Sp.j.", "vehicle_registration": "PO 12345"}).status_code == 201
    assert api.post("/products", json={"name": "Paint 20 l", "nature": "Paint"}).status_code == 201
    stranger = api_for(make_account(company="Other"))
    _client(stranger, "Kowalski Konkurencja")

    found = client.get("/documents/lookup/clients?q=KOWAL")
    assert found.status_code == 200
    assert [e["name"] for e in found.get_json()["items"]] == ["Meble Kowalski Sp. z o.o."]
    assert found.get_json()["items"][0]["city"] == "Poznań"
    assert [e["name"] for e in client.get("/documents/lookup/clients?q=łódź").get_json()["items"]] == []
    assert [e["name"] for e in client.get("/documents/lookup/clients?q=schäfer berlin").get_json()["items"]] == [
        "Möbelhaus Schäfer GmbH"]
    [carrier] = client.get("/documents/lookup/carriers?q=po 123").get_json()["items"]
    assert carrier["vehicle_registration"] == "PO 12345"
    [product] = client.get("/documents/lookup/products?q=paint").get_json()["items"]
    assert product["nature"] == "Paint"
    # Blank q: the newest entries, never the other company's.
    names = [e["name"] for e in client.get("/documents/lookup/clients").get_json()["items"]]
    assert sorted(names) == ["Meble Kowalski Sp. z o.o.", "Möbelhaus Schäfer GmbH"]


def test_lookup_answers_at_most_ten(client, owner, api_for):
    api = api_for(owner)
    for i in range(12):
        _client(api, f"Hurtownia Nr {i}")
    items = client.get("/documents/lookup/clients?q=hurtownia").get_json()["items"]
    assert len(items) == 10
    assert items[0]["name"] == "Hurtownia Nr 11"  # the newest first


def test_a_clients_usual_place_comes_from_its_last_document_else_its_address(client, owner, api_for):
    api = api_for(owner)
    schaefer = _client(api, "Möbelhaus Schäfer GmbH", city="Berlin", country="DE", address="Friedrichstraße 5")
    _client(api, "Bakkerij de Vries", city="Utrecht", country="NL", address="Oudegracht 1")
    for city in ("Hamburg", "Potsdam"):  # the later one wins
        doc = sample_document(place_of_delivery={"city": city, "country": "DE", "address": f"Lager {city}"})
        assert api.post("/documents", json=doc).status_code == 201

    [entry] = client.get("/documents/lookup/clients?q=schäfer&role=consignee").get_json()["items"]
    assert entry["id"] == schaefer["id"]
    assert entry["usual_place"] == {"city": "Potsdam", "country": "DE", "address": "Lager Potsdam",
                                    "from_document": True}
    [vries] = client.get("/documents/lookup/clients?q=vries&role=consignee").get_json()["items"]
    assert vries["usual_place"] == {"city": "Utrecht", "country": "NL", "address": "Oudegracht 1",
                                    "from_document": False}
    # As a sender, Schäfer has never been on a document: its own address.
    [as_sender] = client.get("/documents/lookup/clients?q=schäfer&role=sender").get_json()["items"]
    assert as_sender["usual_place"] == {"city": "Berlin", "country": "DE", "from_document": False}


def test_bad_lookups_get_a_clear_error_not_a_500(client, owner):
    for path, status, words in (
            ("/documents/lookup/invoices?q=x", 404, "choose clients, carriers or products"),
            ("/documents/lookup/clients?q=" + "x" * 101, 400, "at most 100 characters"),
            ("/documents/lookup/clients?q=a&role=driver", 400, "sender or consignee"),
            ("/documents/lookup/carriers?q=a&role=sender", 400, "sender or consignee")):
        response = client.get(path)
        assert response.status_code == status, path
        assert words in response.get_json()["error"]["message"], path
    for q in ("a%00b", "a%E2%80%AEb"):  # refused for every address before any view
        assert client.get("/documents/lookup/clients?q=" + q).status_code == 400
    # Odd but harmless text is just searched.
    for q in ("%", "_", '"', "\\", "'; drop table clients; --", "a OR b", "NEAR(a b)", "*"):
        response = client.get("/documents/lookup/clients", query_string={"q": q})
        assert response.status_code == 200 and response.get_json()["items"] == [], q


def test_lookup_needs_a_signed_in_user(client):
    response = client.get("/documents/lookup/clients?q=a")
    assert response.status_code in (302, 401)
    assert "items" not in response.get_data(as_text=True)


def test_the_form_embeds_no_address_book_and_offers_the_last_carrier(client, owner, api_for):
    api = api_for(owner)
    for i in range(3):
        _client(api, f"Klient {i}")
    html = client.get("/documents/new").get_data(as_text=True)
    assert "Klient 1" not in html and 'id="book-data"' not in html
    assert 'role="combobox"' in html and 'data-lookup="/documents/lookup/clients"' in html
    assert "Use last carrier" not in html  # no document yet
    assert api.post("/documents", json=sample_document()).status_code == 201
    html = client.get("/documents/new").get_data(as_text=True)
    assert "Use last carrier: Trans-Pol Sp.j., PO 12345 / PO 6789A" in html


def test_only_a_blank_new_cmr_opens_with_the_senders_picker_in_focus(client, owner, api_for):
    assert 'data-start-picker="pick-sender"' in client.get("/documents/new").get_data(as_text=True)
    doc = api_for(owner).post("/documents", json=sample_document()).get_json()
    for path in (f"/documents/{doc['id']}/edit", f"/documents/new?from={doc['id']}"):
        html = client.get(path).get_data(as_text=True)
        assert 'role="combobox"' in html and "data-start-picker" not in html, path
    # A refused post shows the error summary, which takes the focus instead.
    html = client.post("/documents/new", data={"sender.name": ""}).get_data(as_text=True)
    assert 'id="error-summary"' in html and "data-start-picker" not in html


def test_words_begun_by_the_query_come_first_then_other_matches_newest_first(client, owner, api_for):
    api = api_for(owner)
    for name in ("Polmeble", "Expol Sp. z o.o.", "Trans-Pol Sp.j.", "Napoleon Logistics"):
        _client(api, name)
    _client(api, "Meble Nowak", city="Opole")
    # "pol" begins a word of Trans-Pol and Polmeble; it is only inside the others (Opole too).
    assert [e["name"] for e in client.get("/documents/lookup/clients?q=POL").get_json()["items"]] == [
        "Trans-Pol Sp.j.", "Polmeble", "Meble Nowak", "Napoleon Logistics", "Expol Sp. z o.o."]
    # Every word must begin one: "pol" does, "sp" does not in Trans-Pol ("sp.j." does)...
    assert [e["name"] for e in client.get("/documents/lookup/clients?q=sp. pol").get_json()["items"]] == [
        "Trans-Pol Sp.j.", "Expol Sp. z o.o."]
    # ... and the API's own search keeps its order, the newest first.
    assert [e["name"] for e in api.get("/clients?q=pol").get_json()["items"]][:2] == [
        "Meble Nowak", "Napoleon Logistics"]


def test_the_latest_documents_parties_come_first_in_their_role(client, owner, api_for, make_account):
    api = api_for(owner)
    schaefer = _client(api, "Möbelhaus Schäfer GmbH", city="Berlin", country="DE", tax_id="DE811907980")
    _client(api, "Berliner Möbel AG", city="Berlin", country="DE")
    trans_pol = {"name": "Trans-Pol Sp.j.", "vehicle_registration": "PO 12345"}
    assert api.post("/carriers", json=trans_pol).status_code == 201
    assert api.post("/carriers", json={"name": "Euro-Trans GmbH"}).status_code == 201
    # Another company's document naming the same client changes nothing here.
    stranger = api_for(make_account(company="Other"))
    assert stranger.post("/documents", json=sample_document(
        consignee={"name": "Berliner Möbel AG", "country": "DE"})).status_code == 201

    def first(path):
        return [e["name"] for e in client.get(path).get_json()["items"]]

    assert first("/documents/lookup/clients?q=berlin&role=consignee") == [
        "Berliner Möbel AG", "Möbelhaus Schäfer GmbH"]
    assert first("/documents/lookup/carriers?q=trans") == ["Euro-Trans GmbH", "Trans-Pol Sp.j."]
    # A document to Schäfer (named a little differently, same tax id), carried by Trans-Pol.
    doc = sample_document(consignee={"name": "Möbelhaus Schäfer", "country": "DE", "tax_id": "DE 811 907 980"})
    assert api.post("/documents", json=doc).status_code == 201
    assert first("/documents/lookup/clients?q=berlin&role=consignee") == [
        "Möbelhaus Schäfer GmbH", "Berliner Möbel AG"]
    assert first("/documents/lookup/clients?role=consignee")[0] == "Möbelhaus Schäfer GmbH"
    assert first("/documents/lookup/carriers?q=trans") == ["Trans-Pol Sp.j.", "Euro-Trans GmbH"]
    assert first("/documents/lookup/carriers")[0] == "Trans-Pol Sp.j."
    # Only in its role: as a sender Schäfer is just one of the matches, the newest first.
    assert first("/documents/lookup/clients?q=berlin&role=sender") == ["Berliner Möbel AG", "Möbelhaus Schäfer GmbH"]
    # Without a role (the address book's own order) nothing moves.
    assert first("/documents/lookup/clients?q=berlin") == ["Berliner Möbel AG", "Möbelhaus Schäfer GmbH"]
    [top, _other] = client.get("/documents/lookup/clients?q=berlin&role=consignee").get_json()["items"]
    assert top["id"] == schaefer["id"]


def test_used_parties_with_quotes_percent_signs_or_short_names_are_found_safely(client, owner, api_for):
    api = api_for(owner)
    odd = _client(api, 'Firma "Pol-Mar" 100% s.c._1', city="Kraków")
    short = _client(api, "AB", city="Kraków")
    for i in range(3):
        _client(api, f"Pol-Mar Kraków {i}", city="Kraków")
    for name in ('Firma "Pol-Mar" 100% s.c._1', "AB"):
        doc = sample_document(consignee={"name": name, "country": "PL"})
        assert api.post("/documents", json=doc).status_code == 201
    items = client.get("/documents/lookup/clients?q=pol-mar&role=consignee").get_json()["items"]
    assert items[0]["id"] == odd["id"] and len(items) == 4
    # A name too short for the trigram indexes is not ranked by use, but still found.
    items = client.get("/documents/lookup/clients?q=krak&role=consignee").get_json()["items"]
    assert items[0]["id"] == odd["id"] and short["id"] in [e["id"] for e in items]
