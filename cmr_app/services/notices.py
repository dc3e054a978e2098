"""Once-only notices to a company, safe against retries and parallel job runs."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import clock
from ..extensions import db
from ..models import CompanyNotice


def claim(company_id: int, kind: str, key: str) -> bool:
    """True for exactly one caller per (company, kind, key), committed at once so a
    parallel run sees the claim; the caller then sends."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    inserted = db.session.execute(
        insert(CompanyNotice).values(company_id=company_id, kind=kind, key=key, created_at=clock.now())
        .on_conflict_do_nothing().returning(CompanyNotice.id)).scalar_one_or_none()
    db.session.commit()
    return inserted is not None
