"""The API's PDF download answered from the cache (api/auth.py cached_pdf): a PDF drawn
before is answered from the token query's plain values, without ORM objects. That
answer must be the one the ordinary path gives, and every refusal of the ordinary path
must still come when the PDF is in the cache. Each refusal is asked twice at a frozen
moment: the first request notes the token's use (the ordinary path writes it), so the
second is one the cached answer would take."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from cmr_app.extensions import db
from tests.conftest import sample_document

REGISTERED = "2026-01-05T10:00:00+00:00"


def _twice(api, path, **kw):
    first, second = api.get(path, **kw), api.get(path, **kw)
    assert (first.status_code, first.get_json()) == (second.status_code, second.get_json())
    return second


def test_a_cached_pdf_is_the_answer_a_rendering_gave(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    for query in ("", "?copies=3&languages=de,en&annex=separate", "?blank=1"):
        path = f"/documents/{doc['id']}/pdf{query}"
        drawn, cached = api.get(path), api.get(path)
        assert drawn.status_code == cached.status_code == 200
        assert cached.data == drawn.data and cached.data.startswith(b"%PDF")
        assert dict(cached.headers) == dict(drawn.headers)  # ETag, file name, no-store, security headers
        unchanged = api.get(path, headers={"If-None-Match": drawn.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.headers["ETag"] == drawn.headers["ETag"]
        assert not unchanged.data
    # Other options than those cached: another PDF, another tag.
    three = api.get(f"/documents/{doc['id']}/pdf?copies=3")
    assert three.headers["ETag"] != api.get(f"/documents/{doc['id']}/pdf").headers["ETag"]


def test_a_cached_pdf_of_a_changed_document_is_drawn_again(api):
    doc = api.post("/documents", json=sample_document()).get_json()
    path = f"/documents/{doc['id']}/pdf"
    before = api.get(path)
    assert api.patch(f"/documents/{doc['id']}", json={"goods": [{**sample_document()["goods"][0],
                                                               "description": "Krzesła ogrodowe"}]}
                     ).status_code == 200
    after = api.get(path)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert api.get(path, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_bad_options_and_strangers_are_refused_though_the_pdf_is_cached(api, make_account, api_for):
    doc = api.post("/documents", json=sample_document()).get_json()
    path = f"/documents/{doc['id']}/pdf"
    assert api.get(path).status_code == 200
    assert _twice(api, path + "?copies=5").status_code == 422
    assert _twice(api, path + "?annex=inside").status_code == 422
    stranger = api_for(make_account(company="Stranger"))
    assert _twice(stranger, path).status_code == 404
    assert stranger.get(path, headers={"If-None-Match": api.get(path).headers["ETag"]}).status_code == 404
    from tests.conftest import Api
    assert Api(api.client, api.token[:-1] + ("B" if api.token[-1] != "B" else "C")).get(path).status_code == 401


def test_a_revoked_token_gets_401_though_the_pdf_is_cached(app, api):
    doc = api.post("/documents", json=sample_document()).get_json()
    path = f"/documents/{doc['id']}/pdf"
    assert api.get(path).status_code == 200
    from cmr_app.models import ApiToken
    with app.app_context():
        db.session.query(ApiToken).delete()
        db.session.commit()
    response = api.get(path)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_blocked_company_gets_403_though_its_pdf_is_cached(runner, make_account, api_for):
    owner = make_account()
    api = api_for(owner)
    doc = api.post("/documents", json=sample_document()).get_json()
    path = f"/documents/{doc['id']}/pdf"
    assert api.get(path).status_code == 200
    reason = "Report of 2026-11-30: documents carry another company's data."
    assert runner.invoke(args=["accounts", "block", "--email", owner.email, "--reason", reason]).exit_code == 0
    refused = _twice(api, path)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "account_blocked"
    assert api.get(path, headers={"If-None-Match": '"anything"'}).status_code == 403
    assert runner.invoke(args=["accounts", "unblock", "--email", owner.email]).exit_code == 0
    assert api.get(path).status_code == 200


def test_a_user_beyond_the_plans_limit_gets_403_though_the_pdf_is_cached(make_account, make_member, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        owner = make_account(plan="standard")
        as_editor = api_for(make_member(owner, "editor"))
        doc = as_editor.post("/documents", json=sample_document()).get_json()
        path = f"/documents/{doc['id']}/pdf"
        assert as_editor.get(path).status_code == 200
    with time_machine.travel("2026-03-01T10:00:00+00:00", tick=False):  # trial over, on Free: 1 user
        refused = _twice(as_editor, path)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["details"]["reason"] == "users_over_limit"
        assert _twice(api_for(owner), path).status_code == 200


def test_a_document_beyond_the_archive_gets_402_though_its_pdf_is_cached(make_account, api_for):
    with time_machine.travel(REGISTERED, tick=False):
        api = api_for(make_account(plan="pro"))
        doc = api.post("/documents", json=sample_document()).get_json()
        path = f"/documents/{doc['id']}/pdf"
        assert api.get(path).status_code == 200
    # Trial over, unpaid: Free keeps 3 months (see test_features_and_limits).
    with time_machine.travel("2026-04-05T09:00:00+00:00", tick=False):
        assert _twice(api, path).status_code == 200
    with time_machine.travel("2026-04-05T09:00:01+00:00", tick=False):
        hidden = _twice(api, path)
        assert hidden.status_code == 402
        assert hidden.get_json()["error"]["details"] == {"archive_months": 3, "plan": "standard"}


@pytest.mark.parametrize("seconds, noted", [(30, False), (61, True)])
def test_a_tokens_use_is_noted_once_a_minute_though_every_download_is_cached(app, api, seconds, noted):
    from cmr_app.models import ApiToken
    start = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False):
        doc = api.post("/documents", json=sample_document()).get_json()
        path = f"/documents/{doc['id']}/pdf"
        first = api.get(path)
    with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
        again = api.get(path)
    assert again.status_code == 200 and again.data == first.data
    with app.app_context():
        used = db.session.query(ApiToken.last_used_at).scalar()
    assert used == (start + timedelta(seconds=seconds) if noted else start)
