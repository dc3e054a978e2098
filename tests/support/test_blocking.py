"""Blocking a company (terms §10.7, API.md): `flask accounts block/unblock` and the admin
area; a blocked company's users and tokens get 403 `account_blocked` with the reason,
its public pages 410, the owner is e-mailed why; unblocking restores everything."""
from __future__ import annotations

import json
from html import unescape

import pytest

from tests.conftest import sample_document
from tests.support.conftest import signed_in

REASON = "Report of 2026-11-30: documents carry another company's data without its consent."


@pytest.fixture
def document(owner_api):
    return owner_api.post("/documents", json=sample_document()).get_json()


@pytest.fixture
def signing_link(owner_api, document):
    response = owner_api.post(f"/documents/{document['id']}/signing-links", json={"role": "sender"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["url"].replace("http://cmr.test", "")


def _block(runner, email, reason=REASON):
    return runner.invoke(args=["accounts", "block", "--email", email, "--reason", reason])


def _path(url: str) -> str:
    return url.replace("http://cmr.test", "")


def test_a_blocked_company_s_tokens_get_403_account_blocked_with_the_reason(runner, owner, owner_api, document):
    result = _block(runner, owner.email)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"account_id": owner.company_id, "blocked": True, "changed": True}
    for response in (owner_api.get("/documents"), owner_api.get(f"/documents/{document['id']}"),
                     owner_api.post("/documents", json=sample_document()), owner_api.get("/account")):
        assert response.status_code == 403
        error = response.get_json()["error"]
        assert error["code"] == "account_blocked"
        assert REASON in error["message"] and error["details"]["reason"] == REASON


def test_a_blocked_company_s_users_see_a_page_saying_why(app, runner, owner, document):
    client = signed_in(app, owner)
    _block(runner, owner.email)
    for path in ("/documents", "/settings", f"/documents/{document['id']}", "/book/clients", "/documents/new"):
        response = client.get(path)
        assert response.status_code == 403, path
        page = unescape(response.get_data(as_text=True))
        assert "This account is blocked" in page and REASON in page
        assert "Möbelhaus" not in page
    assert client.post("/settings/company", data={"name": "X"}).status_code == 403
    # Signing in again leads to the same page, not into the data.
    fresh = signed_in(app, owner)
    assert fresh.get("/documents").status_code == 403


def test_a_blocked_company_s_public_pages_answer_410(client, runner, owner, document, signing_link):
    public = _path(document["public_url"])
    assert client.get(public).status_code == 200
    _block(runner, owner.email)
    for path in (public, public + ".pdf", signing_link):
        response = client.get(path)
        assert response.status_code == 410, path
        page = unescape(response.get_data(as_text=True))
        assert "account is blocked" in page and "Möbelhaus" not in page
        assert REASON not in page  # the reason is the owner's, not every reader's
    signed = client.post(signing_link, json={"signer_name": "Jan", "signature": "data:image/png;base64,AA=="})
    assert signed.status_code == 410 and signed.get_json()["error"]["code"] == "account_blocked"


def test_the_owner_is_e_mailed_why_and_when_it_is_lifted(runner, owner, mailbox):
    _block(runner, owner.email)
    [blocked] = mailbox.to(owner.email)
    assert "blocked" in blocked["Subject"] and "Spedycja Kowalski" in blocked["Subject"]
    assert REASON in mailbox.last_body(owner.email)
    runner.invoke(args=["accounts", "unblock", "--email", owner.email])
    assert len(mailbox.to(owner.email)) == 2
    assert "unblocked" in mailbox.to(owner.email)[-1]["Subject"]


def test_unblocking_restores_everything(app, client, runner, owner, owner_api, document, signing_link):
    web = signed_in(app, owner)
    _block(runner, owner.email)
    result = runner.invoke(args=["accounts", "unblock", "--email", owner.email])
    assert result.exit_code == 0 and json.loads(result.output)["changed"] is True
    assert owner_api.get(f"/documents/{document['id']}").status_code == 200
    assert web.get("/documents").status_code == 200 and web.get("/settings").status_code == 200
    assert client.get(_path(document["public_url"])).status_code == 200
    assert client.get(signing_link).status_code == 200


def test_other_companies_are_not_touched(runner, owner, make_account, api_for, client):
    other = api_for(make_account("other@firma.example", company="Inna Firma"))
    doc = other.post("/documents", json=sample_document()).get_json()
    _block(runner, owner.email)
    assert other.get("/documents").status_code == 200
    assert client.get(_path(doc["public_url"])).status_code == 200


def test_the_cli_says_what_is_wrong(runner, owner, mailbox):
    unknown = _block(runner, "nobody@nowhere.example")
    assert unknown.exit_code != 0 and "nobody@nowhere.example" in unknown.output
    empty = _block(runner, owner.email, reason="   ")
    assert empty.exit_code != 0 and "reason" in empty.output
    assert runner.invoke(args=["accounts", "block", "--email", owner.email]).exit_code != 0  # --reason required
    not_blocked = runner.invoke(args=["accounts", "unblock", "--email", owner.email])
    assert not_blocked.exit_code == 0 and json.loads(not_blocked.output)["changed"] is False
    assert mailbox.to(owner.email) == []


def test_blocking_again_for_the_same_reason_changes_nothing(runner, owner, mailbox):
    _block(runner, owner.email)
    again = _block(runner, owner.email)
    assert json.loads(again.output)["changed"] is False
    assert len(mailbox.to(owner.email)) == 1
    changed = _block(runner, owner.email, reason="Another reason.")
    assert json.loads(changed.output)["changed"] is True
    assert "Another reason." in mailbox.last_body(owner.email)


# The admin area

def test_admins_block_and_unblock_with_a_reason(app, owner, owner_api, admin_client, mailbox):
    url = f"/admin/accounts/{owner.company_id}/block"
    assert admin_client.get(url).status_code == 200
    refused = admin_client.post(url, data={"reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    assert owner_api.get("/documents").status_code == 200

    done = admin_client.post(url, data={"reason": REASON}, follow_redirects=True)
    assert done.status_code == 200 and "is blocked" in done.get_data(as_text=True)
    assert owner_api.get("/documents").get_json()["error"]["code"] == "account_blocked"
    assert REASON in mailbox.last_body(owner.email)

    listed = admin_client.get("/admin/accounts").get_data(as_text=True)
    assert "blocked" in listed and f"/admin/accounts/{owner.company_id}/unblock" in listed
    admin_client.post(f"/admin/accounts/{owner.company_id}/unblock")
    assert owner_api.get("/documents").status_code == 200


def test_blocking_an_unknown_account_is_404_and_non_admins_get_404(app, owner, make_account, admin_client):
    assert admin_client.post("/admin/accounts/999999/block", data={"reason": REASON}).status_code == 404
    assert admin_client.post("/admin/accounts/999999/unblock").status_code == 404
    intruder = signed_in(app, make_account("intruder@firma.example", company="Inna Firma"))
    assert intruder.post(f"/admin/accounts/{owner.company_id}/block", data={"reason": REASON}).status_code == 404
    assert intruder.get("/documents").status_code == 200


def test_admins_are_not_locked_out_of_the_admin_area(runner, admin, admin_client):
    _block(runner, admin.email)
    assert admin_client.get("/admin/accounts").status_code == 200
    assert admin_client.get("/documents").status_code == 403
    admin_client.post(f"/admin/accounts/{admin.company_id}/unblock")
    assert admin_client.get("/documents").status_code == 200


def test_a_blocked_owner_can_still_withdraw_support_access(app, runner, owner, owner_api, admin_client):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    web = signed_in(app, owner)
    _block(runner, owner.email)
    page = web.get("/settings").get_data(as_text=True)
    assert "Withdraw support access now" in page
    web.post("/settings/support-access", data={"action": "withdraw"})
    assert admin_client.get(f"/admin/accounts/{owner.company_id}/support").status_code == 403
    # Granting is not possible while blocked.
    assert web.post("/settings/support-access", data={"action": "grant", "days": "7"}).status_code == 403
    assert admin_client.get(f"/admin/accounts/{owner.company_id}/support").status_code == 403


def test_a_blocked_owner_can_withdraw_support_access_through_the_api_but_nothing_else(runner, owner, owner_api):
    owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    _block(runner, owner.email)
    granted = owner_api.put("/account/support-access", json={"enabled": True, "days": 7})
    assert granted.status_code == 403 and granted.get_json()["error"]["code"] == "account_blocked"
    assert owner_api.get("/account/support-access/log").status_code == 403
    withdrawn = owner_api.put("/account/support-access", json={"enabled": False})
    assert withdrawn.status_code == 200 and withdrawn.get_json() == {"enabled": False, "expires_at": None}
