"""Import and export in the web interface (issue 13, item 7): an address book from a CSV
or XLSX file through a dry-run preview and "Confirm import", and the lists to CSV and
XLSX with their search and filters."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import time_machine
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.conftest import sample_document
from webhelpers import cmr_form

PASSWORD = "correct horse 1"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports")}


@pytest.fixture
def uploads(app_config) -> Path:
    """Where the files waiting for "Confirm import" are kept."""
    return Path(app_config["EXPORT_DIR"]) / "imports"


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def _csv_rows(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


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
