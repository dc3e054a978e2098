"""Import and export (issue 13, item 7): the address book from and to CSV and XLSX, the
document list to CSV and XLSX with the list's filters, through the API."""
from __future__ import annotations

import io
import tracemalloc

from tests.conftest import sample_document
from tests.table_helpers import CLIENT_ROWS_WITH_ERRORS
from tests.table_helpers import csv_file as _csv
from tests.table_helpers import csv_rows as _csv_rows
from tests.table_helpers import xlsx_file as _xlsx
from tests.table_helpers import xlsx_rows as _xlsx_rows

CLIENTS = [
    {"name": "Meble Kowalski Sp. z o.o.", "city": "Poznań", "country": "PL", "tax_id": "7010847517"},
    {"name": "Möbelhaus Schäfer GmbH", "city": "Berlin", "country": "DE", "email": "info@schaefer.example"},
]


def _upload(api, kind: str, content: bytes, filename: str = "book.csv", dry_run: bool = False):
    query = "?dry_run=true" if dry_run else ""
    return api.post(f"/{kind}/import{query}", json=None,
                    data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def _book(api, kind: str) -> list[dict]:
    return api.get(f"/{kind}?limit=100").get_json()["items"]


def test_csv_round_trip_changes_nothing_then_an_edit_updates(api):
    for client in CLIENTS:
        assert api.post("/clients", json=client).status_code == 201
    exported = api.get("/clients/export?format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="clients-')
    assert exported.headers["Content-Disposition"].endswith('.csv"')
    rows = _csv_rows(exported)
    assert [r["name"] for r in rows] == [c["name"] for c in CLIENTS]
    assert rows[0]["tax_id"] == "7010847517" and rows[1]["email"] == "info@schaefer.example"

    again = _upload(api, "clients", exported.data)
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == {"created": 0, "updated": 0, "unchanged": 2, "errors": [], "dry_run": False,
                                "rows": 2}

    edited = exported.data.decode("utf-8").replace("Poznań", "Gniezno").encode("utf-8")
    result = _upload(api, "clients", edited).get_json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    assert {c["name"]: c["city"] for c in _book(api, "clients")}["Meble Kowalski Sp. z o.o."] == "Gniezno"
    assert len(_book(api, "clients")) == 2


def test_xlsx_round_trip_of_products_with_numbers_and_adr(api):
    adr = {"un_number": "1263", "proper_shipping_name": "PAINT", "class": "3", "packing_group": "II",
           "tunnel_code": "D/E", "environmentally_hazardous": True}
    product = {"name": "Farba", "nature": "Paint", "packages": 12, "packing": "drums",
               "gross_weight_kg": "1250.5", "volume_m3": "3", "adr": adr}
    assert api.post("/products", json=product).status_code == 201
    exported = api.get("/products/export?format=xlsx")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].endswith('.xlsx"')
    header, row = _xlsx_rows(exported)
    values = dict(zip(header, row))
    assert values["packages"] == 12 and values["gross_weight_kg"] == 1250.5 and values["adr.un_number"] == "1263"
    assert _upload(api, "products", exported.data, "p.xlsx").get_json()["unchanged"] == 1

    changed = _xlsx([header, [product["name"] if h == "name" else (1300 if h == "gross_weight_kg" else v)
                              for h, v in zip(header, row)]])
    result = _upload(api, "products", changed, "p.xlsx").get_json()
    assert (result["created"], result["updated"]) == (0, 1)
    assert _book(api, "products")[0]["gross_weight_kg"] == "1300"
    assert _book(api, "products")[0]["adr"] == adr  # every ADR column went out and came back


def test_errors_name_row_and_column_while_valid_rows_are_saved(api):
    content = _csv(CLIENT_ROWS_WITH_ERRORS)
    response = _upload(api, "clients", content)
    assert response.status_code == 200
    result = response.get_json()
    assert result["created"] == 1
    fields = {(e["row"], e["field"]) for e in result["errors"]}
    assert fields == {(3, "country"), (4, "name"), (5, "email"), (6, "tax_id")}
    assert all(e["message"] for e in result["errors"])
    assert [c["name"] for c in _book(api, "clients")] == ["Alpha Sp. z o.o."]


def test_a_dry_run_saves_nothing(api):
    content = _csv([["name", "city"], ["Alpha", "Kraków"], ["Beta", "Łódź"]])
    result = _upload(api, "clients", content, dry_run=True).get_json()
    assert result["created"] == 2 and result["dry_run"] is True
    assert _book(api, "clients") == []
    # a form field says the same
    form = api.post("/clients/import", data={"file": (io.BytesIO(content), "c.csv"), "dry_run": "true"},
                    content_type="multipart/form-data").get_json()
    assert form["dry_run"] is True and _book(api, "clients") == []
    # a value that is neither true nor false is refused, not taken for "no" and saved
    unclear = api.post("/clients/import?dry_run=maybe", data={"file": (io.BytesIO(content), "c.csv")},
                       content_type="multipart/form-data")
    assert unclear.status_code == 422 and unclear.get_json()["error"]["details"]["dry_run"]
    assert _book(api, "clients") == []
    # the query and the form saying different things: refused, nothing saved
    torn = api.post("/clients/import?dry_run=true", data={"file": (io.BytesIO(content), "c.csv"), "dry_run": "0"},
                    content_type="multipart/form-data")
    assert torn.status_code == 422 and torn.get_json()["error"]["details"]["dry_run"]
    assert _book(api, "clients") == []
    # a part the import does not read (a misspelt "file") is named, nothing saved
    misspelt = api.post("/clients/import", data={"flie": (io.BytesIO(content), "c.csv")},
                        content_type="multipart/form-data")
    assert misspelt.status_code == 422 and list(misspelt.get_json()["error"]["details"]) == ["flie"]
    extra = api.post("/clients/import", data={"file": (io.BytesIO(content), "c.csv"), "note": "x"},
                     content_type="multipart/form-data")
    assert extra.status_code == 422 and list(extra.get_json()["error"]["details"]) == ["note"]
    assert _book(api, "clients") == []
    # an update in a dry run is counted, not saved
    assert api.post("/clients", json={"name": "Alpha", "city": "Kraków"}).status_code == 201
    moved = _csv([["name", "city"], ["ALPHA", "Gdańsk"]])
    assert _upload(api, "clients", moved, dry_run=True).get_json()["updated"] == 1
    assert _book(api, "clients")[0]["city"] == "Kraków"


def test_duplicates_match_by_tax_id_then_by_name_case_insensitively(api):
    assert api.post("/clients", json={"name": "Meble Kowalski", "country": "PL",
                                      "tax_id": "7010847517"}).status_code == 201
    assert api.post("/clients", json={"name": "Łódzka Spedycja", "city": "Łódź"}).status_code == 201
    content = _csv([["name", "country", "tax_id", "city"],
                    ["Kowalski Meble (renamed)", "PL", "701-084-75-17", "Poznań"],  # same NIP, other format
                    ["ŁÓDZKA SPEDYCJA", "", "", "Zgierz"],
                    ["Nowa Firma", "PL", "", "Kalisz"],
                    ["Nowa Firma", "PL", "", "Kalisz"]])  # the same new firm twice in one file: once
    result = _upload(api, "clients", content).get_json()
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 2, 1), result
    book = {c["tax_id"] or c["name"]: c for c in _book(api, "clients")}
    assert len(book) == 3
    assert book["7010847517"]["name"] == "Kowalski Meble (renamed)"
    assert book["ŁÓDZKA SPEDYCJA"]["city"] == "Zgierz"


def test_a_polish_excel_csv_in_cp1250_with_semicolons(api):
    content = "nazwa;x\n".encode()  # unknown header: refused below
    assert _upload(api, "clients", content).status_code == 422
    content = _csv([["name", "city", "address"], ["Przewóz Żółć", "Łódź", "ul. Świętokrzyska 3"]],
                   encoding="cp1250", delimiter=";")
    result = _upload(api, "carriers", content).get_json()
    assert result["created"] == 1, result
    carrier = _book(api, "carriers")[0]
    assert (carrier["name"], carrier["city"], carrier["address"]) == ("Przewóz Żółć", "Łódź", "ul. Świętokrzyska 3")


def test_more_than_ten_thousand_rows_is_refused_whole(api):
    content = ("name\n" + "".join(f"Firma {i}\n" for i in range(10_001))).encode()
    response = _upload(api, "clients", content)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "10,000" in error["message"] and error["details"]["file"]
    assert _book(api, "clients") == []


def test_garbage_is_a_clear_4xx_error_object(api):
    for content, name in ((b"%PDF-1.7\n\x00\x01\x02binary", "x.pdf"), (b"PK\x03\x04garbage-zip", "x.xlsx"),
                          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "x.xls"), (b"", "empty.csv"),
                          (_csv([["nazwa", "miasto"], ["A", "B"]]), "x.csv")):
        response = _upload(api, "clients", content, name)
        assert response.status_code == 422, (name, response.status_code)
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and error["details"]["file"] and error["message"]
    missing = api.post("/clients/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["details"]
    big = _upload(api, "clients", b"name\n" + b"x" * (5 * 1024 * 1024))
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "payload_too_large"
    assert api.get("/clients/export?format=pdf").status_code == 422
    assert _book(api, "clients") == []


def test_formula_like_values_are_escaped_and_come_back_unchanged(api):
    assert api.post("/clients", json={"name": "=HYPERLINK(\"http://x\")", "phone": "+48 600 100 200",
                                      "address": "@home"}).status_code == 201
    rows = _csv_rows(api.get("/clients/export?format=csv"))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://x\")" and rows[0]["phone"] == "'+48 600 100 200"
    assert rows[0]["address"] == "'@home"
    header, row = _xlsx_rows(api.get("/clients/export?format=xlsx"))
    values = dict(zip(header, row))
    assert values["name"] == "'=HYPERLINK(\"http://x\")" and values["phone"] == "'+48 600 100 200"
    # imported back, the apostrophe goes again: nothing changes
    assert _upload(api, "clients", api.get("/clients/export").data).get_json()["unchanged"] == 1
    assert _book(api, "clients")[0]["name"] == "=HYPERLINK(\"http://x\")"


def test_another_companys_data_is_never_exported_nor_matched(api, api_for, make_account):
    other = api_for(make_account())
    assert other.post("/clients", json={"name": "Their Client", "country": "PL",
                                        "tax_id": "7010847517"}).status_code == 201
    assert other.post("/documents", json=sample_document()).status_code == 201
    assert _csv_rows(api.get("/clients/export")) == []
    assert _csv_rows(api.get("/documents/export")) == []
    result = _upload(api, "clients", _csv([["name", "country", "tax_id"], ["Their Client", "PL", "7010847517"]]))
    assert result.get_json()["created"] == 1
    assert len(_book(other, "clients")) == 1 and _book(other, "clients")[0]["name"] == "Their Client"


def test_address_book_export_honours_the_search(api):
    for client in CLIENTS:
        assert api.post("/clients", json=client).status_code == 201
    assert [r["name"] for r in _csv_rows(api.get("/clients/export?q=berlin"))] == ["Möbelhaus Schäfer GmbH"]
    assert [r[0] for r in _xlsx_rows(api.get("/clients/export?format=xlsx&q=kowalski"))[1:]] == [
        "Meble Kowalski Sp. z o.o."]
    assert _csv_rows(api.get("/clients/export?q=nowhere")) == []


def test_document_export_honours_the_lists_filters(api):
    first = api.post("/documents", json=sample_document()).get_json()
    doc = sample_document()
    doc["consignee"] = {**doc["consignee"], "name": "Alpenspedition AG", "city": "Wien", "country": "AT"}
    second = api.post("/documents", json=doc).get_json()
    assert api.post(f"/documents/{first['id']}/cancel", json={"reason": "typo"}).status_code == 200
    everything = _csv_rows(api.get("/documents/export?format=csv"))
    assert [r["number"] for r in everything] == [second["number"], first["number"]]  # newest first, as the list
    assert everything[0]["consignee.city"] == "Wien" and everything[0]["gross_weight_kg"] == "12400.5"
    assert everything[0]["packages"] == "33" and everything[0]["goods"] == "Furniture"
    searched = _csv_rows(api.get("/documents/export?format=csv&q=alpenspedition"))
    assert [r["number"] for r in searched] == [second["number"]]
    cancelled = _xlsx_rows(api.get("/documents/export?format=xlsx&status=cancelled"))
    assert [r[0] for r in cancelled[1:]] == [first["number"]]
    listed = api.get("/documents?status=cancelled").get_json()["items"]
    assert [d["number"] for d in listed] == [first["number"]]
    bad = api.get("/documents/export?from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 422 and "to" in bad.get_json()["error"]["details"]
    assert api.get("/documents/export?status=nonsense").status_code == 422


def test_exporting_5000_documents_stays_bounded_in_memory(app, api, make_account):
    """Not a timing test: the export's peak of traced memory stays far below what 5,000
    documents held at once would take (each row is about 2 kB of JSON)."""
    from sqlalchemy import select

    from cmr_app.extensions import db
    from cmr_app.models import Document
    first = api.post("/documents", json=sample_document()).get_json()
    with app.app_context():
        template = db.session.get(Document, first["id"])
        data, company_id, issued_on = dict(template.data), template.company_id, template.issued_on
        data["documents_attached"] = "x" * 2000
        db.session.execute(Document.__table__.insert(), [
            {"company_id": company_id, "number": f"BULK/{i}", "status": "issued", "data": data,
             "public_token": f"bulk-token-{i}", "fingerprint": "ABCDEFGHJKLM", "issued_on": issued_on,
             "search_text": "bulk", "version": 1, "created_at": template.created_at,
             "updated_at": template.created_at} for i in range(5000)])
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Document)) == 5001
    for fmt in ("csv", "xlsx"):
        tracemalloc.start()
        response = api.get(f"/documents/export?format={fmt}", buffered=False)
        size = sum(len(chunk) for chunk in response.response)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        response.close()
        assert size > 5000 * 20
        # Measured: about 3 MB in pages of 200; the 5,000 rows held at once took 66 MB.
        assert peak < 8 * 1024 * 1024, (fmt, peak)


def test_the_openapi_description_names_the_import_and_the_exports(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for kind in ("clients", "carriers", "products"):
        operation = spec["paths"][f"/{kind}/import"]["post"]
        body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["required"] == ["file"] and body["properties"]["file"]["format"] == "binary"
        result = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert {"created", "updated", "errors"} <= set(result["required"])
        assert result["properties"]["errors"]["items"]["required"] == ["row", "field", "message"]
        assert {"413", "422", "403"} <= set(operation["responses"])
        export = spec["paths"][f"/{kind}/export"]["get"]
        assert set(export["responses"]["200"]["content"]) == {
            "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        assert {p["name"] for p in export["parameters"]} == {"format", "q"}
    documents = spec["paths"]["/documents/export"]["get"]
    assert {p["name"] for p in documents["parameters"]} == {"format", "q", "from", "to", "status"}
