"""A short, stable check code of a document's content, printed on every copy so a
paper copy can be matched against the record (and a changed record noticed)."""
from __future__ import annotations

import hashlib
import json

# Left out: the links (derived from the record, not content), the check code itself,
# and bookkeeping that changes without the consignment changing. The number IS content:
# two documents with the same goods but different numbers are different papers. The
# version number and the cancellation are the record's, not the content's: cancelling
# keeps the check code a paper copy carries.
VOLATILE_KEYS = frozenset({
    "public_url", "short_url", "fingerprint", "id", "created_at", "updated_at",
    "status", "pdf_url", "version", "cancelled_on", "cancelled_at", "cancel_reason",
    # The e-CMR's signatures and record are made after the content is final (it is
    # locked at the first signature): they never change the check code.
    "signatures", "reservations", "record", "timezone",
})


def canonical_json(doc: dict) -> str:
    content = {k: v for k, v in (doc or {}).items() if k not in VOLATILE_KEYS}
    # Decimals, dates and the like are hashed by their text form.
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)


def fingerprint(doc: dict) -> str:
    """First 12 hex digits of SHA-256 over the canonical JSON of the content."""
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()[:12]
