"""Issue 12's print rules: box 20 as the IRU form has it (seven rows, the sender's thin
frame, totals computed per currency), 6–9 one ruled area, the goods total without the
money word, the ADR line in ADR 5.4.1.1.1's order, the label corrections, actual-size
printing and the printer's scale."""
import io
import json

import pytest
from pypdf import PdfReader

from renderers import LANGUAGES, labels, render_calibration_page, render_cmr
from renderers.form import HEAVY, THIN, form_layout
from renderers.layout import BOXES, CHARGE_ROWS
from renderers.locales import locales_dir
from renderers.sample import large_document

from renderers.typography import register_fonts
from tests.pdf_helpers import pdf_pages_text

register_fonts()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_box_20_has_the_seven_rows_of_the_iru_form_in_every_language(lang):
    form = form_layout((lang,))
    assert [k for k, _, _ in form.charge_rows] == list(CHARGE_ROWS)
    assert CHARGE_ROWS[4] == "other_charges"
    assert labels(lang)["other_charges"].strip()


def test_box_20_is_framed_thin_as_the_sender_fills_it():
    sheet = form_layout(("pl", "de", "en")).sheet
    b = BOXES["20"]

    def rects(lw):
        return [tuple(round(v / 2.8346456693, 1) if i else v for i, v in enumerate(item))
                for item in sheet.strokes.get(lw, []) if item[0] == "r"]
    as_mm = ("r", b.x0, round(297 - b.y1, 1), round(b.w, 1), round(b.h, 1))
    assert as_mm in rects(THIN) and as_mm not in rects(HEAVY)
    assert not BOXES["20"].heavy and all(BOXES[k].heavy for k in ("16", "17", "18"))


def test_boxes_6_to_9_are_one_ruled_area_10_to_12_are_columns():
    sheet = form_layout(("pl", "de", "en")).sheet
    verticals = set()
    for lw, items in sheet.strokes.items():
        for kind, a, b, c, d in items:
            xs = [a, a + c] if kind == "r" else ([a] if a == c else [])
            for x in xs:
                verticals.add(round(x / 2.8346456693, 1))
    for x in (36.0, 52.0, 78.0):          # between 6|7, 7|8, 8|9 on the old ruling
        assert x not in verticals
    for x in (14.0, 127.0, 150.0, 173.0, 196.0):
        assert x in verticals


def test_the_goods_total_is_not_the_german_money_word():
    doc = large_document()
    text = pdf_pages_text(render_cmr(doc, languages=["de", "en"], copies=3))[0]
    assert "Σ Insgesamt / Total" in text
    goods_band = text.split("Σ")[1][:40]
    assert "Gesamtsumme" not in goods_band
    assert "Gesamtsumme" in text                # box 20's total to be paid keeps its word


def test_a_blank_total_is_printed_as_its_rows_add_up_per_currency(doc):
    doc["charges"] = [
        {"label": "Carriage charges", "sender": "1450.00", "currency": "EUR", "consignee": ""},
        {"label": "Deductions", "sender": "50", "currency": "EUR", "consignee": ""},
        {"label": "Tolls (Maut)", "sender": "86.40", "currency": "EUR", "consignee": "12"},
        {"label": "other_charges", "sender": "", "currency": "PLN", "consignee": "300"},
    ]
    text = pdf_pages_text(render_cmr(doc, languages=["en"], copies=3))[0]
    for computed in ("1400.00", "1486.40", "12.00", "300.00"):   # balance, totals by column and currency
        assert computed in text
    assert "\n0.00\n" not in text            # no balance made up for a column without carriage charges


def test_the_adr_line_follows_adr_5_4_1_1_1(doc):
    doc["goods"][1]["adr"]["environmentally_hazardous"] = True
    text = pdf_pages_text(render_cmr(doc, languages=["en"], copies=3))[0]
    assert "(2) UN 1263 PAINT, 3, II, (D/E), ENVIRONMENTALLY HAZARDOUS" in text
    assert "UN number proper shipping name, Class, Packing group, (tunnel code)" in text


@pytest.mark.parametrize("lang, key, printed", [
    ("pl", "carriage_forward", "Nie franco"), ("de", "box_15", "Rückerstattung"),
    ("it", "box_14", "Prescrizioni di affrancatura"), ("cs", "box_14", "Výplatní pokyny"),
    ("lv", "box_19", "Īpašās vienošanās"), ("et", "box_7", "Pakkide arv"),
    ("bg", "supplementary_charges", "Надбавки"), ("uk", "adr", "ADR/ДОПНВ"),
])
def test_the_reviewers_corrections_are_printed(lang, key, printed):
    assert labels(lang)[key] == printed
    assert printed in pdf_pages_text(render_cmr(large_document(), languages=[lang], copies=3))[0]


def test_no_russian_or_ukrainian_taxpayer_number_stands_before_a_foreign_vat_id(doc):
    text = pdf_pages_text(render_cmr(doc, languages=["ru", "uk"], copies=3))[0]
    assert "ИНН" not in text and "ІПН" not in text
    assert "PL7251234567" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_review_markers_name_only_labels_that_exist(lang):
    with open(locales_dir() / f"{lang}.json", encoding="utf-8") as fh:
        data = json.load(fh)
    checked = data["_review"]["checked_against_printed_form"]
    assert set(checked) <= set(data) - {"_review"}
    for key in checked:
        assert key in data["_review"]["note"]


def _viewer_preferences(pdf):
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return root["/ViewerPreferences"]


def test_every_cmr_pdf_asks_to_be_printed_at_actual_size(doc):
    for pdf in (render_cmr(doc, copies=3), render_cmr(doc, copies=3, blank_mode=True), render_calibration_page()):
        assert _viewer_preferences(pdf)["/PrintScaling"] == "/None"


def test_blank_mode_applies_the_printers_scale_about_the_top_left_corner(doc):
    plain = render_cmr(doc, copies=3, blank_mode=True, offset_mm=(1.0, 2.0))
    assert plain == render_cmr(doc, copies=3, blank_mode=True, offset_mm=(1.0, 2.0), scale_pct=100.0)
    scaled = render_cmr(doc, copies=3, blank_mode=True, offset_mm=(1.0, 2.0), scale_pct=98.5)
    stream = PdfReader(io.BytesIO(scaled)).pages[0].get_contents().get_data().decode("latin-1")
    assert ".985 0 0 .985 " in stream
    assert ".985" not in PdfReader(io.BytesIO(plain)).pages[0].get_contents().get_data().decode("latin-1")


def test_the_calibration_page_states_the_scale_and_how_to_measure_it():
    text = pdf_pages_text(render_calibration_page(offset_mm=(0.5, 0), scale_pct=98.5))[0]
    assert "scale = 98.50 %" in text
    assert "182 / measured" in text
