"""Numbers and quota under many saves at once. On PostgreSQL (CMR_TEST_DATABASE_URL) this
is the real test of the guarded UPDATEs; on SQLite the writers queue on the file lock."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import sample_document


def _post_many(app, token: str, count: int):
    def post(i):
        client = app.test_client()
        return client.post("/api/v1/documents", json=sample_document(documents_attached=f"#{i}"),
                            headers={"Authorization": f"Bearer {token}"})
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(post, range(count)))


def test_fifty_documents_at_once_get_distinct_gapless_numbers(app, api):
    responses = _post_many(app, api.token, 50)
    assert [r.status_code for r in responses] == [201] * 50
    numbers = sorted(int(r.get_json()["number"].split("/")[-1]) for r in responses)
    assert numbers == list(range(1, 51))
    assert api.get("/account").get_json()["usage"]["used"] == 50


def test_fifty_saves_with_five_places_left_create_exactly_five(app, make_account, api_for):
    api = api_for(make_account(plan="free"))
    for _ in range(5):
        assert api.post("/documents", json=sample_document()).status_code == 201
    responses = _post_many(app, api.token, 50)
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 5 and codes.count(402) == 45
    refusal = next(r for r in responses if r.status_code == 402).get_json()["error"]
    assert refusal["code"] == "quota_exceeded" and refusal["details"]["limit"] == 10
    usage = api.get("/account").get_json()["usage"]
    documents = []
    cursor = ""
    while True:
        page = api.get(f"/documents?limit=100&cursor={cursor}").get_json()
        documents += page["items"]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert usage["used"] == len(documents) == 10
    numbers = sorted(int(d["number"].split("/")[-1]) for d in documents)
    assert numbers == list(range(1, 11))
