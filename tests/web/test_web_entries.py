"""Clients, Carriers and Products tabs."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from webhelpers import input_value


def entries_in_db(app, model_name: str, company_id: int):
    from cmr_app import models
    from cmr_app.extensions import db
    model = getattr(models, model_name)
    with app.app_context():
        return list(db.session.scalars(select(model).where(model.company_id == company_id).order_by(model.id)))


CLIENT = {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12", "postal_code": "60-101",
          "city": "Poznań", "country": "PL", "tax_id": "701-084-75-17", "email": "biuro@kowalski.pl",
          "phone": ""}


def test_client_crud_with_an_invalid_nip(app, client, owner):
    assert "No clients yet" in client.get("/book/clients").get_data(as_text=True)

    bad = client.post("/book/clients/new", data={**CLIENT, "tax_id": "7010847518"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    block = re.search(r'name="tax_id".*?</div>', html, re.S).group(0)
    assert "This NIP is not valid (check digit)." in block
    assert input_value(html, "name") == "Meble Kowalski Sp. z o.o."
    assert entries_in_db(app, "Client", owner.company_id) == []

    assert client.post("/book/clients/new", data=CLIENT).status_code == 302
    [entry] = entries_in_db(app, "Client", owner.company_id)
    assert entry.tax_id == "7010847517"  # normalized by the service
    listing = client.get("/book/clients").get_data(as_text=True)
    assert "Meble Kowalski" in listing and "7010847517" in listing

    form = client.get(f"/book/clients/{entry.id}").get_data(as_text=True)
    assert input_value(form, "city") == "Poznań"
    assert re.search(r'<option value="PL" selected>Poland \(PL\)', form)
    assert client.post(f"/book/clients/{entry.id}", data={**CLIENT, "email": "", "city": "Luboń"}).status_code == 302
    [entry] = entries_in_db(app, "Client", owner.company_id)
    assert entry.city == "Luboń" and entry.email == ""  # an emptied input clears the value

    assert client.post(f"/book/clients/{entry.id}/delete").status_code == 302
    assert entries_in_db(app, "Client", owner.company_id) == []


def test_address_book_search_and_paging(app, client, owner, monkeypatch):
    from cmr_app.web import entries as views
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for name, city in (("Alfa", "Gdańsk"), ("Beta", "Łódź"), ("Gamma", "Kraków")):
        client.post("/book/carriers/new", data={"name": name, "city": city, "country": "PL",
                                                "vehicle_registration": f"{name[:2].upper()} 1234"},
                    follow_redirects=True)
    found = client.get("/book/carriers?q=łódź").get_data(as_text=True)
    assert "Beta" in found and "Alfa" not in found and "Gamma" not in found
    first = client.get("/book/carriers").get_data(as_text=True)
    assert "Gamma" in first and "Beta" in first and "Alfa" not in first
    older = re.search(r'href="([^"]*cursor=[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "Alfa" in client.get(older).get_data(as_text=True)


def test_products_with_adr_and_a_bad_weight(app, client, owner):
    product = {"name": "Paint 20 l", "nature": "Paint", "marks": "", "packages": "4", "packing": "drum",
               "statistical_number": "3208", "gross_weight_kg": "ten", "volume_m3": "",
               "adr.class": "3", "adr.un_number": "1263", "adr.packing_group": "II",
               "adr.proper_shipping_name": "PAINT", "adr.tunnel_code": "D/E", "adr.environmentally_hazardous": "True"}
    bad = client.post("/book/products/new", data=product)
    assert bad.status_code == 422
    block = re.search(r'name="gross_weight_kg".*?</div>', bad.get_data(as_text=True), re.S).group(0)
    assert "Enter a number" in block
    assert client.post("/book/products/new", data={**product, "gross_weight_kg": "80,5"}).status_code == 302
    [entry] = entries_in_db(app, "Product", owner.company_id)
    assert str(entry.gross_weight_kg).startswith("80.5") and entry.adr_un_number == "1263"
    assert "UN 1263 PAINT, 3, II, (D/E), environmentally hazardous" in \
        unescape(client.get("/book/products").get_data(as_text=True))
    # The edit form shows what was typed, the whole ADR entry included.
    form = client.get(f"/book/products/{entry.id}").get_data(as_text=True)
    assert re.search(r'name="adr.proper_shipping_name"[^>]*value="PAINT"', form)
    assert re.search(r'<option value="D/E" selected', form) and re.search(r'<option value="True" selected', form)


def test_another_companys_client_is_not_found(app, client, make_account, login):
    stranger = login(make_account(company="Other"))
    client.post("/book/clients/new", data=CLIENT)
    [entry] = entries_in_db(app, "Client", stranger.company_id)
    client.post("/logout")
    login(make_account())
    assert client.get(f"/book/clients/{entry.id}").status_code == 404
    assert client.post(f"/book/clients/{entry.id}", data=CLIENT).status_code == 404
    assert client.post(f"/book/clients/{entry.id}/delete").status_code == 404
    assert "Meble" not in client.get("/book/clients").get_data(as_text=True)
    assert client.get("/book/lorries").status_code == 404


def test_a_viewer_reads_the_address_book_but_cannot_change_it(app, client, make_account, make_member, login):
    owner = make_account()
    with app.test_request_context():
        from cmr_app.extensions import db
        from cmr_app.models import User
        from cmr_app.services import addressbook
        entry = addressbook.create_entry(addressbook.CLIENTS, db.session.get(User, owner.id), CLIENT)
        entry_id = entry.id
    login(make_member(owner, "viewer"))
    form = client.get(f"/book/clients/{entry_id}").get_data(as_text=True)
    assert "<fieldset class=\"plain\" disabled>" in form
    assert "required" not in form.split('<form method="post" class="card entry-form"')[1].split("</form>")[0]
    refused = client.post(f"/book/clients/{entry_id}", data={**CLIENT, "name": "Changed"})
    assert "Your role allows reading only." in refused.get_data(as_text=True)
    assert entries_in_db(app, "Client", owner.company_id)[0].name == CLIENT["name"]
    client.post(f"/book/clients/{entry_id}/delete")
    assert len(entries_in_db(app, "Client", owner.company_id)) == 1
