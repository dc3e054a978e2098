"""Once-only notices to a company, safe against retries and parallel job runs."""
from __future__ import annotations

from .. import clock
from ..extensions import db, insert_ignoring_conflict
from ..models import CompanyNotice


def claim(company_id: int, kind: str, key: str, *, commit: bool = True) -> bool:
    """True for exactly one caller per (company, kind, key), committed at once so a
    parallel run sees the claim; the caller then sends. With commit=False the caller
    commits the claim together with the e-mails it records (a parallel run's insert of
    the same key waits for that commit, then finds it taken)."""
    inserted = db.session.execute(
        insert_ignoring_conflict(CompanyNotice, company_id=company_id, kind=kind, key=key,
                                 created_at=clock.now()).returning(CompanyNotice.id)).scalar_one_or_none()
    if commit:
        db.session.commit()
    return inserted is not None
