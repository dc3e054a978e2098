"""Printing on pre-printed IRU sets (data only), the 6 pt floor and the annex: what a
dispatcher loading a tray of blank forms and a border officer reading them see."""
import io
import itertools

import pytest
from pypdf import PdfReader

from renderers import render_cmr
from renderers.cmr import MAX_FREE_CHARGE_ROWS, NoAnnex
from renderers.content import build_content
from renderers.form import LABEL_MIN, data_only_layout, form_layout
from renderers.layout import BOXES, PRINTED_GOODS_TOP, PRINTED_LABEL_H
from renderers.locales import joined, labels
from renderers.sample import large_document, sample_document, signed_document
from renderers.typography import register_fonts

from geometry import gap, text_boxes

TYPICAL_SETS = [("pl", "de", "en"), ("cs", "de"), ("es", "fr", "en"), ("it", "fr", "de"), ("ro", "en", "fr"),
                ("ru", "de"), ("lv", "de"), ("lt", "en"), ("bg", "en"), ("hu", "en"), ("en", "fr"),
                ("lt", "ru"), ("hu", "en", "de"), ("lv", "ru", "de"), ("tr", "en"), ("uk", "ru", "it")]
FLOOR = 6.0     # pt: nothing filled in is printed smaller (the rule, not the code's constant)
LONG_NUMBER = "CMR/" + "WAREHOUSE-KRAKOW-NOWA-HUTA/" * 2 + "2026/11/000123456"   # 75 characters


def runs(pdf: bytes, page: int = 0) -> list[tuple[str, float, float, float]]:
    """(text, x, y, size) of every text run on a page, in points, as a viewer places it:
    pypdf walks into the form XObjects and gives each run's matrices."""
    out = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b, c, d, e, f = tm
        A, B, C, D, E, F = cm
        m = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
             e * A + f * C + E, e * B + f * D + F)
        out.append((text.strip(), round(m[4], 2), round(m[5], 2), size * (m[2] ** 2 + m[3] ** 2) ** 0.5))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return out


def squash(s: str) -> str:
    return "".join(s.split())


@pytest.mark.parametrize("make", [sample_document, large_document, signed_document])
def test_data_only_positions_do_not_move_with_the_label_languages(make):
    """One printer calibration fits every language set: the same values land on the same
    points whether the note is printed with one, two or three label languages.

    The annex pages (plain paper) carry their headings in every label language, so three
    languages may need one annex page more than one: the number of annex pages in box 5
    and in a "see annex n" may then differ, never where or how large anything is printed."""
    doc = make()
    prints = [runs(render_cmr(doc, languages=langs, blank_mode=True, copies=3))
              for langs in (["pl"], ["pl", "de"], ["pl", "de", "en"])]
    assert len(prints[0]) > 30
    paged = (labels("pl")["annex_count"].split("{")[0], labels("pl")["see_annex"].split("{")[0])

    def unpaged(run):
        text, *where = run
        if any(text.lstrip("→ ").startswith(p) for p in paged):
            text = text.rstrip("0123456789")
        return (text, *where)

    assert [unpaged(r) for r in prints[0]] == [unpaged(r) for r in prints[1]] == [unpaged(r) for r in prints[2]]


def test_data_only_values_start_where_the_printed_form_has_room(doc):
    """Box 1's first line, the carrier's first line and the first goods row sit at the
    printed form's writing space, at the same size, for a one- and a three-language set."""
    tops = {}
    for langs in (("en",), ("lv", "ru", "de"), ("pl", "de", "en")):
        content = build_content(doc, langs[:1], data_only_layout(), "0391cbd04495", with_qr=False)
        boxes = text_boxes(content.sheet)
        first = {}
        for key, text in (("1", doc["sender"]["name"]), ("16", doc["carrier"]["name"]),
                          ("6", doc["goods"][0]["marks"])):
            [box] = [b for b in boxes if b[4] == text]
            first[key] = (round(box[1], 2), box[5])
        tops[langs] = first
        assert first["1"][0] >= BOXES["1"].y0 + PRINTED_LABEL_H["1"] - 0.3     # accents reach up
        assert first["16"][0] >= BOXES["16"].y0 + PRINTED_LABEL_H["16"] - 0.3     # accents reach up
        assert first["6"][0] >= PRINTED_GOODS_TOP - 0.4
    assert len({tuple(v.items()) for v in tops.values()}) == 1
    assert tops[("en",)]["16"][1] >= 7.0             # the carrier's text keeps a readable size


@pytest.mark.parametrize("langs", TYPICAL_SETS + [(lang,) for lang in ("pl", "en", "de", "fr", "ru", "uk", "lv", "hu")])
def test_data_only_over_the_apps_own_outline_clears_every_label(doc, big_doc, langs):
    """Printed over this app's own form (the check an office makes against a window),
    no value touches a printed label, in any of the usual language sets."""
    register_fonts()
    labels_ = [b for b in text_boxes(form_layout(langs).sheet) if 25 < b[1] < 287]
    for d in (doc, big_doc):
        values = text_boxes(build_content(d, langs[:1], data_only_layout(), "0391cbd04495",
                                          with_qr=False).sheet)
        for v in values:
            for lab in labels_:
                assert gap(v[:4], lab[:4]) > 0.05, (langs, v[4], lab[4])


def test_data_only_box_14_prints_the_choice_in_words_not_a_bare_x(doc):
    for choice in ("carriage_paid", "carriage_forward"):
        pdf = render_cmr(dict(doc, payment_instructions=choice), languages=["de", "en"],
                         blank_mode=True, copies=3)
        texts = runs(pdf)
        assert not [t for t in texts if t[0] == "X"]
        [(text, x, y, size)] = [t for t in texts if labels("de")[choice] in t[0]]
        box = BOXES["14"]
        y_mm = 297 - y / 72 * 25.4
        assert box.y0 + PRINTED_LABEL_H["14"] < y_mm < box.y1 and box.x0 < x / 72 * 25.4 < box.x1
        assert size >= FLOOR


@pytest.mark.parametrize("blank", [False, True])
def test_nothing_is_printed_below_6_pt_on_a_data_only_page(blank):
    """Long number, 40 goods lines, long free texts, signatures and reservations: every
    run of the data-only page (all of it data) is at least 6 pt; on the full form every
    value is, and no label falls below the label floor."""
    docs = [large_document(), signed_document(number=LONG_NUMBER),
            sample_document(number=LONG_NUMBER, status="cancelled", cancelled_on="2026-11-22",
                            cancel_reason="Order withdrawn by the consignee before loading. " * 3)]
    docs[0]["number"] = LONG_NUMBER
    docs[0]["charges"].append({"label": "Waiting time at the border crossing in Kukuryki, 2 days",
                               "sender": "123456789.00", "currency": "EUR", "consignee": ""})
    for d in docs:
        pdf = render_cmr(d, languages=["lv", "ru", "de"], blank_mode=blank, copies=3)
        texts = runs(pdf)
        if blank:
            assert min(t[3] for t in texts) >= FLOOR - 1e-6, min(texts, key=lambda t: t[3])
        else:
            form = form_layout(("lv", "ru", "de"), 1)
            content = build_content(d, ("lv", "ru", "de"), form, "0391cbd04495")
            small = [b for b in text_boxes(content.sheet) if b[5] < FLOOR - 1e-6]
            assert not small
        assert squash(LONG_NUMBER) in squash("".join(t[0] for t in texts))


def test_labels_never_fall_below_the_label_floor():
    """The fitting loop stops at LABEL_MIN: 5.2 - 3 x 0.3 in floats is 4.300000000000001,
    which once let box 20's row labels fall to 4.0 pt with the most free charge rows."""
    register_fonts()
    sets = TYPICAL_SETS + [("pl", "es", "it"), ("pl", "it", "lv"), ("es", "ro", "pl")] + list(
        itertools.combinations(("pl", "fr", "nl", "ro", "bg", "uk", "lv", "et"), 3))
    for langs in sets:
        for extra_rows, versioned in ((0, False), (MAX_FREE_CHARGE_ROWS, True)):
            sizes = [t[4] for t in form_layout(langs, extra_rows, versioned).sheet.texts]
            assert min(sizes) >= LABEL_MIN - 1e-9, (langs, extra_rows)


def test_annex_pages_follow_all_copies_with_signature_space(big_doc):
    pdf = render_cmr(big_doc, languages=["pl", "en"], copies=3)
    pages = [squash(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    n = (len(pages) - 3) // 3
    assert n >= 1 and len(pages) == 3 + 3 * n
    title = squash(joined("annex_title", ("pl", "en"), n=1))
    assert [title in p for p in pages] == [False] * 3 + ([True] + [False] * (n - 1)) * 3
    for page in pages[3:]:
        for key in ("box_22", "box_23", "box_24_signature"):
            assert squash(joined(key, ("pl", "en"))) in page
    # Box 5 names the annex, in the label languages.
    assert squash(joined("annex_count", ("pl", "en"), n=n)) in pages[0]


def test_annex_text_keeps_clear_of_the_signature_row(big_doc):
    from renderers.annex import SIGN_H, paginate
    from renderers.layout import FRAME
    langs = ("pl", "de", "en")
    content = build_content(big_doc, langs, form_layout(langs, 1), "0391cbd04495")
    for page in paginate(content.annex, langs):
        assert max(b[3] for b in text_boxes(page)) < FRAME[3] - SIGN_H


def test_box_5_lists_no_annex_when_everything_fits(doc):
    pdf = render_cmr(doc, copies=3)
    assert squash(labels("en")["annex_count"].split(":")[0]) not in squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_annex_as_a_separate_file(big_doc, doc):
    after = render_cmr(big_doc, copies=3, blank_mode=True)
    separate = render_cmr(big_doc, copies=3, blank_mode=True, annex="separate")
    only = render_cmr(big_doc, copies=3, blank_mode=True, annex="only")
    n_after, n_sep, n_only = (len(PdfReader(io.BytesIO(x)).pages) for x in (after, separate, only))
    assert n_sep == 3 and n_only == n_after - 3 and n_only >= 3
    title = squash(joined("annex_title", ("pl", "de", "en"), n=1))
    assert title in squash(PdfReader(io.BytesIO(only)).pages[0].extract_text())
    assert all(title not in squash(p.extract_text()) for p in PdfReader(io.BytesIO(separate)).pages)
    with pytest.raises(NoAnnex):
        render_cmr(doc, annex="only")
    with pytest.raises(ValueError):
        render_cmr(doc, annex="between")


@pytest.mark.parametrize("langs", [["hu", "en", "de"], ["pl"]])
def test_data_only_box_20_keeps_to_the_printed_rows_and_a_free_charge_goes_to_the_annex(big_doc, langs):
    """A pre-printed box 20 has its seven printed rows and no free ones: a free-text
    charge ("Tolls Germany (Maut)") is listed on the annex, and the reference to it is
    written in the amount columns of an empty printed row, off the printed row names."""
    from renderers.layout import CHARGE_COLS
    pdf = render_cmr(big_doc, languages=langs, blank_mode=True, copies=3)
    reader = PdfReader(io.BytesIO(pdf))
    box = BOXES["20"]
    in_box = [(t, x / 72 * 25.4, 297 - y / 72 * 25.4, size) for t, x, y, size in runs(pdf)
              if box.x0 < x / 72 * 25.4 < box.x1 and box.y0 < 297 - y / 72 * 25.4 < box.y1]
    assert not [t for t in in_box if "Maut" in t[0]]
    see = labels(langs[0])["see_annex"].split("{")[0].strip()
    [(text, x, y, size)] = [t for t in in_box if see in t[0]]
    assert x >= CHARGE_COLS[1] and size >= FLOOR
    printed = dict(((k, (y0, y1)) for k, y0, y1 in data_only_layout().charge_rows))
    assert list(printed) == ["carriage_charges", "deductions", "balance", "supplementary_charges",
                             "other_charges", "miscellaneous", "total"]
    [row] = [k for k, (y0, y1) in printed.items() if y0 < y < y1]
    assert row not in {ch["label"] for ch in big_doc["charges"]}
    annex = squash("".join(p.extract_text() for p in reader.pages[3:]))
    assert squash("Tolls Germany (Maut)") in annex and "86.40" in annex
