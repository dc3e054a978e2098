import copy

from renderers import fingerprint
from renderers.fingerprinting import canonical_json


def test_fingerprint_is_twelve_hex_digits_and_stable(doc):
    fp = fingerprint(doc)
    assert len(fp) == 12 and int(fp, 16) >= 0
    assert fingerprint(copy.deepcopy(doc)) == fp
    shuffled = dict(reversed(list(doc.items())))
    assert fingerprint(shuffled) == fp


def test_fingerprint_changes_with_content(doc):
    fp = fingerprint(doc)
    changed = copy.deepcopy(doc)
    changed["goods"][0]["gross_weight_kg"] = "12400.6"
    assert fingerprint(changed) != fp
    renumbered = dict(doc, number="13/11/2026")
    assert fingerprint(renumbered) != fp


def test_links_and_bookkeeping_do_not_change_the_fingerprint(doc):
    fp = fingerprint(doc)
    volatile = dict(doc, public_url="https://other/d/x", short_url="other/d/x", id=7, status="issued",
                    created_at="2026-11-21T10:00:00+01:00", updated_at="2026-11-22T10:00:00+01:00",
                    pdf_url="/x.pdf", fingerprint="000000000000")
    assert fingerprint(volatile) == fp
    assert '"public_url"' not in canonical_json(doc)


def test_fingerprint_of_empty_document():
    assert len(fingerprint({})) == 12
