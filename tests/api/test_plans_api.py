"""Plans, trial switching and feature switches through the API (PLANS.md)."""
from __future__ import annotations

import time_machine

from tests.conftest import sample_document

REGISTERED = "2026-11-21T10:00:00+00:00"


def test_account_reports_plan_trial_usage_and_features(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="standard"))
        api.post("/documents", json=sample_document())
        account = api.get("/account").get_json()
    assert account["plan"] == {"code": "standard", "name": "Standard"}
    assert account["trial"] == {"active": True, "ends_at": "2026-12-20T23:00:00+00:00"}
    assert account["usage"] == {"period": "2026-11", "used": 1, "limit": 150, "remaining": 149,
                                "resets_at": "2026-11-30T23:00:00+00:00"}
    assert {f["key"]: f["available"] for f in account["features"]} == {
        "company_logo": True, "templates": True, "email_documents": True, "custom_numbering": False}
    assert account["subscription"] is None


def test_switching_on_a_higher_feature_in_the_trial_moves_the_plan_up(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="free"))
        response = api.put("/account/features/templates", json={"enabled": True})
        assert response.status_code == 200
        assert response.get_json()["plan"]["code"] == "standard"
        response = api.put("/account/features/custom_numbering", json={"enabled": True})
        assert response.get_json()["plan"]["code"] == "pro"


def test_moving_down_in_the_trial_lists_what_to_switch_off(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="pro"))
        api.put("/account/features/custom_numbering", json={"enabled": True})
        api.put("/account/features/templates", json={"enabled": True})
        response = api.put("/account/plan", json={"plan": "free"})
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "features_active"
        assert {b["key"] for b in error["details"]["blockers"]} == {"custom_numbering", "templates"}
        assert api.put("/account/plan", json={"plan": "standard"}).status_code == 409
        api.put("/account/features/custom_numbering", json={"enabled": False})
        assert api.put("/account/plan", json={"plan": "standard"}).get_json()["plan"]["code"] == "standard"


def test_after_the_trial_a_missing_feature_needs_a_plan(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="pro"))
    # Registered 21 Nov: the trial covers 21 Nov–20 Dec and ends at 00:00 on 21 Dec, Warsaw.
    with time_machine.travel("2026-12-20T22:59:59+00:00", tick=False):
        assert api.get("/account").get_json()["trial"]["active"] is True
    with time_machine.travel("2026-12-20T23:00:00+00:00", tick=False):
        account = api.get("/account").get_json()
        assert account["trial"]["active"] is False and account["plan"]["code"] == "free"
        response = api.put("/account/features/templates", json={"enabled": True})
        assert response.status_code == 402
        assert response.get_json()["error"] == {
            "code": "plan_required", "message": response.get_json()["error"]["message"],
            "details": {"feature": "templates", "plan": "standard"}}
        assert api.put("/account/plan", json={"plan": "pro"}).status_code == 402
        assert api.put("/account/plan", json={"plan": "free"}).status_code == 200


def test_unknown_feature_and_plan_are_validation_errors(api):
    assert api.put("/account/features/teleport", json={"enabled": True}).status_code == 422
    assert api.put("/account/features/templates", json={"enabled": "yes"}).status_code == 422
    assert api.put("/account/plan", json={"plan": "gold"}).status_code == 422


def test_unpaid_after_trial_runs_on_free_limits(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="pro"))
        for _ in range(12):
            assert api.post("/documents", json=sample_document()).status_code == 201
    with time_machine.travel("2026-12-21T10:00:00+00:00", tick=False):
        for _ in range(10):
            assert api.post("/documents", json=sample_document()).status_code == 201
        refused = api.post("/documents", json=sample_document())
        assert refused.status_code == 402
        details = refused.get_json()["error"]["details"]
        assert details["limit"] == 10 and details["used"] == 10
        assert details["resets_at"] == "2026-12-31T23:00:00+00:00"


def test_the_month_is_the_warsaw_calendar_month(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="free"))
    with time_machine.travel("2026-11-30T22:59:00+00:00", tick=False):
        assert api.post("/documents", json=sample_document()).get_json()["number"] == "2026/11/00001"
        assert api.get("/account").get_json()["usage"]["period"] == "2026-11"
    with time_machine.travel("2026-11-30T23:30:00+00:00", tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
        assert doc["number"] == "2026/12/00001"
        assert api.get("/account").get_json()["usage"] == {
            "period": "2026-12", "used": 1, "limit": 10, "remaining": 9,
            "resets_at": "2026-12-31T23:00:00+00:00"}
