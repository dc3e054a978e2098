"""The JSON API as API.md writes it: auth, the error object, address book, documents."""
from __future__ import annotations

import re

from types import SimpleNamespace

import time_machine

from tests.conftest import sample_document

NOV = "2026-11-21T10:00:00+00:00"


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_requests_without_a_token_get_401_with_the_error_object(client):
    response = client.get("/api/v1/documents")
    assert response.status_code == 401
    body = response.get_json()["error"]
    assert body["code"] == "unauthorized" and body["message"]
    response = client.get("/api/v1/documents", headers={"Authorization": "Bearer cmr_nonsense"})
    assert response.status_code == 401


def test_unknown_path_and_method_answer_with_the_error_object(api):
    assert error_code(api.get("/nothing-here")) == "not_found"
    response = api.put("/documents")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_bad_json_is_a_400_not_a_500(api):
    response = api.client.post("/api/v1/clients", data="{not json", content_type="application/json",
                                headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400 and error_code(response) == "bad_request"
    assert api.post("/clients", json=[1, 2]).status_code == 400


def test_client_crud_and_search(api):
    created = api.post("/clients", json={"name": "Łódzka Spedycja", "city": "Łódź", "country": "pl",
                                         "tax_id": "PL 701-084-75-17"})
    assert created.status_code == 201, created.get_json()
    client = created.get_json()
    assert client["country"] == "PL" and client["tax_id"] == "7010847517"
    api.post("/clients", json={"name": "Other", "city": "Kraków", "country": "PL"})
    found = api.get("/clients?q=ŁÓDŹ").get_json()["items"]
    assert [c["name"] for c in found] == ["Łódzka Spedycja"]
    patched = api.patch(f"/clients/{client['id']}", json={"phone": "+48 600 100 200"}).get_json()
    assert patched["phone"] == "+48 600 100 200" and patched["name"] == "Łódzka Spedycja"
    assert api.delete(f"/clients/{client['id']}").status_code == 204
    assert api.get(f"/clients/{client['id']}").status_code == 404


def test_validation_errors_name_the_fields(api):
    response = api.post("/clients", json={"name": "", "country": "XX", "tax_id": "1234567890"})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert error_code(response) == "validation_error"
    assert "name" in details and "country" in details


def test_invalid_nip_is_refused_with_a_field_error(api):
    response = api.post("/clients", json={"name": "Firma", "country": "PL", "tax_id": "7010847518"})
    assert response.status_code == 422
    assert "tax_id" in response.get_json()["error"]["details"]


def test_eu_vat_id_is_checked(api):
    assert api.post("/carriers", json={"name": "DE Carrier", "country": "DE", "tax_id": "DE136695976",
                                       "vehicle_registration": "B-XY 123"}).status_code == 201
    assert api.post("/carriers", json={"name": "Bad", "country": "DE", "tax_id": "DE136695977"}).status_code == 422


def test_products_keep_decimals_and_adr(api):
    adr = {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3", "packing_group": "II",
           "tunnel_code": "D/E", "environmentally_hazardous": True}
    product = api.post("/products", json={"name": "Paint", "packages": 10, "packing": "drum",
                                          "nature": "Paint", "gross_weight_kg": "705.600", "volume_m3": "1.2",
                                          "adr": adr})
    assert product.status_code == 201
    data = product.get_json()
    assert data["gross_weight_kg"] == "705.6" and data["adr"] == adr
    # The whole ADR entry is kept, not only class, UN number and packing group.
    assert api.get(f"/products/{data['id']}").get_json()["adr"] == adr
    changed = api.patch(f"/products/{data['id']}", json={"adr": {**adr, "tunnel_code": "E",
                                                                 "environmentally_hazardous": False}})
    assert changed.status_code == 200, changed.get_json()
    assert api.get(f"/products/{data['id']}").get_json()["adr"] == {**adr, "tunnel_code": "E",
                                                                   "environmentally_hazardous": False}
    plain = api.post("/products", json={"name": "Chairs", "adr": {"environmentally_hazardous": False}})
    assert plain.status_code == 201 and plain.get_json()["adr"] is None
    bad = api.post("/products", json={"name": "X", "gross_weight_kg": "heavy", "adr": {"un_number": "12"}})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]) >= {"gross_weight_kg", "adr.un_number"}


@time_machine.travel(NOV, tick=False)
def test_create_read_list_a_document(api):
    response = api.post("/documents", json=sample_document())
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["number"] == "2026/11/00001"
    assert doc["public_url"].startswith("http://cmr.test/d/") and len(doc["public_url"].rsplit("/", 1)[1]) >= 22
    assert doc["goods"][0]["gross_weight_kg"] == "12400.5"
    assert doc["created_at"].endswith("+00:00")
    second = api.post("/documents", json=sample_document()).get_json()
    assert second["number"] == "2026/11/00002"
    listed = api.get("/documents?limit=1").get_json()
    assert [d["id"] for d in listed["items"]] == [second["id"]]
    # The cursor handed out is one the description says the API takes.
    from cmr_app.api.openapi import PAGING
    cursor_pattern = next(p for p in PAGING if p["name"] == "cursor")["schema"]["pattern"]
    assert re.fullmatch(cursor_pattern.strip("^$"), listed["next_cursor"])
    older = api.get(f"/documents?limit=1&cursor={listed['next_cursor']}").get_json()
    assert [d["id"] for d in older["items"]] == [doc["id"]] and older["next_cursor"] is None
    assert api.get(f"/documents/{doc['id']}").get_json()["number"] == "2026/11/00001"


@time_machine.travel(NOV, tick=False)
def test_document_search_and_date_filters(api):
    api.post("/documents", json=sample_document())
    api.post("/documents", json=sample_document(
        consignee={"name": "Verona Mobili", "city": "Verona", "country": "IT"},
        established={"place": "Poznań", "date": "2026-10-02"}))
    assert [d["consignee"]["name"] for d in api.get("/documents?q=verona").get_json()["items"]] == ["Verona Mobili"]
    assert len(api.get("/documents?q=poznań").get_json()["items"]) == 2
    assert len(api.get("/documents?q=2026/11/00001").get_json()["items"]) == 1
    in_october = api.get("/documents?from=2026-10-01&to=2026-10-31").get_json()["items"]
    assert [d["consignee"]["city"] for d in in_october] == ["Verona"]
    assert api.get("/documents?from=yesterday").status_code == 422
    assert api.get("/documents?limit=500").status_code == 422
    assert api.get("/documents?cursor=@@@").status_code == 400


def test_document_validation_reports_goods_line_fields(api):
    payload = sample_document(goods=[{"nature": "ok"}, {"gross_weight_kg": "-3", "packages": "many"}],
                              languages=["pl", "xx"], copies=5)
    response = api.post("/documents", json=payload)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert {"goods.1.gross_weight_kg", "goods.1.packages", "languages", "copies"} <= set(details)
    assert api.get("/documents").get_json()["items"] == []


@time_machine.travel(NOV, tick=False)
def test_parties_picked_by_id_are_copied_at_save_time(api):
    client = api.post("/clients", json={"name": "Kowalski", "city": "Poznań", "country": "PL"}).get_json()
    carrier = api.post("/carriers", json={"name": "Trans", "country": "PL",
                                          "vehicle_registration": "PO 1"}).get_json()
    doc = api.post("/documents", json=sample_document(sender_client_id=client["id"],
                                                      carrier_id=carrier["id"])).get_json()
    assert doc["sender"]["name"] == "Kowalski" and doc["carrier"]["vehicle_registration"] == "PO 1"
    api.patch(f"/clients/{client['id']}", json={"name": "Kowalski Renamed"})
    assert api.get(f"/documents/{doc['id']}").get_json()["sender"]["name"] == "Kowalski"


def test_a_party_id_of_another_company_is_refused(api, make_account, api_for):
    other = api_for(make_account())
    foreign = other.post("/clients", json={"name": "Secret", "country": "PL"}).get_json()
    response = api.post("/documents", json=sample_document(sender_client_id=foreign["id"]))
    # As an unknown id in the path: 404, naming the field (the description documents it).
    assert response.status_code == 404 and response.get_json()["error"]["details"]["party"]


def test_another_companys_objects_are_404(api, make_account, api_for):
    other = api_for(make_account())
    client = other.post("/clients", json={"name": "Theirs", "country": "PL"}).get_json()
    doc = other.post("/documents", json=sample_document()).get_json()
    for path in (f"/clients/{client['id']}", f"/documents/{doc['id']}", f"/documents/{doc['id']}/pdf"):
        assert api.get(path).status_code == 404
    assert api.patch(f"/clients/{client['id']}", json={"name": "Mine"}).status_code == 404
    assert api.delete(f"/documents/{doc['id']}").status_code == 404
    assert api.post(f"/documents/{doc['id']}/duplicate").status_code == 404
    assert api.get("/clients").get_json()["items"] == []
    assert other.get(f"/clients/{client['id']}").get_json()["name"] == "Theirs"


def test_idempotency_key_returns_the_first_result(api):
    headers = {"Idempotency-Key": "order-4711"}
    first = api.post("/documents", json=sample_document(), headers=headers)
    again = api.post("/documents", json=sample_document(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert len(api.get("/documents").get_json()["items"]) == 1
    assert api.get("/account").get_json()["usage"]["used"] == 1
    other_payload = api.post("/documents", json=sample_document(copies=3), headers=headers)
    assert other_payload.status_code == 409


def test_edit_does_not_count_duplicate_does_delete_does_not_refund(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift", "status": "delivered"})
    assert api.get("/account").get_json()["usage"]["used"] == 1
    edited = api.get(f"/documents/{doc['id']}").get_json()
    assert edited["special_agreements"] == "Tail lift" and edited["status"] == "delivered"
    assert edited["fingerprint"] != doc["fingerprint"]
    copy = api.post(f"/documents/{doc['id']}/duplicate")
    assert copy.status_code == 201 and copy.get_json()["number"] != doc["number"]
    assert api.get("/account").get_json()["usage"]["used"] == 2
    api.delete(f"/documents/{doc['id']}")
    assert api.get("/account").get_json()["usage"]["used"] == 2


def test_pdf_download(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    response = api.get(f"/documents/{doc['id']}/pdf?languages=lt,ru&copies=3")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert api.get(f"/documents/{doc['id']}/pdf?languages=xx").status_code in (400, 422)
    assert api.get(f"/documents/{doc['id']}/pdf?copies=9").status_code == 422


def test_pdf_annex_after_all_copies_or_as_a_separate_file(api):
    """annex=after|separate|only: the annex never sits between the form pages; a
    dispatcher prints the copies on pre-printed sets and the annex on plain paper."""
    from tests.pdf_helpers import pdf_pages_text
    long_text = " ".join(f"Instruction {i}: keep the load dry, call the consignee 2 h before arrival." for i in range(40))
    doc = api.post("/documents", json=sample_document(sender_instructions=long_text)).get_json()
    url = f"/documents/{doc['id']}/pdf?copies=3&languages=pl,en"
    after = pdf_pages_text(api.get(url).data)
    annex = (len(after) - 3) // 3
    assert annex >= 1 and len(after) == 3 + 3 * annex
    assert all("Annex 1" not in page for page in after[:3]) and "Annex 1" in after[3]
    separate = api.get(url + "&annex=separate&blank=1")
    assert separate.status_code == 200 and len(pdf_pages_text(separate.data)) == 3
    only = api.get(url + "&annex=only")
    assert only.status_code == 200 and 'annex.pdf"' in only.headers["Content-Disposition"]
    assert pdf_pages_text(only.data) == after[3:]
    assert error_code(api.get(url + "&annex=between")) == "validation_error"
    plain = api.post("/documents", json=sample_document()).get_json()
    response = api.get(f"/documents/{plain['id']}/pdf?annex=only")
    assert response.status_code == 422 and "annex" in response.get_json()["error"]["details"]


def test_viewer_can_read_but_not_write(app, api, make_account, api_for):
    from cmr_app.extensions import db
    from cmr_app.models import User
    owner_doc = api.post("/documents", json=sample_document()).get_json()
    with app.app_context():
        owner = db.session.get(User, api.get("/account").get_json()["user"]["id"])
        viewer = User(company_id=owner.company_id, email="viewer@example.com", password_hash="x",
                      role="viewer")
        db.session.add(viewer)
        db.session.commit()
        viewer_id = viewer.id
    as_viewer = api_for(SimpleNamespace(id=viewer_id))
    assert as_viewer.get(f"/documents/{owner_doc['id']}").status_code == 200
    response = as_viewer.post("/documents", json=sample_document())
    assert response.status_code == 403 and error_code(response) == "forbidden"


def test_unverified_account_is_read_only_after_14_days(make_account, api_for):
    with time_machine.travel("2026-11-01T09:00:00+00:00", tick=False):
        user = make_account(verified=False)
        api = api_for(user)
        assert api.post("/documents", json=sample_document()).status_code == 201
    with time_machine.travel("2026-11-15T08:59:00+00:00", tick=False):
        assert api.post("/documents", json=sample_document()).status_code == 201
    with time_machine.travel("2026-11-15T09:00:00+00:00", tick=False):
        response = api.post("/documents", json=sample_document())
        assert response.status_code == 403
        assert response.get_json()["error"]["details"]["reason"] == "email_unverified"
        assert len(api.get("/documents").get_json()["items"]) == 2


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/documents", "/documents/{id}", "/clients", "/account", "/account/plan"} <= set(spec["paths"])
    assert "DocumentIn" in spec["components"]["schemas"]


def test_public_plans_catalogue(client):
    plans = client.get("/api/v1/plans").get_json()["items"]
    assert [(p["code"], p["price_per_year"], p["documents_per_month"]) for p in plans] == [
        ("free", "0.00", 10), ("standard", "490.00", 150), ("pro", "1190.00", 2000)]


def test_ids_beyond_the_column_are_404_or_field_errors_never_500(api):
    huge = 10 ** 20
    assert api.get(f"/documents/{huge}").status_code == 404
    assert api.get(f"/clients/{huge}").status_code == 404
    assert api.delete("/products/-5").status_code == 404
    response = api.post("/documents", json=sample_document(sender_client_id=huge))
    assert response.status_code == 422 and "sender_client_id" in response.get_json()["error"]["details"]
    assert api.post("/documents", json=sample_document(carrier_id=0)).status_code == 422
