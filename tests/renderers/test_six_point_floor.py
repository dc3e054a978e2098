"""Nothing printed below 6 pt (issue 12, item 7): every text run of the worst cases is
read back from the PDF with its size as a viewer draws it (pypdf walks into the form
XObjects), and what does not fit at 6 pt is still on paper: labels in the legend above
the form, goods on the annex, a long number wrapped, hashes on two lines."""
import io
import itertools
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from renderers import LANGUAGES, labels, render_calibration_page, render_cmr
from renderers.annex import annex_header
from renderers.cmr import MAX_FREE_CHARGE_ROWS
from renderers.form import form_layout
from renderers.layout import COPY_NAME_BASELINE, FRAME
from renderers.record import record_pages
from renderers.sample import large_document, signed_document
from renderers.typography import LABEL_BOLD, register_fonts, width

from tests.renderers.geometry import gap, stroke_boxes, text_boxes

FLOOR = 6.0            # pt: the rule, not the code's constant
LONGEST_NUMBER = ("CMR/" + "WAREHOUSE-KRAKOW-NOWA-HUTA/" * 3)[:60] + "2026/11/000123456789"
# Every language once, in sets of three; the first of each set is the one a label keeps
# when the others go to the legend. Then the sets with the longest labels and legends.
PARTITION = [("pl", "de", "en"), ("fr", "es", "it"), ("nl", "cs", "sk"), ("lt", "lv", "et"),
             ("ro", "hu", "bg"), ("ru", "uk", "tr")]
LONGEST = [("sk", "et", "uk"), ("pl", "de", "uk"), ("lv", "ru", "de"), ("en", "nl", "uk")]
LABEL_KEYS = ("title", "box_1", "box_4", "box_7", "box_10", "box_13", "box_14", "box_17", "box_20",
              "box_24", "carriage_paid", "carriage_forward", "charges_sender", "carriage_charges",
              "supplementary_charges", "other_charges", "clause", "note_sender", "note_carrier",
              "fingerprint", "version")


def runs(pdf: bytes) -> list[tuple[int, str, float, str]]:
    """(page, text, size in pt as drawn, font name) of every text run."""
    out = []
    for n, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        def visit(text, cm, tm, font, size, n=n):
            if not text.strip():
                return
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            name = str((font or {}).get("/BaseFont", ""))
            out.append((n, text.strip(), size * abs(a * d - b * c) ** 0.5, name))
        page.extract_text(visitor_text=visit)
    return out


def squash(s: str) -> str:
    return "".join(s.split())


def unbracketed(s: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", s)


def assert_floor(items, what):
    small = [(p, t[:40], round(s, 2)) for p, t, s, _ in items if s < FLOOR - 1e-6]
    assert not small, (what, small[:10])


def worst_document():
    """40 goods lines, long free texts, the longest number, a version, two free charges."""
    doc = large_document()
    assert len(doc["goods"]) == 40
    doc.update(number=LONGEST_NUMBER, version=12)
    doc["charges"] += [{"label": "Waiting time at the border crossing in Kukuryki, 2 days",
                        "sender": "120.00", "currency": "EUR", "consignee": ""},
                       {"label": "Ferry Travemünde–Liepāja", "sender": "310.00", "currency": "EUR",
                        "consignee": ""}]
    return doc


@pytest.mark.parametrize("langs", PARTITION + LONGEST)
def test_worst_case_form_and_annex_print_nothing_below_6_pt_and_lose_nothing(langs):
    doc = worst_document()
    pdf = render_cmr(doc, languages=list(langs), copies=3)
    items = runs(pdf)
    assert_floor(items, langs)
    pages = {}
    for p, t, _, _ in items:
        pages[p] = pages.get(p, "") + t
    form, everything = squash(pages[0]), squash("".join(pages.values()))
    # Every label in every chosen language is on the form page: in its box, or in the
    # legend above the form; a long one may have lost its bracketed words.
    for lang in langs:
        for key in LABEL_KEYS:
            text = labels(lang)[key]
            assert squash(text) in form or squash(unbracketed(text)) in form, (lang, key)
    # The number in full (wrapped in the top margin), and at the foot.
    assert form.count(squash(LONGEST_NUMBER)) >= 1
    assert squash(LONGEST_NUMBER) in squash("".join(t for p, t, _, _ in items if p == 0))
    # Every goods line on paper: on the form or on the annex, all of them at >= 6 pt.
    assert len(pages) > 3                      # the annex follows the three copies
    for g in doc["goods"]:
        assert squash(g["nature"]) in everything, g["nature"]
        assert squash(g["marks"]) in everything, g["marks"]
    for ch in doc["charges"]:
        assert squash(ch["label"]) in everything


def test_every_language_set_fits_its_labels_at_6_pt_without_running_out_of_its_box():
    """All 816 sets of three (and the pairs) at the label size: no label overflows even in
    its first language alone, and the legend keeps to its lines above the form."""
    register_fonts()
    sets = list(itertools.combinations(LANGUAGES, 3)) + list(itertools.permutations(LANGUAGES, 2))
    for langs in sets:
        for extra_rows, versioned in ((0, False), (MAX_FREE_CHARGE_ROWS, True)):
            f = form_layout(langs, extra_rows, versioned)
            assert not f.label_overflow, (langs, f.label_overflow)
            sizes = [t[4] for t in f.sheet.texts] + [t[4] for t in f.sheet.rotated]
            assert min(sizes) >= FLOOR - 1e-9, (langs, extra_rows)
            legend = [b for b in text_boxes(f.sheet) if b[3] < FRAME[1] - 5]
            assert all(b[1] > 4.0 and b[3] < 18.6 for b in legend), langs


@pytest.mark.parametrize("langs", LONGEST + [("pl", "de", "en"), ("en",)])
def test_labels_keep_inside_their_box_outlines(langs):
    """At 6 pt no label touches a ruled line (a label crossed by a frame cannot be read)."""
    register_fonts()
    f = form_layout(langs, MAX_FREE_CHARGE_ROWS, True)
    strokes = stroke_boxes(f.sheet)
    for t in text_boxes(f.sheet):
        if t[4].startswith("CMR ") or t[4] == "CMR":
            continue        # the big mark is drawn to the frame's edge on purpose
        for st in strokes:
            assert gap(t[:4], st) > 0.0, (langs, t[4], st)


def test_the_record_page_prints_each_hash_on_two_6_pt_lines():
    doc = signed_document(number=LONGEST_NUMBER)
    pdf = render_cmr(doc, languages=["lv", "ru", "de"], copies=3)
    items = runs(pdf)
    assert_floor(items, "signed")
    record = [(t, s, name) for p, t, s, name in items if p == len(PdfReader(io.BytesIO(pdf)).pages) - 1]
    mono = [(t.lstrip("↑ ").strip(), s) for t, s, name in record if "Mono" in name]
    for event in doc["record"]:
        h = event["hash"]
        assert (h[:32], pytest.approx(FLOOR)) in [(t, s) for t, s in mono]
        assert (h[32:], pytest.approx(FLOOR)) in [(t, s) for t, s in mono]


def test_the_calibration_page_prints_nothing_below_6_pt():
    # At scale 100 %: a scale correction undoes the printer's own, so paper shows 6 pt.
    items = runs(render_calibration_page((1.5, -0.5)))
    assert_floor(items, "calibration")
    texts = [t for _, t, _, _ in items]
    assert "100" in texts and "196, 287" in texts     # ruler numbers and crosshair corners


def test_the_annex_goods_table_heads_are_at_least_6_pt():
    pdf = render_cmr(worst_document(), languages=["ru", "uk", "tr"], copies=3)
    annex = [r for r in runs(pdf) if r[0] >= 3]
    assert annex and min(r[2] for r in annex) >= FLOOR - 1e-6
    assert any(squash(labels("ru")["box_9"]) in squash(t) or labels("ru")["box_9"][:8] in t
               for _, t, _, _ in annex)


@pytest.mark.parametrize("langs", [("sk", "et", "uk"), ("lv", "ru", "de")])
def test_the_longest_number_heads_annex_and_record_pages_clear_of_everything(langs):
    """At the top of annex and record pages an 80-character number wraps at >= 6 pt
    within the page, clear of the title, the copy name and the check code."""
    register_fonts()
    f = form_layout(langs)
    copy_name, size = f.copy_names[1]
    name_box = (FRAME[0], COPY_NAME_BASELINE - size * 0.93 / mm, FRAME[0] + width(copy_name, LABEL_BOLD, size) / mm,
                COPY_NAME_BASELINE + size * 0.24 / mm)
    annex = annex_header(1, langs, LONGEST_NUMBER)
    record = record_pages(signed_document(number=LONGEST_NUMBER), langs, "1 · 0391cbd04495")[0]
    for sheet, extra in ((annex, [name_box]), (record, [])):
        head = [b for b in text_boxes(sheet) if b[3] < FRAME[1]]
        assert squash(LONGEST_NUMBER) in squash("".join(b[4] for b in head))
        assert min(b[5] for b in head) >= FLOOR
        assert all(b[0] >= FRAME[0] - 0.01 and b[2] <= FRAME[2] + 0.01 for b in head)
        boxes = [b[:4] for b in head] + extra
        for a, b in itertools.combinations(boxes, 2):
            assert gap(a, b) > 0, (a, b)
