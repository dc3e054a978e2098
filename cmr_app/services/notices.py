"""Once-only notices to a company, safe against retries and parallel job runs."""
from __future__ import annotations

from .. import clock
from ..extensions import db, insert_ignoring_conflict
from ..models import CompanyNotice


def claim(company_id: int, kind: str, key: str) -> bool:
    """True for exactly one caller per (company, kind, key), committed at once so a
    parallel run sees the claim; the caller then sends."""
    inserted = db.session.execute(
        insert_ignoring_conflict(CompanyNotice, company_id=company_id, kind=kind, key=key,
                                 created_at=clock.now()).returning(CompanyNotice.id)).scalar_one_or_none()
    db.session.commit()
    return inserted is not None
