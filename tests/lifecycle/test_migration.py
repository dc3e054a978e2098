"""Migration 0004 gives documents issued before versions existed their version 1 and an
`issued` event whose hash follows ECMR.md §4 (on SQLite and, where configured, PostgreSQL)."""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone

from sqlalchemy import text

from cmr_app import create_app
from tests.conftest import insert_old_company
from cmr_app.extensions import db

PG_URL = os.environ.get("CMR_TEST_DATABASE_URL")


def test_documents_issued_before_versions_get_version_1_and_an_issued_event(empty_database):
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    created = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
    with app.app_context():
        upgrade(revision="0003")
        stamp = created if db.engine.dialect.name == "postgresql" else created.replace(tzinfo=None)
        with db.engine.begin() as conn:
            insert_old_company(conn, stamp)
            conn.execute(text(
                "INSERT INTO users (id, company_id, email, password_hash, role, is_admin, language, created_at,"
                " security_stamp) VALUES (1, 1, 'old@example.com', 'x', 'owner', false, '', :t, 0)"), {"t": stamp})
            for doc_id, status in ((1, "issued"), (2, "cancelled")):
                conn.execute(text(
                    "INSERT INTO documents (id, company_id, number, status, data, public_token, fingerprint,"
                    " issued_on, search_text, created_by_id, created_at, updated_at) VALUES (:id, 1, :number,"
                    " :status, :data, :token, :fp, '2026-10-05', '', 1, :t, :t)"),
                    {"id": doc_id, "number": f"{doc_id}/10/2026", "status": status,
                     "data": json.dumps({"sender": {"name": "Kowalski"}}), "token": f"token{doc_id}" * 4,
                     "fp": f"abcdef00000{doc_id}", "t": stamp})
                conn.execute(text("INSERT INTO document_revisions (document_id, saved_at, fingerprint)"
                                  " VALUES (:id, :t, :fp)"), {"id": doc_id, "t": stamp, "fp": f"abcdef00000{doc_id}"})
        upgrade()

        from cmr_app.models import Document
        from cmr_app.services import lifecycle, record
        first, second = db.session.get(Document, 1), db.session.get(Document, 2)
        assert first.version == 1
        [version] = lifecycle.versions(first)
        assert (version.version, version.fingerprint, version.created_by) == (1, "abcdef000001", "old@example.com")
        assert version.data == {"sender": {"name": "Kowalski"}}
        [issued] = [record.event_dict(e) for e in record.events(first)]
        assert issued["type"] == "issued" and issued["at"] == "2026-10-05T08:30:00.000+00:00"
        assert issued["fingerprint"] == "abcdef000001" and issued["by"] == "old@example.com"
        body = {k: v for k, v in issued.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert issued["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
        events = [record.event_dict(e) for e in record.events(second)]
        assert [e["type"] for e in events] == ["issued", "cancelled"] and record.verify_chain(events)
        assert second.cancelled_at is not None
        db.session.remove()
        db.engine.dispose()
