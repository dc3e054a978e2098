"""The owner's export (terms §11.6, GDPR art. 20; API.md `POST /account/exports`): a ZIP
made by a job, its link e-mailed to the owner, valid for 7 days."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
import time_machine
from pypdf import PdfReader

from tests.conftest import sample_document

NOW = "2026-11-21T10:00:00+00:00"
INVOICE_PL = {"name": "Spedycja Test Sp. z o.o.", "address": "ul. Portowa 1", "postal_code": "81-001",
              "city": "Gdynia", "country": "PL", "tax_id": "7010847517"}


def finish(app) -> None:
    """Runs the export jobs as the deployment would: the RQ worker with Redis, the
    background thread without."""
    from cmr_app import tasks
    from cmr_app.services import exports
    tasks.drain(app)
    exports.wait_for_local_builds()


def add_user(app, company_id: int, role: str, email: str):
    from cmr_app.extensions import db
    from cmr_app.models import User
    with app.app_context():
        user = User(company_id=company_id, email=email, password_hash="x", role=role)
        db.session.add(user)
        db.session.commit()
        return SimpleNamespace(id=user.id)


@pytest.fixture
def office(app, make_account, api_for, runner):
    """An owner with an address book, four documents (one edited, one cancelled, one
    withdrawn) and a paid order (a pro-forma and a VAT invoice)."""
    with time_machine.travel(NOW, tick=False):
        owner = make_account("szef@spedycja.pl", plan="free")
        api = api_for(owner)
        assert api.post("/clients", json={"name": "Meble Kowalski Sp. z o.o.", "city": "Poznań", "country": "PL",
                                          "tax_id": "7010847517", "email": "biuro@kowalski.pl"}).status_code == 201
        assert api.post("/clients", json={"name": "Möbelhaus Schäfer GmbH", "city": "Berlin",
                                          "country": "DE"}).status_code == 201
        assert api.post("/carriers", json={"name": "Trans-Pol Sp.j.", "city": "Września", "country": "PL",
                                           "vehicle_registration": "PO 12345"}).status_code == 201
        assert api.post("/products", json={"name": "Meble", "packing": "EUR pallet", "packages": 33,
                                           "gross_weight_kg": "12400.5",
                                           "adr": {"class": "3", "un_number": "1263", "packing_group": "II",
                                                   "proper_shipping_name": "PAINT",
                                                   "tunnel_code": "D/E"}}).status_code == 201
        docs = [api.post("/documents", json=sample_document()).get_json() for _ in range(4)]
        assert api.patch(f"/documents/{docs[0]['id']}", json={"documents_attached": "Invoice FV/13/2026"}
                         ).status_code == 200
        assert api.post(f"/documents/{docs[1]['id']}/cancel", json={"reason": "Order cancelled"}).status_code == 200
        assert api.delete(f"/documents/{docs[2]['id']}").status_code == 204
        proforma = api.post("/orders", json={"plan": "standard", "period_months": 12,
                                             "invoice": INVOICE_PL}).get_json()["proforma"]
        result = runner.invoke(args=["billing", "book-payment", proforma["number"]])
        assert result.exit_code == 0, result.output
    return SimpleNamespace(owner=owner, api=api, docs=docs, proforma=proforma["number"])


def export_now(app, api) -> dict:
    answer = api.post("/account/exports")
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert set(body) >= {"id", "status"} and body["status"] in ("pending", "ready")
    finish(app)
    return api.get(f"/account/exports/{body['id']}").get_json()


def download(client, url: str):
    path = url.removeprefix("http://cmr.test")
    return client.get(path)


def test_the_zip_holds_documents_with_versions_and_events_the_address_book_and_every_pdf(app, client, office):
    with time_machine.travel("2026-11-22T08:00:00+00:00", tick=False):
        report = export_now(app, office.api)
        assert report["status"] == "ready"
        answer = download(client, report["download_url"])
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert "no-store" in answer.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert archive.testzip() is None
    names = set(archive.namelist())

    export = json.loads(archive.read("documents.json"))
    assert export["company"]["name"] == "Spedycja Test"
    by_id = {d["id"]: d for d in export["documents"]}
    assert set(by_id) == {d["id"] for d in office.docs}
    edited, cancelled, withdrawn, plain = (by_id[d["id"]] for d in office.docs)
    # Every version's content, and the record as GET /documents/{id}/events gives it.
    assert [v["version"] for v in edited["versions"]] == [1, 2]
    assert edited["versions"][0]["data"]["documents_attached"] == "Invoice FV/12/2026"
    assert edited["versions"][1]["data"]["documents_attached"] == "Invoice FV/13/2026"
    assert edited["events"] == office.api.get(f"/documents/{edited['id']}/events").get_json()["items"]
    from cmr_app.services.record import verify_chain
    assert verify_chain(edited["events"])
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Order cancelled"
    assert [e["type"] for e in cancelled["events"]][-1] == "cancelled"
    assert withdrawn["withdrawn_at"] and withdrawn["pdf"] is None  # content erased: no PDF, the record stays
    assert withdrawn["events"]

    # One valid PDF per printable document, named in documents.json, and one per invoice.
    document_pdfs = sorted(n for n in names if n.startswith("documents/"))
    assert document_pdfs == sorted(d["pdf"] for d in (edited, cancelled, plain))
    for name in document_pdfs:
        pdf = PdfReader(io.BytesIO(archive.read(name)))
        assert len(pdf.pages) >= 3
    pdf_text = PdfReader(io.BytesIO(archive.read(edited["pdf"]))).pages[0].extract_text()
    assert edited["number"] in pdf_text
    invoice_pdfs = sorted(n for n in names if n.startswith("invoices/"))
    assert invoice_pdfs == sorted([f"invoices/{office.proforma.replace('/', '-')}.pdf", "invoices/FV-1-11-2026.pdf"])
    for name in invoice_pdfs:
        text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert name.removeprefix("invoices/").removesuffix(".pdf").split("-")[0] in text

    # The address book as CSV, Polish and German letters intact.
    def rows(name):
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    clients = rows("clients.csv")
    assert [c["name"] for c in clients] == ["Meble Kowalski Sp. z o.o.", "Möbelhaus Schäfer GmbH"]
    assert clients[0]["city"] == "Poznań" and clients[0]["tax_id"] == "7010847517"
    assert clients[0]["email"] == "biuro@kowalski.pl"
    carriers = rows("carriers.csv")
    assert carriers[0]["name"] == "Trans-Pol Sp.j." and carriers[0]["vehicle_registration"] == "PO 12345"
    products = rows("products.csv")
    assert products[0]["name"] == "Meble" and products[0]["packages"] == "33"
    assert products[0]["adr_un_number"] == "1263" and products[0]["gross_weight_kg"].startswith("12400.5")
    assert (products[0]["adr_proper_shipping_name"], products[0]["adr_tunnel_code"],
            products[0]["adr_environmentally_hazardous"]) == ("PAINT", "D/E", "False")
    assert report["contents"] == {"documents": 4, "document_pdfs": 3, "invoices": 2, "clients": 2,
                                  "carriers": 1, "products": 1}


def test_the_owner_is_emailed_the_link(app, client, office, mailbox):
    with time_machine.travel("2026-11-22T08:00:00+00:00", tick=False):
        report = export_now(app, office.api)
    messages = [m for m in mailbox.to(office.owner.email) if "export" in m["Subject"].lower()]
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Your data export is ready"
    link = mailbox.link(office.owner.email, "/exports/")
    assert link == report["download_url"]
    body = mailbox.last_body(office.owner.email)
    assert "within 7 days, until November 29, 2026" in body
    assert "9:00:00" in body and "+0100" in body  # 08:00 UTC in the company's time
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        assert download(client, link).status_code == 200


def test_the_link_works_for_7_days_then_answers_410(app, client, office, runner):
    with time_machine.travel("2026-11-22T08:00:00+00:00", tick=False):
        report = export_now(app, office.api)
    assert report["expires_at"].startswith("2026-11-29T08:00:00")
    with time_machine.travel("2026-11-29T07:59:00+00:00", tick=False):
        assert download(client, report["download_url"]).status_code == 200
    with time_machine.travel("2026-11-29T08:00:00+00:00", tick=False):
        gone = download(client, report["download_url"])
        assert gone.status_code == 410
        assert "This download link expired on November 29, 2026" in gone.get_data(as_text=True)
        assert "new export in Settings" in gone.get_data(as_text=True)
        # The daily run deletes the file; the link still says it expired.
        result = runner.invoke(args=["exports", "run"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["deleted"] == 1
        from cmr_app.services import exports
        with app.app_context():
            assert not list(exports.export_dir().glob("export-*"))
        assert download(client, report["download_url"]).status_code == 410
    assert client.get("/exports/not-a-real-token").status_code == 404


def test_only_the_owner_exports(app, office, api_for):
    for role in ("editor", "viewer"):
        other = api_for(add_user(app, office.owner.company_id, role, f"{role}@spedycja.pl"))
        refused = other.post("/account/exports")
        assert refused.status_code == 403
        assert refused.get_json()["error"] == {"code": "forbidden", "message": "Only the account owner can do this.",
                                               "details": {}}
    created = office.api.post("/account/exports").get_json()
    finish(app)
    editor = api_for(add_user(app, office.owner.company_id, "editor", "ed2@spedycja.pl"))
    assert editor.get(f"/account/exports/{created['id']}").status_code == 403


def test_another_companys_export_is_a_404(app, office, make_account, api_for, client):
    created = office.api.post("/account/exports").get_json()
    finish(app)
    stranger = api_for(make_account("obcy@example.com"))
    answer = stranger.get(f"/account/exports/{created['id']}")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert stranger.get("/account/exports/99999999999").status_code == 404
    # The stranger's own export holds none of the office's data.
    theirs = export_now(app, stranger)
    archive = zipfile.ZipFile(io.BytesIO(download(client, theirs["download_url"]).data))
    assert json.loads(archive.read("documents.json"))["documents"] == []
    assert [n for n in archive.namelist() if n.endswith(".pdf")] == []
    assert archive.read("clients.csv").decode("utf-8-sig").strip() == \
        "id,name,address,postal_code,city,country,tax_id,email,phone,created_at"


def test_asking_again_while_it_is_prepared_returns_the_same_export(app, office):
    from cmr_app.services import exports
    first = office.api.post("/account/exports").get_json()
    second = office.api.post("/account/exports").get_json()
    # Without Redis the background thread may already have finished the first one.
    if second["id"] != first["id"]:
        finish(app)
        assert office.api.get(f"/account/exports/{first['id']}").get_json()["status"] == "ready"
    finish(app)
    with app.app_context():
        assert len(exports.list_exports(office.owner.company_id)) in (1, 2)


def test_the_request_only_records_the_export(app, office, monkeypatch):
    """The web request answers before any ZIP exists: the work is the job's."""
    from cmr_app.services import exports
    started = []
    monkeypatch.setattr(exports, "start", lambda export_id: started.append(export_id))
    answer = office.api.post("/account/exports")
    assert answer.status_code == 202 and answer.get_json()["status"] == "pending"
    assert answer.get_json()["download_url"] is None
    assert started == [answer.get_json()["id"]]
    with app.app_context():
        assert not list(exports.export_dir().glob("export-*"))


def test_an_export_left_waiting_is_built_by_the_cron_command(app, office, runner, monkeypatch, mailbox):
    """Redis refused the job, or the process died: the row waits and `flask exports run` builds it."""
    from cmr_app.services import exports
    monkeypatch.setattr(exports, "start", lambda export_id: None)
    created = office.api.post("/account/exports").get_json()
    assert office.api.get(f"/account/exports/{created['id']}").get_json()["status"] == "pending"
    monkeypatch.undo()
    result = runner.invoke(args=["exports", "run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ready"] == 1
    assert office.api.get(f"/account/exports/{created['id']}").get_json()["status"] == "ready"
    assert mailbox.link(office.owner.email, "/exports/")


def test_a_failed_build_says_so(app, office, monkeypatch):
    from cmr_app.services import exports

    def broken(path, company):
        path.write_bytes(b"half")
        raise OSError("No space left on device")
    monkeypatch.setattr(exports, "write_zip", broken)
    created = office.api.post("/account/exports").get_json()
    finish(app)
    report = office.api.get(f"/account/exports/{created['id']}").get_json()
    assert report["status"] == "failed" and report["download_url"] is None
    assert report["error"] == "The export could not be made. Please try again."
    from cmr_app.extensions import db
    from cmr_app.models import AccountExport
    with app.app_context():
        assert "No space left on device" in db.session.get(AccountExport, created["id"]).error  # for the operator
    with app.app_context():
        assert not list(exports.export_dir().glob("export-*"))  # the half-written file is gone


def test_the_job_holds_one_batch_of_documents_at_a_time(app, make_account, api_for, monkeypatch):
    """Memory stays bounded: no query of the export reads more than BATCH documents, and
    the documents read are let go page by page."""
    import gc
    import weakref
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from cmr_app.models import Document
    from cmr_app.services import exports
    monkeypatch.setattr(exports, "BATCH", 10)
    monkeypatch.setattr(exports, "_render", lambda doc: b"%PDF-1.4 stand-in for the renderer\n%%EOF")
    owner = make_account("duzy@example.com", plan="pro")
    api = api_for(owner)
    for _ in range(35):
        assert api.post("/documents", json=sample_document()).status_code == 201
    alive: weakref.WeakSet = weakref.WeakSet()
    most = [0]

    def loaded(session, instance):
        if isinstance(instance, Document):
            alive.add(instance)
            if len(alive) > most[0]:
                gc.collect()
                most[0] = max(most[0], len(alive))
    event.listen(Session, "loaded_as_persistent", loaded)
    try:
        report = export_now(app, api)
    finally:
        event.remove(Session, "loaded_as_persistent", loaded)
    assert report["contents"]["documents"] == 35 and report["contents"]["document_pdfs"] == 35
    # One page and the few of the last page still referenced while the next is read: not all 35.
    assert 10 <= most[0] < 2 * 10


def login(client, email: str, password: str = "correct horse 1") -> None:
    answer = client.post("/login", data={"email": email, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def test_settings_show_the_export_to_the_owner(app, client, office, mailbox):
    login(client, office.owner.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "Export my data" in page
    answer = client.post("/settings/exports", follow_redirects=True)
    assert answer.status_code == 200
    assert "Your export is being prepared" in answer.get_data(as_text=True)
    finish(app)
    page = client.get("/settings").get_data(as_text=True)
    assert "Download ZIP" in page and "Ready" in page
    link = mailbox.link(office.owner.email, "/exports/")
    assert link.removeprefix("http://cmr.test") in page


def test_settings_offer_no_export_to_an_editor(app, client, office):
    add_user(app, office.owner.company_id, "editor", "ed@spedycja.pl")
    from cmr_app.extensions import db
    from cmr_app.models import User
    from cmr_app.services.accounts import hash_password
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ed@spedycja.pl"))
        user.password_hash = hash_password("correct horse 1")
        user.email_verified_at = user.created_at
        db.session.commit()
    login(client, "ed@spedycja.pl")
    assert "Export my data" not in client.get("/settings").get_data(as_text=True)
    answer = client.post("/settings/exports", follow_redirects=True)
    assert "Only the account owner can do this." in answer.get_data(as_text=True)
    with app.app_context():
        from cmr_app.services import exports
        assert exports.list_exports(office.owner.company_id) == []


def test_openapi_describes_the_export(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "202" in spec["paths"]["/account/exports"]["post"]["responses"]
    assert "404" in spec["paths"]["/account/exports/{id}"]["get"]["responses"]
    assert spec["components"]["schemas"]["Export"]["properties"]["status"]["enum"] == ["pending", "ready", "failed"]


def test_the_email_speaks_the_owners_language(app, office, mailbox):
    from cmr_app.extensions import db
    from cmr_app.models import User
    with app.app_context():
        db.session.get(User, office.owner.id).language = "pl"
        db.session.commit()
    with time_machine.travel("2026-11-22T08:00:00+00:00", tick=False):
        export_now(app, office.api)
    message = mailbox.to(office.owner.email)[-1]
    assert message["Subject"] == "Eksport Twoich danych jest gotowy"
    body = message.get_body(("plain",)).get_content()
    assert "Pobierz go w ciągu 7 dni, do 29 listopada 2026" in body


def test_the_web_request_does_not_wait_for_the_zip(app, office, monkeypatch):
    """The worker (RQ with Redis, a background thread without) builds it: the request
    answers while the build is still held back."""
    import threading
    from cmr_app.services import exports
    release, real = threading.Event(), exports.write_zip

    def held_back(path, company):
        assert release.wait(10), "the build ran inside the request"
        return real(path, company)
    monkeypatch.setattr(exports, "write_zip", held_back)
    answer = office.api.post("/account/exports")
    assert answer.status_code == 202 and answer.get_json()["status"] == "pending"
    export_id = answer.get_json()["id"]
    assert office.api.get(f"/account/exports/{export_id}").get_json()["status"] == "pending"
    release.set()
    finish(app)
    assert office.api.get(f"/account/exports/{export_id}").get_json()["status"] == "ready"


def test_a_build_that_died_is_taken_again_but_a_live_one_is_not(app, office, runner, monkeypatch):
    from cmr_app.extensions import db
    from cmr_app.models import AccountExport
    from cmr_app.services import exports
    monkeypatch.setattr(exports, "start", lambda export_id: None)
    with time_machine.travel("2026-11-22T08:00:00+00:00", tick=False):
        created = office.api.post("/account/exports").get_json()
        with app.app_context():
            db.session.get(AccountExport, created["id"]).status = "building"  # a worker took it at 08:00
            db.session.commit()
            from sqlalchemy import update
            db.session.execute(update(AccountExport).values(started_at=exports.clock.now()))
            db.session.commit()
    with time_machine.travel("2026-11-22T09:30:00+00:00", tick=False):  # 90 minutes: still alive
        assert json.loads(runner.invoke(args=["exports", "run"]).output)["ready"] == 0
        assert office.api.get(f"/account/exports/{created['id']}").get_json()["status"] == "pending"
    with time_machine.travel("2026-11-22T10:01:00+00:00", tick=False):  # silent for 2 hours: dead
        assert json.loads(runner.invoke(args=["exports", "run"]).output)["ready"] == 1
        assert office.api.get(f"/account/exports/{created['id']}").get_json()["status"] == "ready"
