"""The CMR's PDFs: the anonymous copy behind the public link leaves out the parties'
e-mails and phones (as the driver's page does), the office's copy is complete; rendered
PDFs are cached by everything that changes them and answered with an ETag (304 when the
client holds that version); the public PDF has its own tighter rate limit."""
from __future__ import annotations

import io
import os
import time

import pytest
from pypdf import PdfReader

from tests.conftest import sample_document

CONTACTS = {"sender": {"name": "Meble Kowalski", "city": "Poznań", "country": "PL",
                       "email": "biuro@meble-kowalski.pl", "phone": "+48 61 555 01 02"},
            "consignee": {"name": "Möbelhaus Schäfer", "city": "Berlin", "country": "DE",
                          "email": "lager@schaefer.de", "phone": "+49 30 1234567"}}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages[:1])


def public_path(doc: dict) -> str:
    return doc["public_url"].replace("http://cmr.test", "")


@pytest.fixture
def doc(api):
    return api.post("/documents", json=sample_document(
        **CONTACTS, sender_instructions="Keep dry. Customs at Świecko.")).get_json()


def test_the_anonymous_pdf_and_page_leave_out_contacts_the_office_pdf_keeps_them(api, client, doc, owner_client):
    public = client.get(public_path(doc) + ".pdf")
    assert public.status_code == 200
    office_api = api.get(f"/documents/{doc['id']}/pdf")
    office_web = owner_client.get(f"/documents/{doc['id']}/pdf")
    assert office_web.status_code == 200
    page = client.get(public_path(doc)).get_data(as_text=True)
    public_text = text_of(public.data)
    for contact in ("biuro@meble-kowalski.pl", "+48 61 555 01 02", "lager@schaefer.de", "+49 30 1234567"):
        assert contact not in public_text and contact not in page
        assert contact in text_of(office_api.data) and contact in text_of(office_web.data)
    # The sender's instructions are for the carrier: on the paper copy and on the page.
    assert "Keep dry. Customs at Świecko." in public_text and "Keep dry. Customs at Świecko." in page
    assert "Meble Kowalski" in public_text and "Meble Kowalski" in page


@pytest.fixture
def owner_client(app, api):
    """A browser session of the API user's company (the same owner)."""
    from cmr_app.extensions import db
    from cmr_app.models import User
    with app.app_context():
        email = db.session.scalars(db.select(User.email)).first()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": "correct horse 1"}).status_code == 302
    return client


def test_all_three_pdfs_answer_304_for_the_version_the_client_holds(api, client, doc, owner_client):
    urls = [(client, public_path(doc) + ".pdf"), (api.client, f"/api/v1/documents/{doc['id']}/pdf"),
            (owner_client, f"/documents/{doc['id']}/pdf")]
    headers = {"Authorization": f"Bearer {api.token}"}
    tags = []
    for who, url in urls:
        first = who.get(url, headers=headers)
        assert first.status_code == 200 and first.data.startswith(b"%PDF") and first.headers["ETag"]
        again = who.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
        tags.append(first.headers["ETag"])
    # The office's copy is one cached PDF for the API and the web; the anonymous one differs.
    assert tags[1] == tags[2] and tags[0] != tags[1]
    # A save makes a new version: the old tag no longer matches.
    api.patch(f"/documents/{doc['id']}", json={"status": "in_transit"})
    for (who, url), tag in zip(urls, tags):
        fresh = who.get(url, headers={**headers, "If-None-Match": tag})
        assert fresh.status_code == 200 and fresh.headers["ETag"] != tag


def test_the_key_follows_languages_copies_blank_offset_and_logo(app, api, doc):
    from PIL import Image

    from cmr_app.extensions import db
    from cmr_app.models import Company

    def tag(query=""):
        response = api.get(f"/documents/{doc['id']}/pdf{query}")
        assert response.status_code == 200
        return response.headers["ETag"]

    base = tag()
    assert tag() == base
    variants = {tag("?languages=lt"), tag("?copies=3"), tag("?blank=1"), base}
    assert len(variants) == 4
    with app.app_context():
        company = db.session.get(Company, doc_company(app, doc))
        company.print_offset_x_mm = 2
        db.session.commit()
    assert tag("?blank=1") not in variants
    after_offset = tag()
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(png, "PNG")
    with app.app_context():
        company = db.session.get(Company, doc_company(app, doc))
        company.logo, company.logo_mime = png.getvalue(), "image/png"
        company.enabled_features = sorted(set(company.enabled_features or []) | {"company_logo"})
        db.session.commit()
    with_logo = tag()
    assert with_logo != after_offset
    with app.app_context():
        company = db.session.get(Company, doc_company(app, doc))
        company.enabled_features = [f for f in company.enabled_features if f != "company_logo"]
        db.session.commit()
    assert tag() == after_offset  # the logo switched off: the same output as before it


def doc_company(app, doc) -> int:
    from cmr_app.extensions import db
    from cmr_app.models import Document
    with app.app_context():
        return db.session.get(Document, doc["id"]).company_id


def test_a_big_document_is_drawn_once_then_served_from_the_cache(api, client, monkeypatch):
    from cmr_app.services import documents
    drawn = []
    real = documents.render_pdf
    monkeypatch.setattr(documents, "render_pdf", lambda *a, **k: drawn.append(1) or real(*a, **k))
    goods = [{"packages": i, "packing": "box", "nature": f"Spare part {i}", "gross_weight_kg": "10"}
             for i in range(500)]
    doc = api.post("/documents", json=sample_document(goods=goods)).get_json()
    first = client.get(public_path(doc) + ".pdf")
    second = client.get(public_path(doc) + ".pdf")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert len(PdfReader(io.BytesIO(first.data)).pages) > 4
    # Drawn once (a count, not a stopwatch: a timed assertion fails on a busy machine).
    assert len(drawn) == 1


def test_the_public_pdf_has_a_tighter_limit_than_the_page(api, client, doc):
    codes = [client.get(public_path(doc) + ".pdf").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert client.get(public_path(doc)).status_code == 200  # the page keeps its own allowance


def _closed_port() -> int:
    return 1  # tcpmux: nothing listens there (a free port found now could be taken by another process later)


def test_redis_unreachable_does_not_break_the_pdf(app, api, doc):
    from cmr_app.services import pdf_cache
    with app.app_context():
        store = pdf_cache.RedisStore(f"redis://127.0.0.1:{_closed_port()}/0", 60,
                                     pdf_cache.MemoryStore(8 * 1024 * 1024))
        app.extensions["pdf_cache"] = store
    first = api.get(f"/documents/{doc['id']}/pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert store.down_until > 0  # it noticed, and stops trying for a while
    started = time.monotonic()
    second = api.get(f"/documents/{doc['id']}/pdf")
    assert second.data == first.data and time.monotonic() - started < 1  # from the memory stand-in


@pytest.mark.skipif(not os.environ.get("CMR_TEST_REDIS_URL"), reason="needs CMR_TEST_REDIS_URL")
def test_with_redis_the_pdf_is_kept_there_with_a_ttl(app, api, doc):
    import redis

    from cmr_app.services import pdf_cache
    response = api.get(f"/documents/{doc['id']}/pdf")
    tag = response.headers["ETag"].strip('"')
    server = redis.Redis.from_url(os.environ["CMR_TEST_REDIS_URL"])
    assert server.get(pdf_cache.REDIS_PREFIX + tag) == response.data
    assert 0 < server.ttl(pdf_cache.REDIS_PREFIX + tag) <= pdf_cache.DEFAULT_TTL_SECONDS


def test_the_memory_cache_is_bounded_in_bytes():
    from cmr_app.services.pdf_cache import MemoryStore
    store = MemoryStore(1000)
    for key in "abcde":
        store.put(key, key.encode() * 240)
    assert store.size <= 1000 and store.get("a") is None and store.get("e") == b"e" * 240
    store.get("b")  # recently used: kept over c
    store.put("f", b"f" * 240)
    assert store.get("b") is not None and store.get("c") is None
    store.put("huge", b"x" * 600)  # more than a quarter of the budget: not kept
    assert store.get("huge") is None
