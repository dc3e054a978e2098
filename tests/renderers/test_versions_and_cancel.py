"""The version printed beside the check code, and the CANCELLED stamp (issue 8)."""
import io

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from renderers import LANGUAGES, fingerprint, labels, render_cmr
from renderers.layout import FOOT_BASELINE, NUMBER_LABEL_X, QR_ZONE
from renderers.locales import joined
from renderers.stamp import stamp_layout

from tests.pdf_helpers import page_png, pdf_pages_text, squash

FP = "0391cbd04495"
SETS = [["pl", "de", "en"], ["lt", "ru"], ["tr", "en"], ["hu", "en", "de"], ["bg"], ["lv", "ru", "de"]]


def pages(pdf):
    return [squash(t) for t in pdf_pages_text(pdf)]


# --- version beside the check code ---------------------------------------------------

@pytest.mark.parametrize("langs", SETS)
def test_every_copy_prints_version_and_check_code_with_their_labels(doc, langs):
    texts = pages(render_cmr(dict(doc, version=2, fingerprint=FP), languages=langs, copies=4))
    assert len(texts) == 4
    for text in texts:
        assert squash(f"2 · {FP}") in text
        # Under the QR code at 6 pt in as many languages as fit on its line(s), at
        # least the first; the others in the legend above the form.
        first = labels(langs[0])
        assert squash(first["version"] + " · " + first["fingerprint"]) in text
        for lang in langs:
            assert squash(labels(lang)["version"]) in text
            assert squash(labels(lang)["fingerprint"]) in text


def test_without_a_version_the_check_code_prints_alone(doc):
    for version in (None, 0, -1, "two", True, ""):
        text = pages(render_cmr(dict(doc, version=version, fingerprint=FP), languages=["pl", "lt"], copies=3))[0]
        assert FP in text
        assert f"·{FP}" not in text
        assert "Wersja" not in text and "Versija" not in text


def test_a_version_given_as_text_is_printed(doc):
    text = pages(render_cmr(dict(doc, version="17", fingerprint=FP), copies=3))[0]
    assert squash(f"17 · {FP}") in text


def test_version_and_cancellation_do_not_change_the_check_code(doc):
    fp = fingerprint(doc)
    assert fingerprint(dict(doc, version=3, status="cancelled", cancelled_on="2026-11-22",
                            cancel_reason="Order withdrawn")) == fp
    text = pages(render_cmr(dict(doc, version=3), copies=3))[0]    # computed when not given
    assert squash(f"3 · {fp}") in text


# --- CANCELLED -------------------------------------------------------------------------

CANCELLED = {"status": "cancelled", "cancelled_on": "2026-11-22", "version": 2, "fingerprint": FP,
             "cancel_reason": "Order withdrawn by the consignee"}


@pytest.mark.parametrize("langs", SETS)
def test_a_cancelled_document_is_stamped_on_every_copy_in_its_label_languages(doc, langs):
    texts = pages(render_cmr(dict(doc, **CANCELLED), languages=langs, copies=4))
    assert len(texts) == 4
    for text in texts:
        for lang in langs:
            assert squash(labels(lang)["cancelled_stamp"]) in text, lang
        assert "22.11.2026" in text
        assert squash(joined("cancel_reason", tuple(langs)) + ": Order withdrawn by the consignee") in text
        assert squash(f"2 · {FP}") in text and squash(doc["number"]) in text


@pytest.mark.parametrize("status", [None, "issued", "draft", "withdrawn", "CANCELLED-ish"])
def test_no_stamp_unless_cancelled(doc, status):
    d = dict(doc, **dict(CANCELLED, status=status))
    for text in pages(render_cmr(d, languages=["pl", "de", "en"], copies=3)):
        for lang in LANGUAGES:
            assert squash(labels(lang)["cancelled_stamp"]) not in text, lang
        assert "Order withdrawn" not in text


def test_the_stamp_is_on_annex_pages_and_in_data_only_printing(doc, big_doc):
    texts = pages(render_cmr(dict(big_doc, **CANCELLED), languages=["pl", "en"], copies=3))
    assert len(texts) > 3                                  # copies with their annexes
    for text in texts:
        assert "ANULOWANY" in text and "CANCELLED" in text
    blank = pages(render_cmr(dict(doc, **CANCELLED), languages=["lt", "ru"], blank_mode=True, copies=3))
    for text in blank:
        assert squash(labels("lt")["cancelled_stamp"]) in text and squash(labels("ru")["cancelled_stamp"]) in text
        assert squash(labels("lt")["box_1"]) not in text   # still no printed labels


def test_without_a_date_or_reason_the_stamp_says_cancelled(doc):
    d = dict(doc, status="cancelled")
    text = pages(render_cmr(d, languages=["de"], copies=3))[0]
    assert "STORNIERT" in text and squash(labels("de")["cancel_reason"] + ":") not in text


def test_a_long_reason_is_shortened_never_spilled(doc):
    reason = "The consignee refused the order after the price changed. " * 8
    stamp = stamp_layout(("hu", "ru", "lv"), "2026-11-22", reason.strip())
    assert stamp.details[0].endswith("22.11.2026")
    assert 2 <= len(stamp.details) <= 3 and stamp.details[-1].endswith("…")
    text = pages(render_cmr(dict(doc, status="cancelled", cancel_reason=reason), languages=["hu", "ru", "lv"],
                            copies=3))[0]
    assert "ÉRVÉNYTELENÍTVE" in text and squash("The consignee refused the order") in text
    assert squash(reason) not in text


@pytest.mark.parametrize("langs", [["hu", "ru", "lv"], ["en"], ["tr", "uk", "nl"]])
def test_every_stamp_word_fits_the_stamp(langs):
    stamp = stamp_layout(tuple(langs), "2026-11-22", "x" * 300)
    from reportlab.lib.units import mm
    from renderers.stamp import DETAIL_FONT, PAD
    from renderers.typography import LABEL_BOLD, width
    for word in stamp.words:
        assert width(word, LABEL_BOLD, stamp.word_size) / mm <= stamp.w - 2 * PAD
    for line in stamp.details:
        assert width(line, DETAIL_FONT, 8.5) / mm <= stamp.w - 2 * PAD
    assert stamp.word_size >= 14


@pytest.mark.parametrize("langs", [["hu", "ru", "lv"], ["pl", "de", "en"], ["en"]])
def test_the_stamp_leaves_number_qr_and_check_code_untouched(doc, langs, tmp_path):
    """Rendered with and without the stamp, the document number (top and foot), the QR
    code and the check code are the same pixels; elsewhere the stamp shows."""
    dpi = 100
    plain = Image.open(page_png(render_cmr(dict(doc, version=2, fingerprint=FP), languages=langs, copies=3),
                                1, tmp_path, dpi=dpi)).convert("L")
    stamped = Image.open(page_png(render_cmr(dict(doc, **dict(CANCELLED, cancel_reason="x " * 200)),
                                             languages=langs, copies=3), 1, tmp_path, dpi=dpi)).convert("L")
    diff = ImageChops.difference(plain, stamped)
    px = dpi / 25.4
    protected = {"number": (NUMBER_LABEL_X, 12, 196, 24), "qr and check code": (QR_ZONE[0], 25, 196, 62),
                 "foot number": (14, FOOT_BASELINE - 5, 100, 297)}
    for name, (x0, y0, x1, y1) in protected.items():
        box = tuple(round(v * px) for v in (x0, y0, x1, y1))
        assert diff.crop(box).getbbox() is None, name
    assert diff.getbbox() is not None                      # the stamp is there


def test_cancelled_pdf_is_still_one_page_per_copy(doc):
    pdf = render_cmr(dict(doc, **CANCELLED), copies=4)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 4


def test_annex_pages_carry_version_and_check_code(big_doc):
    texts = pages(render_cmr(dict(big_doc, version=5, fingerprint=FP), languages=["pl", "en"], copies=3))
    assert len(texts) > 3
    assert all(squash(f"5 · {FP}") in t for t in texts)
