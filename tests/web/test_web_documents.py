"""The Documents tab through the HTML forms, as a browser uses it."""
from __future__ import annotations

import re
from decimal import Decimal

from webhelpers import cmr_form, documents_in_db, input_value


def create(client, **overrides):
    return client.post("/documents/new", data=cmr_form(**overrides))


def test_a_document_created_through_the_form_with_two_goods_lines_is_in_the_list(app, client, owner, usage):
    page = client.get("/documents/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="goods.0.gross_weight_kg"' in html and 'name="charges.2.sender"' in html
    assert "0 of 2000 documents this month" in html

    response = create(client)
    assert response.status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert response.headers["Location"].endswith(f"/documents/{doc.id}")
    assert [g["nature"] for g in doc.data["goods"]] == ["Furniture", "Paint"]
    assert Decimal(doc.data["goods"][0]["gross_weight_kg"]) == Decimal("12400.5")  # typed "12400,5"
    assert doc.data["goods"][1]["adr"] == {"class": "3", "un_number": "1263", "packing_group": "II",
                                           "proper_shipping_name": "", "tunnel_code": "",
                                           "environmentally_hazardous": False}
    assert doc.data["charges"] == [{"label": "Carriage charges", "sender": "1500.00", "currency": "EUR",
                                    "consignee": None}]
    assert doc.data["languages"] == ["pl", "en", "de"] and doc.data["copies"] == 4
    assert usage(owner) == 1

    listing = client.get("/documents").get_data(as_text=True)
    assert doc.number in listing
    assert "Meble Kowalski" in listing and "Möbelhaus Schäfer GmbH" in listing
    assert "PO 12345 / PO 6789A" in listing
    assert "1 of 2000 documents this month" in listing


def test_a_bad_weight_shows_its_message_under_the_field_and_keeps_the_input(app, client, owner, usage):
    response = create(client, **{"goods.1.gross_weight_kg": "heavy", "sender.name": "Kowalski & Syn"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The message sits in the field block of goods.1.gross_weight_kg, not of line 0.
    block = re.search(r'name="goods\.1\.gross_weight_kg".*?</div>', html, re.S).group(0)
    assert "Enter a number, e.g. 1250,50 or 1250.50, with no unit or currency." in block
    line0 = re.search(r'name="goods\.0\.gross_weight_kg".*?</div>', html, re.S).group(0)
    assert "Enter a number" not in line0
    assert 'class="error-summary"' in html and "Goods line 2" in html
    assert input_value(html, "goods.1.gross_weight_kg") == "heavy"
    assert input_value(html, "sender.name") == "Kowalski & Syn"
    assert input_value(html, "goods.0.nature") == "Furniture"
    assert input_value(html, "carrier.vehicle_registration") == "PO 12345 / PO 6789A"
    assert documents_in_db(app, owner.company_id) == []
    assert usage(owner) == 0


def test_the_adr_entry_is_entered_and_shown_as_adr_writes_it(app, client, owner):
    response = create(client, **{"goods.1.adr.proper_shipping_name": "PAINT", "goods.1.adr.tunnel_code": "D/E",
                                 "goods.1.adr.environmentally_hazardous": "True"})
    assert response.status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert doc.data["goods"][1]["adr"]["environmentally_hazardous"] is True
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "UN 1263 PAINT, 3, II, (D/E), environmentally hazardous" in page
    edit = client.get(f"/documents/{doc.id}/edit").get_data(as_text=True)
    assert input_value(edit, "goods.1.adr.proper_shipping_name") == "PAINT"
    assert re.search(r'name="goods\.1\.adr\.tunnel_code".*?value="D/E" selected', edit, re.S)

    bad = create(client, **{"goods.1.adr.class": "10", "goods.1.adr.un_number": "126"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Use an ADR class: 1, 2, 3, 4.1" in html and "Goods line 2 · UN number" in html


def test_a_total_that_does_not_add_up_is_refused_with_the_sum_it_should_be(app, client, owner):
    rows = {"charges.3.sender": "60.00", "charges.3.currency": "EUR",      # supplementary charges
            "charges.6.sender": "1500.00", "charges.6.currency": "EUR"}    # total, 60 forgotten
    response = create(client, **rows)
    assert response.status_code == 422
    block = re.search(r'name="charges\.6\.sender".*?</td>', response.get_data(as_text=True), re.S).group(0)
    assert "The total does not match its rows: 1560.00, not 1500.00" in block
    assert documents_in_db(app, owner.company_id) == []
    assert create(client, **{**rows, "charges.6.sender": ""}).status_code == 302   # left blank: computed


def test_carriage_forward_with_every_amount_on_the_sender_is_refused(app, client, owner):
    response = create(client, payment_instructions="carriage_forward")
    assert response.status_code == 422
    assert "Carriage forward means the consignee pays the carriage" in response.get_data(as_text=True)
    assert create(client, payment_instructions="carriage_forward",
                  **{"charges.0.sender": "", "charges.0.consignee": "1500.00"}).status_code == 302


def test_an_error_on_a_line_after_a_blank_line_points_to_the_input_the_user_filled(client, owner):
    form = cmr_form(**{"goods.1.gross_weight_kg": "-5"})
    for key in [k for k in form if k.startswith("goods.0.")]:
        form[key] = ""
    html = client.post("/documents/new", data=form).get_data(as_text=True)
    block = re.search(r'name="goods\.1\.gross_weight_kg".*?</div>', html, re.S).group(0)
    assert "Must not be negative." in block


def test_the_new_form_starts_with_today_the_company_languages_and_four_copies(app, client, owner):
    from cmr_app.extensions import db
    from cmr_app.models import Company
    with app.app_context():
        db.session.get(Company, owner.company_id).default_languages = "de,en"
        db.session.commit()
    html = client.get("/documents/new").get_data(as_text=True)
    from cmr_app import clock
    today = clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Europe/Warsaw")).date().isoformat()
    assert input_value(html, "taking_over.date") == today
    assert input_value(html, "established.date") == today
    assert re.search(r'name="languages\.0".*?<option value="de" selected', html, re.S)
    assert re.search(r'name="languages\.1".*?<option value="en" selected', html, re.S)
    assert 'name="copies" value="4" checked' in html


def test_search_and_date_filter(client, owner):
    create(client)
    create(client, **{"consignee.name": "Bakkerij de Vries", "consignee.city": "Utrecht",
                      "consignee.country": "NL", "place_of_delivery.city": "Utrecht",
                      "place_of_delivery.country": "NL", "established.date": "2026-10-02"})
    everything = client.get("/documents").get_data(as_text=True)
    assert "Bakkerij de Vries" in everything and "Möbelhaus" in everything

    by_place = client.get("/documents?q=utrecht").get_data(as_text=True)
    assert "Bakkerij de Vries" in by_place and "Möbelhaus" not in by_place

    by_date = client.get("/documents?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "Möbelhaus" in by_date and "Bakkerij de Vries" not in by_date

    nothing = client.get("/documents?q=nowhere").get_data(as_text=True)
    assert "No documents match this search." in nothing

    bad = client.get("/documents?from=yesterday")
    assert bad.status_code == 200 and "Enter a date as YYYY-MM-DD." in bad.get_data(as_text=True)


def test_the_list_pages_with_an_older_link(app, client, owner, monkeypatch):
    from cmr_app.web import documents as views
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for city in ("Aachen", "Bremen", "Celle"):
        create(client, **{"place_of_delivery.city": city})
    first = client.get("/documents").get_data(as_text=True)
    assert "Celle" in first and "Bremen" in first and "Aachen" not in first
    older = re.search(r'href="([^"]*cursor=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "Aachen" in second and "Celle" not in second and "Older" not in second


def test_editing_does_not_count_again_and_duplicating_counts_only_when_saved(app, client, owner, usage):
    create(client)
    [doc] = documents_in_db(app, owner.company_id)
    assert usage(owner) == 1

    edit = client.get(f"/documents/{doc.id}/edit").get_data(as_text=True)
    assert input_value(edit, "goods.1.nature") == "Paint"
    assert input_value(edit, "charges.0.sender") == "1500.00"
    response = client.post(f"/documents/{doc.id}/edit",
                           data=cmr_form(**{"special_agreements": "Tail-lift needed", "status": "in_transit",
                                            "documents_attached": ""}))
    assert response.status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert doc.data["special_agreements"] == "Tail-lift needed"
    assert doc.data["documents_attached"] == ""  # an emptied box is emptied, not kept
    assert doc.status == "in_transit"
    assert usage(owner) == 1

    # Duplicate opens a filled form: nothing is numbered or counted until it is saved.
    form = client.get(f"/documents/{doc.id}/duplicate", follow_redirects=True)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and f"A copy of CMR {doc.number}" in html
    assert input_value(html, "goods.1.nature") == "Paint"
    assert input_value(html, "carrier.vehicle_registration") in ("", None)  # for the user to confirm
    assert len(documents_in_db(app, owner.company_id)) == 1 and usage(owner) == 1
    response = client.post("/documents/new", data=cmr_form())
    assert response.status_code == 302
    docs = documents_in_db(app, owner.company_id)
    assert len(docs) == 2 and docs[1].number != docs[0].number
    assert usage(owner) == 2


def test_withdrawing_erases_the_content_and_keeps_the_number_listed(app, client, owner, usage):
    create(client)
    [doc] = documents_in_db(app, owner.company_id)
    response = client.post(f"/documents/{doc.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert f"CMR {doc.number} is withdrawn" in response.get_data(as_text=True)
    [kept] = documents_in_db(app, owner.company_id)
    assert kept.status == "withdrawn" and kept.data == {}
    listed = client.get("/documents").get_data(as_text=True)
    assert doc.number in listed and "Withdrawn on" in listed
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "This CMR was withdrawn on" in page and "Edit" not in page
    assert client.get(f"/documents/{doc.id}/pdf").status_code == 409
    assert client.get(f"/documents/{doc.id}/edit").status_code == 302
    assert usage(owner) == 1  # withdrawing never gives the place back
    create(client)
    numbers = [d.number.split("/")[-1] for d in documents_in_db(app, owner.company_id)]
    assert numbers == ["00001", "00002"]  # the withdrawn number is never given again


def test_the_document_page_shows_the_link_fingerprint_and_pdf(app, client, owner):
    create(client)
    [doc] = documents_in_db(app, owner.company_id)
    html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert doc.public_token in html and doc.fingerprint in html
    assert "PO 12345 / PO 6789A" in html and "Carriage paid" in html
    pdf = client.get(f"/documents/{doc.id}/pdf?lang=de&lang=en&copies=3")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get(f"/documents/{doc.id}/pdf?lang=xx").status_code == 400
    assert client.get(f"/documents/{doc.id}/pdf?copies=7").status_code == 400
    # The print option for the annex pages is offered, and refused when there is none.
    assert 'name="annex" value="separate"' in html and 'name="annex" value="only"' in html
    assert client.get(f"/documents/{doc.id}/pdf?annex=separate&copies=3").status_code == 200
    assert client.get(f"/documents/{doc.id}/pdf?annex=only").status_code == 422
    assert client.get(f"/documents/{doc.id}/pdf?annex=between").status_code == 422


def test_another_companys_document_is_not_found(app, client, make_account, login):
    stranger = login(make_account(company="Other Forwarding"))
    create(client)
    [doc] = documents_in_db(app, stranger.company_id)
    client.post("/logout")
    login(make_account(company="Spedycja Test"))
    assert client.get(f"/documents/{doc.id}").status_code == 404
    assert client.get(f"/documents/{doc.id}/edit").status_code == 404
    assert client.get(f"/documents/{doc.id}/pdf").status_code == 404
    assert client.post(f"/documents/{doc.id}/edit", data=cmr_form()).status_code == 404
    assert client.post(f"/documents/{doc.id}/duplicate").status_code == 404
    assert client.post(f"/documents/{doc.id}/delete").status_code == 404
    assert len(documents_in_db(app, stranger.company_id)) == 1


def test_a_viewer_cannot_create_a_document(app, client, make_account, make_member, login, usage):
    owner = make_account()
    viewer = login(make_member(owner, "viewer"))
    page = client.get("/documents/new", follow_redirects=True).get_data(as_text=True)
    assert "Your role allows reading only." in page
    response = client.post("/documents/new", data=cmr_form())
    assert response.status_code == 403
    assert "Your role allows reading only." in response.get_data(as_text=True)
    assert documents_in_db(app, viewer.company_id) == []
    assert usage(owner) == 0
    assert "New CMR" not in client.get("/documents").get_data(as_text=True)


def test_when_the_quota_is_used_up_new_explains_the_reset(app, client, make_account, login, usage):
    owner = login(make_account(plan="free"))
    from cmr_app.extensions import db
    from cmr_app.models import Plan
    with app.app_context():
        db.session.get(Plan, "free").documents_per_month = 1
        db.session.commit()
    assert create(client).status_code == 302
    html = client.get("/documents").get_data(as_text=True)
    assert "1 of 1 document this month" in html
    assert "You have used all 1 documents of this month" in html
    assert "/settings#plan" in html
    refused = create(client)
    assert refused.status_code == 402
    assert input_value(refused.get_data(as_text=True), "sender.name") == "Meble Kowalski Sp. z o.o."
    assert len(documents_in_db(app, owner.company_id)) == 1


def test_the_empty_list_invites_the_first_cmr(client, owner):
    html = client.get("/documents").get_data(as_text=True)
    assert "Create your first CMR" in html


def test_templates_flow(app, client, owner, set_features):
    create(client)
    [doc] = documents_in_db(app, owner.company_id)

    refused = client.post(f"/documents/{doc.id}/template", data={"template_name": "Poznań → Berlin"},
                          follow_redirects=True).get_data(as_text=True)
    assert 'class="flash error"' in refused and "Document templates" in refused  # the refusal, as a flash
    assert "No templates yet" in client.get("/documents/templates").get_data(as_text=True)

    set_features(owner, "templates")
    nameless = client.post(f"/documents/{doc.id}/template", data={"template_name": " "},
                           follow_redirects=True).get_data(as_text=True)
    assert "Give the template a name." in nameless
    saved = client.post(f"/documents/{doc.id}/template", data={"template_name": "Poznań → Berlin"},
                        follow_redirects=True)
    listing = saved.get_data(as_text=True)
    assert "Poznań → Berlin" in listing
    template_id = int(re.search(r"/documents/new\?template=(\d+)", listing).group(1))

    form = client.get(f"/documents/new?template={template_id}").get_data(as_text=True)
    assert "Started from the template" in form
    assert input_value(form, "goods.1.nature") == "Paint"
    assert input_value(form, "established.date") != "2026-11-21"  # dates start as today

    deleted = client.post(f"/documents/templates/{template_id}/delete", follow_redirects=True)
    assert "is deleted" in deleted.get_data(as_text=True)
    assert "No templates yet" in client.get("/documents/templates").get_data(as_text=True)
    assert client.get(f"/documents/new?template={template_id}").status_code == 404


def test_a_post_without_csrf_token_is_refused(app_config, make_account):
    from cmr_app import create_app
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    user = make_account()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    assert client.post("/login", data={"email": user.email, "password": "correct horse 1",
                                       "csrf_token": token}).status_code == 302

    refused = client.post("/documents/new", data=cmr_form())
    assert refused.status_code == 400
    assert documents_in_db(app, user.company_id) == []

    form = client.get("/documents/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/documents/new", data={**cmr_form(), "csrf_token": token}).status_code == 302
