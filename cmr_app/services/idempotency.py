"""Idempotency-Key on POST: a retry with the same key returns the first result."""
from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db
from ..models import IdempotencyRecord, User


def request_hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _stored(user: User, key: str, digest: str):
    record = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.request_hash != digest:
        raise Conflict(_("This Idempotency-Key was already used with a different request."))
    return record.status_code, record.response


def run_once(user: User, key: str, payload, work) -> tuple[int, dict]:
    """`work()` does its writes without committing and returns (status, body); the result
    is stored with the same commit. A concurrent twin loses on the unique key, rolls back
    everything it did (quota and number included) and answers with the winner's result."""
    digest = request_hash(payload)
    stored = _stored(user, key, digest)
    if stored:
        return stored
    status, body = work()
    db.session.add(IdempotencyRecord(user_id=user.id, key=key, request_hash=digest,
                                     status_code=status, response=body))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = _stored(user, key, digest)
        if stored is None:
            raise
        return stored
    return status, body
