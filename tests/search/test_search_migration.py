"""Migration 0010 rebuilds the search text of documents issued before it (the goods are
now in it; a withdrawn document keeps only its number) and indexes it, on SQLite and,
where configured, PostgreSQL."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from sqlalchemy import select, text

from cmr_app import create_app
from tests.conftest import insert_old_company
from cmr_app.extensions import db

PG_URL = os.environ.get("CMR_TEST_DATABASE_URL")


def test_documents_saved_before_get_their_goods_searchable(empty_database):
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    created = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
    content = {"sender": {"name": "Kowalski", "city": "Poznań"},
               "goods": [{"nature": "Frozen raspberries", "marks": "RB-2207", "packing": "Cartons"}]}
    with app.app_context():
        upgrade(revision="0009")
        stamp = created if db.engine.dialect.name == "postgresql" else created.replace(tzinfo=None)
        with db.engine.begin() as conn:
            insert_old_company(conn, stamp)
            for doc_id, withdrawn in ((1, None), (2, stamp)):
                conn.execute(text(
                    "INSERT INTO documents (id, company_id, number, status, data, public_token, fingerprint,"
                    " issued_on, search_text, created_at, updated_at, withdrawn_at) VALUES (:id, 1, :number,"
                    " 'issued', :data, :token, 'abcdef000001', '2026-10-05', :old, :t, :t, :w)"),
                    {"id": doc_id, "number": f"{doc_id}/10/2026", "data": json.dumps(content),
                     "token": f"token{doc_id}" * 4, "old": f"{doc_id}/10/2026 kowalski poznań", "t": stamp,
                     "w": withdrawn})
        upgrade()

        from cmr_app.models import Document
        from cmr_app.services.search import matching

        def found(q):
            return [d.number for d in db.session.scalars(
                select(Document).where(Document.company_id == 1, *matching(Document, q)).order_by(Document.id))]

        assert found("raspberries rb-2207") == ["1/10/2026"]
        assert found("cartons") == ["1/10/2026"]
        assert found("kowalski") == ["1/10/2026"]
        assert found("2/10/2026") == ["2/10/2026"]
        # A document saved after the migration is indexed too.
        doc = db.session.get(Document, 1)
        doc.search_text = "1/10/2026 fresh blueberries"
        db.session.commit()
        assert found("raspberries") == [] and found("blueberries") == ["1/10/2026"]
