import copy
import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from renderers import LANGUAGES, labels, render_calibration_page, render_cmr
from renderers.content import fmt_date
from renderers.sample import _logo_png

from tests.pdf_helpers import page_png, pdf_pages_text, squash


def n_pages(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("copies", [3, 4])
def test_one_page_per_copy(doc, copies):
    pdf = render_cmr(doc, copies=copies)
    assert pdf.startswith(b"%PDF")
    assert n_pages(pdf) == copies


def test_copies_and_languages_default_to_the_documents_own(doc):
    pdf = render_cmr(dict(doc, copies=3, languages=["fr"]))
    texts = pdf_pages_text(pdf)
    assert len(texts) == 3
    assert labels("fr")["title"] in texts[0]
    assert labels("en")["title"] not in texts[0]


def test_each_copy_names_itself_in_the_label_languages(doc):
    texts = pdf_pages_text(render_cmr(doc, languages=["pl", "de", "en"], copies=4))
    for n, text in enumerate(texts, 1):
        for lang in ("pl", "de", "en"):
            assert labels(lang)[f"copy_{n}"] in text


@pytest.mark.parametrize("langs", [["pl", "de", "en"], ["lt", "ru"], ["tr", "en"], ["bg"], ["ro", "en", "fr"]])
def test_labels_of_every_chosen_language_are_printed(doc, langs):
    page = squash(pdf_pages_text(render_cmr(doc, languages=langs, copies=3))[0])
    for lang in langs:
        lab = labels(lang)
        for key in ("title", "box_1", "box_13", "box_16", "box_20", "box_24", "carriage_paid",
                    "balance", "clause", "note_sender", "note_carrier"):
            # In its box or in the legend above the form; at 6 pt a long label may
            # lose its bracketed parts ("(name, address, country)").
            short = re.sub(r"\s*\([^()]*\)", "", lab[key])
            assert squash(lab[key]) in page or squash(short) in page, (lang, key)
    unchosen = next(lang for lang in LANGUAGES if lang not in langs and lang != "en")
    assert squash(labels(unchosen)["box_13"]) not in page


@pytest.mark.parametrize("languages,copies", [(["xx"], 3), ([], 3), (["pl", "de", "en", "fr"], 3),
                                              (["pl", "pl"], 3), (["pl"], 2), (["pl"], 5)])
def test_bad_options_are_refused(doc, languages, copies):
    with pytest.raises(ValueError):
        render_cmr(doc, languages=languages or ["zz"], copies=copies)


@pytest.mark.parametrize("broken", [
    {},
    {"sender": None, "goods": None, "charges": None, "carrier": None, "established": None},
    {"goods": [{"packages": None, "adr": None}, {}], "charges": [{}], "cash_on_delivery": {"amount": None}},
    {"taking_over": {"date": "not a date"}, "payment_instructions": "Payable in 30 days", "number": None},
])
def test_missing_or_empty_values_never_crash(broken):
    pdf = render_cmr(broken, copies=3)
    assert n_pages(pdf) == 3


def document_values(d):
    """Every value the form must show, as it is printed."""
    vals = []
    for key in ("sender", "consignee", "carrier"):
        p = d[key]
        vals += [p[k] for k in ("name", "address", "postal_code", "city", "tax_id", "email", "phone") if p.get(k)]
    vals.append(d["carrier"]["vehicle_registration"])
    vals += [d["place_of_delivery"]["address"], d["place_of_delivery"]["city"], d["taking_over"]["city"],
             fmt_date(d["taking_over"]["date"]), d["documents_attached"], d["sender_instructions"],
             d["carrier_reservations"], d["special_agreements"], d["established"]["place"],
             fmt_date(d["established"]["date"]), d["number"], d["cash_on_delivery"]["amount"]]
    for g in d["goods"]:
        vals += [g["marks"], str(g["packages"]), g["packing"], g["nature"], g["statistical_number"],
                 g["gross_weight_kg"], g["volume_m3"]]
        if g["adr"]:
            vals.append("UN " + g["adr"]["un_number"])
    for ch in d["charges"]:
        vals += [ch["sender"]] + ([ch["label"]] if " " in ch["label"] else [])
    return [v for v in vals if v]


def test_a_large_document_prints_every_value_in_full(big_doc):
    assert len(big_doc["goods"]) == 40
    pdf = render_cmr(big_doc, languages=["pl", "en"], copies=3)
    texts = pdf_pages_text(pdf)
    annex = (len(texts) - 3) // 3
    assert len(texts) == 3 + 3 * annex and annex >= 1       # each copy has its annex
    copy_1 = squash(texts[0] + "".join(texts[3:3 + annex]))
    missing = [v for v in document_values(big_doc) if squash(v) not in copy_1]
    assert not missing
    assert squash(labels("en")["see_annex"].format(n=1)) in squash(texts[0])
    # No annex page between the form pages: the three copies first (a tray of pre-printed
    # sets takes them in order), then the annex pages of copy 1, 2 and 3, each named.
    title = squash(labels("pl")["annex_title"].format(n=1))
    assert [title in squash(t) for t in texts[:3]] == [False] * 3
    for copy in (1, 2, 3):
        first = texts[3 + (copy - 1) * annex]
        assert title in squash(first)
        assert squash(labels("en")[f"copy_{copy}"]) in squash(first)


def test_an_ordinary_document_fits_on_the_form_without_annex(doc):
    pdf = render_cmr(doc, copies=4)
    text = squash(pdf_pages_text(pdf)[0])
    assert n_pages(pdf) == 4
    missing = [v for v in document_values(doc) if squash(v) not in text]
    assert not missing
    assert squash(labels("en")["see_annex"].format(n=1)) not in text


def test_qr_code_on_every_copy_decodes_to_the_public_link(doc, tmp_path):
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    pdf = render_cmr(doc, copies=4)
    for page in range(1, 5):
        found = [d.data.decode() for d in pyzbar.decode(Image.open(page_png(pdf, page, tmp_path)))]
        assert found == [doc["public_url"]], page


def test_short_link_and_fingerprint_are_printed(doc):
    from renderers import fingerprint
    text = squash(pdf_pages_text(render_cmr(doc, copies=3))[2])
    assert squash(doc["short_url"]) in text
    assert fingerprint(doc) in text


def test_blank_mode_prints_values_but_no_labels(doc):
    texts = pdf_pages_text(render_cmr(doc, blank_mode=True, copies=3, offset_mm=(2, 1)))
    assert len(texts) == 3
    page = squash(texts[0])
    for value in (doc["sender"]["name"], doc["consignee"]["city"], doc["goods"][0]["nature"], doc["number"]):
        assert squash(value) in page
    for lang in doc["languages"]:
        lab = labels(lang)
        for key in ("title", "clause", "box_1", "box_2", "box_13", "box_18", "box_22", "copy_1",
                    "carriage_forward", "note_sender"):
            assert squash(lab[key]) not in page, (lang, key)
    # Box 14's choice is data: printed in words (the first label language, as every word
    # printed with the values in this mode), not ticked at a guessed position.
    assert squash(labels(doc["languages"][0])["carriage_paid"]) in page


def test_blank_mode_moves_the_values_by_the_offset(doc, tmp_path):
    def first_ink_column(pdf):
        img = Image.open(page_png(pdf, 1, tmp_path, dpi=100)).convert("L")
        w, h = img.size
        px = img.load()
        return min(x for y in range(0, h, 2) for x in range(w) if px[x, y] < 128)

    plain = first_ink_column(render_cmr(doc, blank_mode=True, copies=3))
    moved = first_ink_column(render_cmr(doc, blank_mode=True, copies=3, offset_mm=(5, 0)))
    assert abs((moved - plain) - 5 / 25.4 * 100) <= 2


def test_logo_is_placed_on_the_form(doc):
    with_logo = render_cmr(doc, logo=_logo_png(), copies=3)
    without = render_cmr(doc, copies=3)
    # The form itself draws no picture: each copy's one image is the logo.
    assert [len(page.images) for page in PdfReader(io.BytesIO(without)).pages] == [0, 0, 0]
    assert [len(page.images) for page in PdfReader(io.BytesIO(with_logo)).pages] == [1, 1, 1]


def test_free_text_charges_and_payment_are_printed(doc):
    d = copy.deepcopy(doc)
    d["charges"].append({"label": "Ferry Rødby–Puttgarden", "sender": "310.00", "currency": "DKK", "consignee": ""})
    d["charges"].append({"label": "Fracht", "sender": "", "currency": "EUR", "consignee": "99.00"})
    d["payment_instructions"] = "Payable within 30 days of delivery"
    text = squash(pdf_pages_text(render_cmr(d, copies=3))[0])
    for value in ("Ferry Rødby–Puttgarden", "310.00", "DKK", "99.00", "Payable within 30 days of delivery"):
        assert squash(value) in text


def test_calibration_page_is_one_page_with_its_offset():
    pdf = render_calibration_page(offset_mm=(1.5, -2.0))
    assert n_pages(pdf) == 1
    text = pdf_pages_text(pdf)[0]
    assert "+1.5 mm" in text and "-2.0 mm" in text


@pytest.mark.parametrize("logo", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, _logo_png()[:300], b"not an image"])
def test_a_logo_that_cannot_be_decoded_is_left_out_not_fatal(doc, logo):
    with_broken = render_cmr(doc, logo=logo, copies=3)
    assert n_pages(with_broken) == 3
    assert with_broken == render_cmr(doc, copies=3)  # as if there were no logo
