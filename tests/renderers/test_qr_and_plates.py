"""Print fidelity (issue 12, items 3 and 4): the QR code's quiet zone, and vehicle plates
that are never split across lines."""
import pytest
from PIL import Image

from renderers import render_cmr
from renderers.cmr import _free_charge_rows
from renderers.content import build_content, version_of
from renderers.form import form_layout
from renderers.qr import QUIET_MODULES
from renderers.typography import register_fonts

from tests.pdf_helpers import page_png, pdf_pages_text
from tests.renderers.geometry import gap, image_boxes, qr_box, stroke_boxes, text_boxes

LANGUAGE_SETS = [("pl", "de", "en"), ("lt", "ru"), ("hu", "en", "de"), ("lv", "ru", "de"), ("tr", "en"),
                 ("bg",), ("en",), ("it", "ru", "uk"), ("ro", "en", "fr")]
LOCAL_URL = "http://127.0.0.1:5000/d/q7Hc2xLw0PZr3vKt9YbN5m"   # the app's default BASE_URL


def sheets(doc, langs):
    register_fonts()
    form = form_layout(tuple(langs), _free_charge_rows(doc), version_of(doc) is not None)
    content = build_content(doc, tuple(langs), form, doc.get("fingerprint") or "0391cbd04495")
    return form, content.sheet


# --- QR quiet zone -----------------------------------------------------------------

@pytest.mark.parametrize("langs", LANGUAGE_SETS)
@pytest.mark.parametrize("url", [None, LOCAL_URL])
def test_nothing_is_drawn_within_four_modules_of_the_qr_code(doc, langs, url):
    if url:
        doc = dict(doc, public_url=url, short_url=url.split("://")[1])
    doc = dict(doc, version=12)
    form, values = sheets(doc, langs)
    qr, module = qr_box(values)
    assert qr[2] - qr[0] >= 18.0                # still a large code: about 20 mm
    marks = ([b[:4] for b in text_boxes(form.sheet)] + [b[:4] for b in text_boxes(values)]
             + stroke_boxes(form.sheet) + stroke_boxes(values) + image_boxes(values))
    nearest = min(gap(qr, m) for m in marks)
    assert nearest >= QUIET_MODULES * module - 1e-6, (nearest, module)


def test_the_quiet_zone_is_white_on_the_printed_page(doc, tmp_path):
    """Measured on the rendered page: a ring of 4 modules around the code is blank."""
    dpi = 300
    form, values = sheets(doc, doc["languages"])
    (x0, y0, x1, y1), module = qr_box(values)
    img = Image.open(page_png(render_cmr(doc, copies=3), 1, tmp_path, dpi=dpi)).convert("L")
    px = img.load()
    to_px = dpi / 25.4
    q = 4 * module
    inner = [round(v * to_px) for v in (x0, y0, x1, y1)]
    outer = [round(v * to_px) for v in (x0 - q, y0 - q, x1 + q, y1 + q)]
    code_ink = sum(px[x, y] < 128 for x in range(inner[0], inner[2]) for y in range(inner[1], inner[3]))
    assert code_ink > 0.3 * (inner[2] - inner[0]) * (inner[3] - inner[1])
    dark = [(x, y) for x in range(outer[0] + 1, outer[2] - 1) for y in range(outer[1] + 1, outer[3] - 1)
            if not (inner[0] - 1 <= x <= inner[2] + 1 and inner[1] - 1 <= y <= inner[3] + 1)
            and px[x, y] < 200]
    assert not dark, dark[:5]


@pytest.mark.parametrize("dpi", [100, 75])
def test_the_qr_code_reads_from_a_coarse_grey_scan_of_the_whole_page(doc, tmp_path, dpi):
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    pdf = render_cmr(doc, copies=4)
    for page in (1, 4):
        img = Image.open(page_png(pdf, page, tmp_path, dpi=dpi)).convert("L")
        assert [d.data.decode() for d in pyzbar.decode(img)] == [doc["public_url"]], (dpi, page)


def test_the_check_code_block_fits_under_the_qr_code_in_every_language_set(doc):
    """Short link, label and "version · check code" stack without touching each other, the
    quiet zone or the box below, for every single language and the long sets."""
    from renderers import LANGUAGES
    from renderers.layout import BOXES, QR_ZONE
    sets = [(lang,) for lang in LANGUAGES] + LANGUAGE_SETS + [("uk", "ru", "it"), ("ru", "uk", "ro")]
    doc = dict(doc, version=12345, public_url=LOCAL_URL, short_url=LOCAL_URL.split("://")[1])
    for langs in sets:
        form, values = sheets(doc, langs)
        column = sorted((b for b in text_boxes(form.sheet) + text_boxes(values)
                         if b[0] >= QR_ZONE[0] - 0.01 and 40 < b[1] < BOXES["title"].y1),
                        key=lambda b: b[1])
        texts = [b[4] for b in column]
        assert any("12345 · 0391cbd04495" == t for t in texts), (langs, texts)
        assert column[0][1] >= QR_ZONE[1] + QR_ZONE[2] - QR_ZONE[0], (langs, texts)   # below the zone
        for upper, lower in zip(column, column[1:]):
            assert upper[3] <= lower[1] + 0.05, (langs, upper[4], lower[4])
        assert column[-1][3] <= BOXES["title"].y1 - 0.28, (langs, column[-1])          # above box 16's line
        assert all(b[2] <= BOXES["title"].x1 - 0.2 for b in column), langs
        assert min(b[5] for b in column) >= 4.0, langs
        # the clause on the left keeps clear of the column
        clause_right = max(b[2] for b in text_boxes(form.sheet) if b[0] < QR_ZONE[0] and 40 < b[1] < 62)
        assert clause_right <= QR_ZONE[0] - 0.5, (langs, clause_right)


# --- vehicle plates -----------------------------------------------------------------

def lines_of(pdf, page=0):
    return [" ".join(ln.split()) for ln in pdf_pages_text(pdf)[page].splitlines()]


@pytest.mark.parametrize("langs", [["lt", "ru"], ["hu", "en", "de"], ["lv", "ru", "de"], ["pl", "de", "en"]])
def test_a_vehicle_plate_is_never_split_across_lines(doc, langs):
    doc["carrier"]["vehicle_registration"] = "PO 12345 / PO 6789A"
    lines = lines_of(render_cmr(doc, languages=langs, copies=3))
    for plate in ("PO 12345", "PO 6789A"):
        assert any(plate in ln for ln in lines), (langs, plate, [ln for ln in lines if "PO" in ln])
    assert not any(ln.endswith(" PO") or ln.startswith("6789A") for ln in lines)


@pytest.mark.parametrize("langs", [["lt", "ru"], ["lv", "ru", "de"]])
def test_many_plates_break_only_between_plates(doc, langs):
    plates = ["PO 12345", "PO 6789A", "WGM 4711X", "DW 9Z 123", "LT ABC 123"]
    doc["carrier"]["vehicle_registration"] = ", ".join(plates)
    lines = lines_of(render_cmr(doc, languages=langs, copies=3))
    for plate in plates:
        assert any(plate in ln for ln in lines), (plate, [ln for ln in lines if "PO" in ln or "LT" in ln])


def test_a_plate_keeps_together_on_the_annex_page_too(big_doc):
    big_doc["carrier"]["address"] = "Hala 4, rampa 12, " * 40
    big_doc["carrier"]["vehicle_registration"] = "PO 12345 / PO 6789A"
    pdf = render_cmr(big_doc, languages=["lv", "ru", "de"], copies=3)
    text = pdf_pages_text(pdf)
    per_copy = (len(text) - 3) // 3                 # the copies first, then each copy's annex
    annex_lines = [" ".join(ln.split()) for page in text[3:3 + per_copy] for ln in page.splitlines()]
    assert any(ln.startswith("16 ") for ln in annex_lines)        # box 16 continues on the annex
    assert any("PO 12345" in ln for ln in annex_lines) and any("PO 6789A" in ln for ln in annex_lines)
