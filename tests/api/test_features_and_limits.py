"""Feature switches gate real behaviour; limits after a downgrade hide, never delete
(PLANS.md "Catalogue", "Outside the trial")."""
from __future__ import annotations

import io
from types import SimpleNamespace

import time_machine
from PIL import Image
from pypdf import PdfReader

from tests.billing.conftest import INVOICE_PL
from tests.conftest import sample_document

REGISTERED = "2026-01-05T10:00:00+00:00"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (20, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _images_on_first_page(pdf: bytes) -> int:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    count = 0

    def walk(resources):
        nonlocal count
        xobjects = resources.get("/XObject") if resources else None
        for obj in (xobjects or {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))
    walk(page.get("/Resources"))
    return count


def _company(app, api):
    from cmr_app.extensions import db
    from cmr_app.models import Company, User
    user = db.session.get(User, api.get("/account").get_json()["user"]["id"])
    return db.session.get(Company, user.company_id)


def test_company_logo_prints_only_with_the_feature_on(app, api):
    from cmr_app.extensions import db
    with app.app_context():
        company = _company(app, api)
        company.logo, company.logo_mime = _png(), "image/png"
        db.session.commit()
    doc = api.post("/documents", json=sample_document()).get_json()
    without = api.get(f"/documents/{doc['id']}/pdf").data
    assert api.put("/account/features/company_logo", json={"enabled": True}).status_code == 200
    with_logo = api.get(f"/documents/{doc['id']}/pdf").data
    assert _images_on_first_page(with_logo) == _images_on_first_page(without) + 1


def test_custom_numbering_needs_its_feature(app, api):
    from cmr_app.extensions import db
    with app.app_context():
        company = _company(app, api)
        company.numbering_pattern, company.numbering_start = "CMR-{YYYY}-{seq:4}", 120
        db.session.commit()
    first = api.post("/documents", json=sample_document()).get_json()["number"]
    assert first.endswith("/2026") or first.count("/") == 2  # the default pattern while switched off
    api.put("/account/features/custom_numbering", json={"enabled": True})
    numbered = api.post("/documents", json=sample_document()).get_json()["number"]
    assert numbered.startswith("CMR-20") and numbered.endswith("-0120")


def test_templates_need_their_feature(app, api):
    from cmr_app.errors import Conflict
    from cmr_app.extensions import db
    from cmr_app.models import User
    from cmr_app.services import documents
    user_id = api.get("/account").get_json()["user"]["id"]
    with app.test_request_context():
        user = db.session.get(User, user_id)
        try:
            documents.save_template(user, "Poznań → Berlin", sample_document())
            raise AssertionError("saved a template with the feature off")
        except Conflict:
            pass
    api.put("/account/features/templates", json={"enabled": True})
    with app.test_request_context():
        user = db.session.get(User, user_id)
        template = documents.save_template(user, "Poznań → Berlin", sample_document())
        assert template.data["consignee"]["city"] == "Berlin"


def test_emailing_a_document_sends_its_pdf_to_the_parties(api, mailbox):
    doc = api.post("/documents", json=sample_document(
        consignee={"name": "Schäfer", "city": "Berlin", "country": "DE", "email": "lager@schaefer.de"})).get_json()
    refused = api.post(f"/documents/{doc['id']}/email")
    assert refused.status_code == 409 and refused.get_json()["error"]["details"]["feature"] == "email_documents"
    api.put("/account/features/email_documents", json={"enabled": True})
    response = api.post(f"/documents/{doc['id']}/email")
    body = response.get_json()
    assert response.status_code == 202 and body["sent_to"] == ["lager@schaefer.de"]
    [accepted] = body["emails"]
    assert accepted["to"] == "lager@schaefer.de" and accepted["status"] == "pending"
    [message] = mailbox.to("lager@schaefer.de")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    [outcome] = api.get(f"/documents/{doc['id']}/emails").get_json()["items"]
    assert outcome["id"] == accepted["id"] and outcome["status"] == "sent" and outcome["sent_at"]
    assert api.post(f"/documents/{doc['id']}/email", json={"to": ["not an address"]}).status_code == 422


def test_outside_the_trial_free_lacks_the_feature_and_names_the_plan(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="free"))
        doc = api.post("/documents", json=sample_document()).get_json()
    with time_machine.travel("2026-03-01T10:00:00+00:00", tick=False):
        response = api.post(f"/documents/{doc['id']}/email")
        assert response.status_code == 402
        assert response.get_json()["error"]["details"] == {"feature": "email_documents", "plan": "standard"}


def test_documents_beyond_the_archive_are_hidden_not_deleted(make_account, api_for, runner):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="pro"))
        old = api.post("/documents", json=sample_document()).get_json()
    with time_machine.travel("2026-04-01T09:00:00+00:00", tick=False):
        recent = api.post("/documents", json=sample_document()).get_json()
    # Trial over, unpaid: Free keeps 3 months. Created 5 Jan 11:00 in Warsaw (CET), so it
    # leaves the archive at 5 Apr 11:00 in Warsaw (CEST), which is 09:00 UTC.
    with time_machine.travel("2026-04-05T09:00:00+00:00", tick=False):  # exactly 3 months old
        assert len(api.get("/documents").get_json()["items"]) == 2
        assert api.get(f"/documents/{old['id']}").status_code == 200
    with time_machine.travel("2026-04-05T09:00:01+00:00", tick=False):
        assert [d["id"] for d in api.get("/documents").get_json()["items"]] == [recent["id"]]
        hidden = api.get(f"/documents/{old['id']}")
        assert hidden.status_code == 402
        assert hidden.get_json()["error"]["details"] == {"archive_months": 3, "plan": "standard"}
        # Paying for Pro (which keeps everything) brings it back.
        proforma = api.post("/orders", json={"plan": "pro", "period_months": 12,
                                             "invoice": INVOICE_PL}).get_json()["proforma"]
        assert runner.invoke(args=["billing", "book-payment", proforma["number"]]).exit_code == 0
        assert len(api.get("/documents").get_json()["items"]) == 2
        assert api.get(f"/documents/{old['id']}").status_code == 200


def test_users_beyond_the_plan_limit_are_blocked_until_upgrade(app, make_account, api_for):
    from cmr_app.extensions import db
    from cmr_app.models import User
    with time_machine.travel(REGISTERED, tick=False):
        owner = make_account(plan="standard")
        with app.app_context():
            editor = User(company_id=owner.company_id, email="ed@example.com", password_hash="x", role="editor")
            db.session.add(editor)
            db.session.commit()
            editor_ref = SimpleNamespace(id=editor.id)
        as_editor = api_for(editor_ref)
        assert as_editor.get("/documents").status_code == 200
    with time_machine.travel("2026-03-01T10:00:00+00:00", tick=False):  # on Free: 1 user
        response = as_editor.get("/documents")
        assert response.status_code == 403
        assert response.get_json()["error"]["details"]["reason"] == "users_over_limit"
        assert api_for(owner).get("/documents").status_code == 200
        with app.app_context():
            assert db.session.get(User, editor_ref.id) is not None


def test_data_only_printing_uses_the_company_offset(app, api):
    from cmr_app.extensions import db
    from tests.pdf_helpers import pdf_pages_text
    doc = api.post("/documents", json=sample_document()).get_json()
    full = pdf_pages_text(api.get(f"/documents/{doc['id']}/pdf").data)[0]
    blank = api.get(f"/documents/{doc['id']}/pdf?blank=1").data
    text = pdf_pages_text(blank)[0]
    assert "Nadawca" in full and "Nadawca" not in text  # no labels on pre-printed sets
    assert "Meble Kowalski" in text and "PO 6789A" in text
    with app.app_context():
        company = _company(app, api)
        company.print_offset_x_mm, company.print_offset_y_mm = 3, -2
        db.session.commit()
    shifted = api.get(f"/documents/{doc['id']}/pdf?blank=1").data
    assert shifted != blank and "Meble Kowalski" in pdf_pages_text(shifted)[0]
