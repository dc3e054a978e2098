"""Migration 0012: companies made before keep their numbering and print at 100 %; the
numbering a new company gets cannot be read as a date."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import time_machine
from sqlalchemy import text

from cmr_app import create_app
from cmr_app.extensions import db
from tests.conftest import insert_old_company, sample_document


def test_a_company_made_before_keeps_its_numbering_and_prints_at_full_scale(empty_database):
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    created = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
    with app.app_context():
        upgrade(revision="0010")
        stamp = created if db.engine.dialect.name == "postgresql" else created.replace(tzinfo=None)
        with db.engine.begin() as conn:
            insert_old_company(conn, stamp)
        upgrade()
        from cmr_app.models import Company
        from cmr_app.services import documents
        company = db.session.get(Company, 1)
        assert company.print_scale_pct == Decimal("100")
        assert company.numbering_pattern == "{seq}/{MM}/{YYYY}"
        assert documents.numbering_settings(company) == ("{seq}/{MM}/{YYYY}", 1)
        db.session.remove()
        db.engine.dispose()


NOV = "2026-11-12T10:00:00+00:00"


@time_machine.travel(NOV, tick=False)
def test_a_new_company_numbers_so_that_no_number_reads_as_a_date(api):
    first = api.post("/documents", json=sample_document()).get_json()
    assert first["number"] == "2026/11/00001"


@time_machine.travel(NOV, tick=False)
def test_a_company_with_the_old_default_keeps_it(app, make_account, api_for):
    owner = make_account(plan="free")
    from cmr_app.models import Company
    with app.app_context():
        db.session.get(Company, owner.company_id).numbering_pattern = "{seq}/{MM}/{YYYY}"
        db.session.commit()
    api = api_for(owner)
    assert api.post("/documents", json=sample_document()).get_json()["number"] == "1/11/2026"
    assert api.post("/documents", json=sample_document()).get_json()["number"] == "2/11/2026"
