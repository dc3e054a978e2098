"""The rules of PLANS.md at their edges, end to end through the API, the jobs and the
real PDFs: quota when the plan changes or the trial ends in the middle of a month,
operator numbering across a Warsaw midnight and after a failure, reverse charge on the
printed documents, the user-limit refusal, a move down between paid plans that reaches
its renewal with a feature still on, and the PDF parameters of the API."""
from __future__ import annotations

import io
import json

import time_machine
from pypdf import PdfReader

from tests.billing.conftest import INVOICE_DE, INVOICE_PL
from tests.conftest import sample_document

REGISTERED = "2026-11-21T10:00:00+00:00"  # the trial covers 21 Nov to 20 Dec (Warsaw)
TRIAL_END = "2026-12-20T23:00:00+00:00"


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def saved(api) -> int:
    return api.post("/documents", json=sample_document()).status_code


def book(runner, number: str) -> dict:
    result = runner.invoke(args=["billing", "book-payment", number])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def order(api, plan="standard", invoice=INVOICE_PL, months=12) -> dict:
    response = api.post("/orders", json={"plan": plan, "period_months": months, "invoice": invoice})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["proforma"]


# Quota

def test_moving_from_standard_with_8_used_to_free_leaves_2(make_account, api_for):
    with time_machine.travel("2026-11-25T10:00:00+00:00", tick=False):
        api = api_for(make_account(plan="standard"))
        assert [saved(api) for _ in range(8)] == [201] * 8
        assert api.put("/account/plan", json={"plan": "free"}).status_code == 200
        usage = api.get("/account").get_json()["usage"]
        assert (usage["used"], usage["limit"], usage["remaining"]) == (8, 10, 2)
        assert [saved(api) for _ in range(3)] == [201, 201, 402]
        refusal = api.post("/documents", json=sample_document()).get_json()["error"]
        assert refusal["code"] == "quota_exceeded"
        assert (refusal["details"]["used"], refusal["details"]["limit"]) == (10, 10)


def test_a_trial_ending_mid_month_brings_the_free_limit_against_the_month_so_far(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):  # Pro chosen: December starts inside the trial
        api = api_for(make_account(plan="pro"))
    with time_machine.travel("2026-12-20T22:59:59+00:00", tick=False):  # the trial's last second
        assert [saved(api) for _ in range(12)] == [201] * 12
        assert api.get("/account").get_json()["usage"]["limit"] == 2000
    with time_machine.travel(TRIAL_END, tick=False):  # 00:00 on 21 Dec in Warsaw: Free, same month
        usage = api.get("/account").get_json()["usage"]
        assert (usage["period"], usage["used"], usage["limit"], usage["remaining"]) == ("2026-12", 12, 10, 0)
        response = api.post("/documents", json=sample_document())
        assert response.status_code == 402
        details = response.get_json()["error"]["details"]
        assert (details["used"], details["limit"]) == (12, 10)
        assert details["resets_at"] == "2026-12-31T23:00:00+00:00"
    with time_machine.travel("2026-12-31T23:00:00+00:00", tick=False):  # January in Warsaw
        assert saved(api) == 201


def test_a_save_at_10_of_10_after_a_withdrawal_is_refused(make_account, api_for):
    with time_machine.travel("2027-02-10T10:00:00+00:00", tick=False):
        api = api_for(make_account(plan="free"))
    with time_machine.travel("2027-03-10T10:00:00+00:00", tick=False):  # after the trial, on Free
        ids = []
        for _ in range(10):
            response = api.post("/documents", json=sample_document())
            assert response.status_code == 201
            ids.append(response.get_json()["id"])
        assert api.delete(f"/documents/{ids[0]}").status_code == 204
        usage = api.get("/account").get_json()["usage"]
        assert (usage["used"], usage["remaining"]) == (10, 0)
        response = api.post("/documents", json=sample_document())
        assert response.status_code == 402
        assert response.get_json()["error"]["details"]["used"] == 10
        duplicate = api.post(f"/documents/{ids[1]}/duplicate")
        assert duplicate.status_code == 402


# Operator numbering

def test_invoice_and_proforma_numbers_follow_the_warsaw_month(make_account, api_for, runner):
    apis = []
    with time_machine.travel(REGISTERED, tick=False):
        for _ in range(3):
            apis.append(api_for(make_account(plan="free")))
    with time_machine.travel("2026-11-30T22:59:59+00:00", tick=False):  # 23:59:59 in Warsaw
        first = order(apis[0])
        assert first["number"] == "PF/1/11/2026"
        assert book(runner, first["number"])["invoice"] == "FV/1/11/2026"
    with time_machine.travel("2026-11-30T23:00:00+00:00", tick=False):  # 00:00 on 1 Dec in Warsaw
        second = order(apis[1])
        assert second["number"] == "PF/1/12/2026"
        assert book(runner, second["number"])["invoice"] == "FV/1/12/2026"
        third = order(apis[2])
        assert third["number"] == "PF/2/12/2026"
        assert book(runner, third["number"])["invoice"] == "FV/2/12/2026"


def test_a_failure_after_the_invoice_number_is_taken_leaves_no_gap(app, make_account, api_for, runner,
                                                                    monkeypatch):
    from cmr_app.services import mailing
    with time_machine.travel(REGISTERED, tick=False):
        first_api, second_api = api_for(make_account(plan="free")), api_for(make_account(plan="free"))
        first, second = order(first_api), order(second_api)
        real = mailing.after_payment

        def fails_once(invoice_id):
            monkeypatch.setattr(mailing, "after_payment", real)
            raise RuntimeError("the disk filled up after the number was taken")
        monkeypatch.setattr(mailing, "after_payment", fails_once)
        failed = runner.invoke(args=["billing", "book-payment", first["number"]])
        assert failed.exit_code != 0
        assert "disk filled up" in str(failed.exception)
        assert first_api.get("/account").get_json()["subscription"] is None  # nothing was booked
        assert book(runner, second["number"])["invoice"] == "FV/1/11/2026"
        assert book(runner, first["number"])["invoice"] == "FV/2/11/2026"
    with app.app_context():
        from sqlalchemy import select
        from cmr_app.extensions import db
        from cmr_app.models import BillingDocument
        numbers = db.session.scalars(select(BillingDocument.number)
                                     .where(BillingDocument.kind == "invoice")).all()
    assert sorted(numbers) == ["FV/1/11/2026", "FV/2/11/2026"]


# Reverse charge on the printed documents

def test_an_eu_buyer_gets_reverse_charge_on_the_proforma_and_the_invoice_pdfs(make_account, api_for,
                                                                              runner, client):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="free"))
        proforma = order(api, invoice=INVOICE_DE)
        assert (proforma["net"], proforma["vat"], proforma["gross"]) == ("490.00", "0.00", "490.00")
        book(runner, proforma["number"])
        listed = {i["kind"]: i for i in api.get("/invoices").get_json()["items"]}
    for kind in ("proforma", "invoice"):
        response = client.get(listed[kind]["pdf_url"].replace("http://cmr.test", ""))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = " ".join(" ".join(pdf_pages(response.data)).split())
        assert "odwrotne obciążenie / reverse charge" in text, kind
        assert "DE136695976" in text, kind
        assert "23%" not in text, kind
    with time_machine.travel(REGISTERED, tick=False):  # a Polish buyer's pro-forma has none of it
        polish = order(api_for(make_account(plan="free")))
    text = " ".join(" ".join(pdf_pages(client.get(polish["pdf_url"].replace("http://cmr.test", "")).data)).split())
    assert "reverse charge" not in text and "23%" in text


# Plan changes

def test_moving_down_with_more_active_users_than_the_plan_allows_is_refused(app, make_account, api_for):
    from cmr_app.extensions import db
    from cmr_app.models import User
    with time_machine.travel(REGISTERED, tick=False):
        owner = make_account(plan="pro")
        with app.app_context():
            for n in range(3):
                db.session.add(User(company_id=owner.company_id, email=f"u{n}@example.com",
                                    password_hash="x", role="editor"))
            db.session.commit()
        api = api_for(owner)
        for target, limit in (("standard", 3), ("free", 1)):
            response = api.put("/account/plan", json={"plan": target})
            assert response.status_code == 409, target
            error = response.get_json()["error"]
            assert error["code"] == "features_active"
            assert error["details"]["blockers"] == [{"kind": "users", "active": 4, "limit": limit}]
        assert api.get("/account").get_json()["plan"]["code"] == "pro"
        with app.app_context():
            db.session.delete(db.session.scalar(db.select(User).filter_by(email="u0@example.com")))
            db.session.commit()
        moved = api.put("/account/plan", json={"plan": "standard"})
        assert moved.status_code == 200 and moved.get_json()["plan"]["code"] == "standard"


def test_a_move_down_reaching_its_renewal_with_a_feature_on_suspends_it(app, make_account, api_for, runner):
    from cmr_app.extensions import db
    from cmr_app.models import Company
    with time_machine.travel("2026-01-10T10:00:00+00:00", tick=False):
        owner = make_account(plan="free")
        api = api_for(owner)
        book(runner, order(api, plan="pro")["number"])
        assert api.put("/account/features/custom_numbering", json={"enabled": True}).status_code == 200
        with app.app_context():
            company = db.session.get(Company, owner.company_id)
            company.numbering_pattern, company.numbering_start = "CMR-{YYYY}-{seq:4}", 120
            db.session.commit()
        assert api.post("/documents", json=sample_document()).get_json()["number"] == "CMR-2026-0120"
    with time_machine.travel("2026-06-01T10:00:00+00:00", tick=False):
        moved = api.put("/account/plan", json={"plan": "standard"})
        assert moved.status_code == 200
        assert moved.get_json()["subscription"]["next_plan"] == "standard"
    with time_machine.travel("2026-12-27T10:00:00+00:00", tick=False):
        assert runner.invoke(args=["jobs", "daily"]).exit_code == 0
        renewal = next(i for i in api.get("/invoices").get_json()["items"]
                       if i["kind"] == "proforma" and i["status"] == "pending")
        book(runner, renewal["number"])
        # still Pro until the paid period ends: the feature works
        assert api.post("/documents", json=sample_document()).get_json()["number"] == "CMR-2026-0121"
    with time_machine.travel("2027-01-10T10:00:01+00:00", tick=False):
        account = api.get("/account").get_json()
        assert account["plan"]["code"] == "standard"
        feature = next(f for f in account["features"] if f["key"] == "custom_numbering")
        assert feature["enabled"] is True and feature["available"] is False  # kept, suspended
        number = api.post("/documents", json=sample_document()).get_json()["number"]
        assert number == "2027/01/00001"  # the default pattern while suspended
    with app.app_context():
        company = db.session.get(Company, owner.company_id)
        assert company.numbering_pattern == "CMR-{YYYY}-{seq:4}"  # nothing was deleted


# The PDF parameters of the API

def test_the_pdf_languages_and_copies_parameters_are_printed(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    asked = api.get(f"/documents/{doc['id']}/pdf?languages=lt,ru&copies=4")
    assert asked.status_code == 200
    pages = pdf_pages(asked.data)
    assert len(pages) == 4
    for text in pages:
        assert "Siuntėjas (pavadinimas, adresas, šalis) / Отправитель (наименование, адрес, страна)" in text
    three = pdf_pages(api.get(f"/documents/{doc['id']}/pdf?languages=de&copies=3").data)
    assert len(three) == 3
    assert all("Absender (Name, Anschrift, Land)" in text and "Siuntėjas" not in text for text in three)
    default = pdf_pages(api.get(f"/documents/{doc['id']}/pdf").data)
    assert "Siuntėjas" not in " ".join(default) and "Отправитель" not in " ".join(default)
