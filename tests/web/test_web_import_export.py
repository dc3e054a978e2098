"""Import and export in the web interface (issue 13, item 7): an address book from a CSV
or XLSX file through a dry-run preview and "Confirm import", and the lists to CSV and
XLSX with their search and filters."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import sample_document
from tests.table_helpers import CLIENT_ROWS_WITH_ERRORS
from tests.table_helpers import csv_file as _csv
from tests.table_helpers import csv_rows as _csv_rows
from tests.table_helpers import xlsx_file as _xlsx
from webhelpers import cmr_form

PASSWORD = "correct horse 1"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports")}


@pytest.fixture
def uploads(app_config) -> Path:
    """Where the files waiting for "Confirm import" are kept."""
    return Path(app_config["EXPORT_DIR"]) / "imports"


def _upload(client, kind: str, content: bytes, filename: str = "book.csv"):
    return client.post(f"/book/{kind}/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    return unescape(re.search(r'name="token" value="([^"]+)"', html).group(1))


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _book(app, model_name: str, company_id: int) -> list:
    from cmr_app import models
    from cmr_app.extensions import db
    model = getattr(models, model_name)
    with app.app_context():
        return list(db.session.scalars(select(model).where(model.company_id == company_id).order_by(model.id)))


def _login_other(app, user):
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return other


def test_the_preview_is_a_dry_run_then_confirm_saves_and_counts(app, client, owner, uploads):
    assert client.post("/book/clients/new", data={"name": "Alpha Sp. z o.o.", "city": "Kraków",
                                                  "country": "PL"}).status_code == 302
    listing = client.get("/book/clients").get_data(as_text=True)
    assert 'href="/book/clients/import"' in listing
    content = _csv([["name", "city", "country"], ["ALPHA SP. Z O.O.", "Gdańsk", "PL"],
                    ["Beta GmbH", "Berlin", "DE"]])
    preview = _upload(client, "clients", content, "moje.csv")
    assert preview.status_code == 200
    text = _text(preview)
    assert "moje.csv : 2 rows read. Nothing has been saved yet." in text, text
    assert re.search(r'id="count-created">1<', preview.get_data(as_text=True))
    assert re.search(r'id="count-updated">1<', preview.get_data(as_text=True))
    assert "3 New Beta GmbH City: Berlin Country: DE" in text
    # matched by name, capitals aside: the file's spelling is what would be saved, and is shown
    assert "2 Update Alpha Sp. z o.o. Name: Alpha Sp. z o.o. → ALPHA SP. Z O.O. City: Kraków → Gdańsk" in text
    # nothing saved; the file waits in the company's folder
    assert [(c.name, c.city) for c in _book(app, "Client", owner.company_id)] == [("Alpha Sp. z o.o.", "Kraków")]
    [waiting] = (uploads / str(owner.company_id)).iterdir()
    assert waiting.read_bytes() == content

    confirmed = client.post("/book/clients/import/confirm", data={"token": _token(preview.get_data(as_text=True)),
                                                                  "action": "confirm"})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/book/clients")
    assert "Import done: 1 created, 1 updated, 0 unchanged." in _text(client.get("/book/clients"))
    assert sorted((c.name, c.city) for c in _book(app, "Client", owner.company_id)) == [
        ("ALPHA SP. Z O.O.", "Gdańsk"), ("Beta GmbH", "Berlin")]
    assert list((uploads / str(owner.company_id)).iterdir()) == []  # used once, then deleted
    again = client.post("/book/clients/import/confirm", data={"token": _token(preview.get_data(as_text=True)),
                                                              "action": "confirm"}, follow_redirects=True)
    assert "The uploaded file is no longer waiting" in _text(again)
    assert len(_book(app, "Client", owner.company_id)) == 2


def test_an_xlsx_of_products_previews_and_imports(app, client, owner):
    content = _xlsx([["name", "nature", "packages", "gross_weight_kg", "adr.class", "adr.un_number"],
                     ["Farba", "Paint", 4, 800.5, "3", "1263"]])
    preview = _upload(client, "products", content, "towary.xlsx")
    assert preview.status_code == 200
    assert "Gross weight, kg: 800.5" in _text(preview) and "UN number: 1263" in _text(preview)
    assert _book(app, "Product", owner.company_id) == []
    client.post("/book/products/import/confirm", data={"token": _token(preview.get_data(as_text=True)),
                                                       "action": "confirm"})
    [product] = _book(app, "Product", owner.company_id)
    assert (product.name, product.packages, str(product.gross_weight_kg).rstrip("0"), product.adr_un_number) == (
        "Farba", 4, "800.5", "1263")


def test_a_file_with_errors_shows_each_row_and_column_and_saves_nothing(app, client, owner):
    content = _csv(CLIENT_ROWS_WITH_ERRORS)
    preview = _upload(client, "clients", content)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    rows = re.findall(r'<tr>\s*<td data-label="Row" class="num row-no">(\d+)</td>\s*'
                      r'<td data-label="Column" class="inline">[^<]*<code>([^<]+)</code></td>', html)
    assert sorted(rows) == [("3", "country"), ("4", "name"), ("5", "email"), ("6", "tax_id")]
    assert re.search(r'id="count-errors">4<', html) and re.search(r'id="count-created">1<', html)
    assert "Rows with errors are skipped" in _text(preview)
    assert _book(app, "Client", owner.company_id) == []
    # confirmed, the valid row is saved and the others are said to be skipped
    client.post("/book/clients/import/confirm", data={"token": _token(html), "action": "confirm"})
    page = _text(client.get("/book/clients"))
    assert "Import done: 1 created, 0 updated, 0 unchanged." in page and "4 rows with errors were skipped." in page
    assert [c.name for c in _book(app, "Client", owner.company_id)] == ["Alpha Sp. z o.o."]


def test_a_file_that_changes_nothing_offers_no_confirmation(app, client, owner, uploads):
    client.post("/book/carriers/new", data={"name": "Trans-Pol", "city": "Września", "country": "PL"})
    preview = _upload(client, "carriers", _csv([["name", "city"], ["trans-pol", "Września"]]))
    # the name's capitals differ: that is a change; the same row again is not
    assert 'value="confirm"' in preview.get_data(as_text=True)
    same = _upload(client, "carriers", _csv([["name", "city"], ["Trans-Pol", "Września"]]))
    assert 'value="confirm"' not in same.get_data(as_text=True)
    assert "Nothing in this file would change the address book." in _text(same)
    assert not any(uploads.rglob("*.upload"))  # the first file was replaced, the second not kept


@pytest.mark.parametrize("content, name, message", [
    (b"%PDF-1.7\n\x00\x01\x02binary", "faktura.pdf", "The file is neither a CSV file nor an XLSX workbook."),
    (b"PK\x03\x04garbage-zip", "broken.xlsx", "The file is neither a CSV file nor an XLSX workbook."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "old.xls", "Old Excel files (.xls) cannot be read"),
    (b"", "empty.csv", "The file is empty."),
    (b"nazwa;miasto\nA;B\n", "pl.csv", "The first row must name the columns; “name” is required."),
    (b"name\n" + b"x" * (5 * 1024 * 1024), "big.csv", "The file is larger than 4 MB; split it into smaller files."),
])
def test_a_bad_file_gets_a_clear_message_and_nothing_is_kept(app, client, owner, uploads, content, name, message):
    response = _upload(client, "clients", content, name)
    assert response.status_code in (413, 422)
    html = response.get_data(as_text=True)
    assert message in _text(response)
    assert 'type="file"' in html  # the form again, to choose another file
    assert _book(app, "Client", owner.company_id) == []
    assert not uploads.exists() or not any(uploads.rglob("*.upload"))


def test_no_file_chosen_is_said(client, owner):
    response = client.post("/book/clients/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV or XLSX file." in _text(response)


def test_the_waiting_file_is_only_its_users_and_only_for_an_hour(app, client, owner, make_member, make_account,
                                                                  uploads):
    from cmr_app import clock
    content = _csv([["name"], ["Alpha"]])
    token = _token(_upload(client, "clients", content).get_data(as_text=True))
    colleague = _login_other(app, make_member(owner, "editor"))
    stranger = _login_other(app, make_account())
    for other in (colleague, stranger):
        response = other.post("/book/clients/import/confirm", data={"token": token, "action": "confirm"},
                              follow_redirects=True)
        assert "The uploaded file is no longer waiting" in _text(response)
    # another kind, a made-up or a path-like token find nothing either (the made-up one differs from the real
    # one in its last character, whatever that character is)
    made_up = token[:-1] + ("B" if token.endswith("A") else "A")
    for kind, bad in (("carriers", token), ("clients", made_up), ("clients", "../../../etc/passwd")):
        response = client.post(f"/book/{kind}/import/confirm", data={"token": bad, "action": "confirm"},
                               follow_redirects=True)
        assert "The uploaded file is no longer waiting" in _text(response)
    assert _book(app, "Client", owner.company_id) == []

    # a second upload replaces the first: one file per user and kind
    newer = _token(_upload(client, "clients", _csv([["name"], ["Beta"]])).get_data(as_text=True))
    assert len(list(uploads.rglob("*.upload"))) == 1
    assert "no longer waiting" in _text(client.post("/book/clients/import/confirm",
                                                    data={"token": token, "action": "confirm"},
                                                    follow_redirects=True))
    with time_machine.travel(clock.now() + timedelta(hours=1, minutes=1), tick=False):
        late = client.post("/book/clients/import/confirm", data={"token": newer, "action": "confirm"},
                           follow_redirects=True)
        assert "an hour has passed" in _text(late)
    assert _book(app, "Client", owner.company_id) == []
    assert not any(uploads.rglob("*.upload"))


def test_cancel_drops_the_file_and_the_daily_job_sweeps_forgotten_ones(app, client, owner, runner, uploads):
    from cmr_app import clock
    token = _token(_upload(client, "clients", _csv([["name"], ["Alpha"]])).get_data(as_text=True))
    cancelled = client.post("/book/clients/import/confirm", data={"token": token, "action": "discard"},
                            follow_redirects=True)
    assert "Nothing was imported." in _text(cancelled)
    assert not any(uploads.rglob("*.upload")) and _book(app, "Client", owner.company_id) == []

    _upload(client, "products", _csv([["name"], ["Farba"]]))
    assert len(list(uploads.rglob("*.upload"))) == 1
    assert runner.invoke(args=["exports", "run"]).exit_code == 0
    assert len(list(uploads.rglob("*.upload"))) == 1  # not yet an hour old
    with time_machine.travel(clock.now() + timedelta(hours=2), tick=False):
        assert runner.invoke(args=["exports", "run"]).exit_code == 0
    assert not any(uploads.rglob("*.upload"))


def test_a_viewer_sees_exports_but_cannot_import(app, client, owner, make_member):
    viewer = _login_other(app, make_member(owner, "viewer"))
    listing = viewer.get("/book/clients").get_data(as_text=True)
    assert "/book/clients/export?format=csv" in listing and "/book/clients/import" not in listing
    refused = viewer.post("/book/clients/import", data={"file": (io.BytesIO(_csv([["name"], ["A"]])), "a.csv")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "Your role allows reading only." in _text(refused)
    assert viewer.get("/book/clients/export?format=csv").status_code == 200
    assert _book(app, "Client", owner.company_id) == []


@pytest.mark.parametrize("kind, model", [("clients", "Client"), ("carriers", "Carrier"), ("products", "Product")])
def test_the_example_file_imports_cleanly(app, client, owner, kind, model):
    example = client.get(f"/book/{kind}/import/example.csv")
    assert example.status_code == 200 and example.mimetype == "text/csv"
    assert f'filename="{kind}-example.csv"' in example.headers["Content-Disposition"]
    assert f'/book/{kind}/import/example.csv' in client.get(f"/book/{kind}/import").get_data(as_text=True)
    preview = _upload(client, kind, example.data).get_data(as_text=True)
    assert re.search(r'id="count-created">1<', preview) and re.search(r'id="count-errors">0<', preview)
    client.post(f"/book/{kind}/import/confirm", data={"token": _token(preview), "action": "confirm"})
    assert len(_book(app, model, owner.company_id)) == 1


def test_address_book_exports_carry_the_lists_search_and_only_the_companys_rows(app, client, owner,
                                                                                  make_account):
    stranger = _login_other(app, make_account())
    stranger.post("/book/clients/new", data={"name": "Kowalski Obcy", "city": "Poznań", "country": "PL"})
    for name, city in (("Meble Kowalski", "Poznań"), ("Möbelhaus Schäfer", "Berlin")):
        client.post("/book/clients/new", data={"name": name, "city": city, "country": "PL"})
    listing = client.get("/book/clients?q=kowalski").get_data(as_text=True)
    csv_link = unescape(re.search(r'href="([^"]*/book/clients/export\?[^"]*format=csv[^"]*)"', listing).group(1))
    xlsx_link = unescape(re.search(r'href="([^"]*/book/clients/export\?[^"]*format=xlsx[^"]*)"', listing).group(1))
    assert "q=kowalski" in csv_link and "q=kowalski" in xlsx_link
    exported = client.get(csv_link)
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="clients-')
    assert [r["name"] for r in _csv_rows(exported)] == ["Meble Kowalski"]
    sheet = load_workbook(io.BytesIO(client.get(xlsx_link).data), read_only=True).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(values_only=True)] == ["name", "Meble Kowalski"]
    everything = [r["name"] for r in _csv_rows(client.get("/book/clients/export?format=csv"))]
    assert everything == ["Meble Kowalski", "Möbelhaus Schäfer"]  # never the other company's Kowalski
    bad = client.get("/book/clients/export?format=pdf", follow_redirects=True)
    assert bad.status_code == 200 and "Choose csv or xlsx." in _text(bad)


def test_the_document_export_carries_the_lists_filters(app, client, owner, make_account):
    stranger = _login_other(app, make_account())
    assert stranger.post("/documents/new", data=cmr_form()).status_code == 302
    assert client.post("/documents/new", data=cmr_form()).status_code == 302
    assert client.post("/documents/new", data=cmr_form(**{"consignee.name": "Alpenspedition AG",
                                                          "consignee.city": "Wien",
                                                          "consignee.country": "AT"})).status_code == 302
    listing = client.get("/documents?q=alpenspedition&status=issued").get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]*/documents/export\?[^"]*format=csv[^"]*)"', listing).group(1))
    assert "q=alpenspedition" in link and "status=issued" in link
    rows = _csv_rows(client.get(link))
    assert [(r["consignee.name"], r["consignee.city"]) for r in rows] == [("Alpenspedition AG", "Wien")]
    xlsx = unescape(re.search(r'href="([^"]*/documents/export\?[^"]*format=xlsx[^"]*)"', listing).group(1))
    sheet = load_workbook(io.BytesIO(client.get(xlsx).data), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 2
    all_rows = _csv_rows(client.get("/documents/export?format=csv"))
    assert len(all_rows) == 2  # this company's two, not the stranger's
    assert _csv_rows(client.get("/documents/export?format=csv&status=cancelled")) == []
    # filters the list refuses come back to the list, said there, never a 500
    for query in ("from=2026-12-01&to=2026-11-01", "from=yesterday", "status=nonsense", "format=pdf"):
        response = client.get(f"/documents/export?{query}")
        assert response.status_code == 302, query
        page = client.get(response.headers["Location"])
        assert page.status_code == 200 and '<div class="flash error"' in page.get_data(as_text=True), query


def test_an_oversized_upload_to_an_unknown_book_is_the_plain_413_page(client, owner):
    response = client.post("/book/nonsense/import", data={"file": (io.BytesIO(b"x" * (5 * 1024 * 1024)), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "too large" in _text(response)
    assert client.get("/book/nonsense/import").status_code == 404
