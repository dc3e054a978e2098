"""The e-CMR on paper (issue 9, item 4): signatures in boxes 22-24, reservations in
boxes 18 and 24 in the label languages, the electronic record page with every hash."""
import hashlib
import io
import json

import pytest
from PIL import Image

from renderers import LANGUAGES, fingerprint, render_cmr
from renderers import esign
from renderers.content import build_content
from renderers.form import DOTTED_LINE, form_layout
from renderers.layout import BOXES
from renderers.locales import joined
from renderers.sample import signature_png, signed_document
from renderers.typography import register_fonts
from tests.pdf_helpers import page_png, pdf_pages_text, squash
from tests.renderers.geometry import gap, image_boxes, text_boxes

SETS = [("pl", "de", "en"), ("lt", "ru"), ("hu", "en", "de"), ("lv", "ru", "de"), ("bg",), ("tr", "en"),
        ("et", "ru", "en"), ("uk", "pl", "de")] + [(lang,) for lang in LANGUAGES]
SIGN_BOXES = ("22", "23", "24")


def pages(pdf):
    return [squash(t) for t in pdf_pages_text(pdf)]


@pytest.fixture
def signed():
    return signed_document()


@pytest.fixture
def phone_locales(tmp_path, monkeypatch):
    """A phone catalogue with Polish and German beside English (another helper adds the
    17 others in this format)."""
    en = json.loads((esign.PHONE_LOCALES_DIR / "en.json").read_text(encoding="utf-8"))
    (tmp_path / "en.json").write_text(json.dumps(en), encoding="utf-8")
    (tmp_path / "pl.json").write_text(json.dumps({
        "reservation.packages_not_checked": "Liczba sztuk niesprawdzona (ładunek zaplombowany lub przykryty)",
        "reservation.packaging_damaged": "Opakowanie uszkodzone",
        "reservation.load_unsecured": "Ładunek niedostatecznie zabezpieczony"}), encoding="utf-8")
    (tmp_path / "de.json").write_text(json.dumps({
        "reservation.packaging_damaged": "Verpackung beschädigt",
        "reservation.load_unsecured": "Ladung unzureichend gesichert"}), encoding="utf-8")
    monkeypatch.setattr(esign, "PHONE_LOCALES_DIR", tmp_path)
    esign._phone_labels.cache_clear()
    yield tmp_path
    esign._phone_labels.cache_clear()


def _layout(doc, langs, *, record=True):
    register_fonts()
    form = form_layout(tuple(langs), 0, True)
    content = build_content(doc, tuple(langs), form, "7d1c09a4e2b3", with_record=record)
    return form, content


def _inside(inner, outer, tol=0.05):
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


# --- signatures in 22-24 ---------------------------------------------------------------

@pytest.mark.parametrize("langs", SETS)
def test_each_signature_sits_in_its_box_clear_of_the_printed_labels(signed, langs):
    form, content = _layout(signed, langs)
    images = image_boxes(content.sheet)
    assert len(images) == 3
    # The dotted lines after "Place" and "on" in box 24 are written on, as by hand.
    labels = [t for t in text_boxes(form.sheet) if any(_inside(t[:4], _box(k)) for k in SIGN_BOXES)
              and t[4] != DOTTED_LINE]
    assert len(labels) >= 7
    for key, img in zip(SIGN_BOXES, sorted(images)):
        assert _inside(img, _box(key)), (key, img)
        assert img[3] - img[1] >= 6.0, f"signature in {key} is only {img[3] - img[1]:.1f} mm high"
    values = [t for t in text_boxes(content.sheet) if BOXES["22"].y0 <= t[1] <= BOXES["22"].y1]
    assert len(values) >= 8
    for v in values:      # every value of the signature row stays inside one of its boxes
        assert any(_inside(v[:4], _box(k)) for k in SIGN_BOXES), v
    for item in images + [v[:4] for v in values]:
        for label in labels:
            assert gap(item, label[:4]) > 0.1, (item, label)
        for other in images + [v[:4] for v in values]:
            if other is not item and other in images and item in images:
                assert gap(item, other) > 0


def _box(key):
    b = BOXES[key]
    return (b.x0, b.y0, b.x1, b.y1)


def test_the_texts_of_a_signature_do_not_overlap_each_other(signed):
    for langs in SETS:
        _, content = _layout(signed, langs)
        values = [t for t in text_boxes(content.sheet) if any(_inside(t[:4], _box(k), 0.5) for k in SIGN_BOXES)]
        for i, a in enumerate(values):
            for b in values[i + 1:]:
                assert gap(a[:4], b[:4]) > -0.3, (a, b)


def test_names_local_times_and_places_are_printed_on_every_copy(signed):
    texts = pages(render_cmr(signed, copies=3))
    assert len(texts) == 4       # three copies and the record page
    for text in texts[:3]:
        for expected in ("Jan Kowalski", "21.11.2026 13:30 UTC+1", "Piotr Kierowca", "21.11.2026 14:58 UTC+1",
                         "52.40640 N, 16.92520 E ±12 m", "Klaus Schäfer", "22.11.2026 10:00 UTC+1",
                         "52.51120 N, 13.44210 E ±25 m"):
            assert squash(expected) in text, expected


def test_local_time_and_place_formats():
    assert esign.local_time("2026-07-01T10:00:00+00:00", "Europe/Warsaw") == "01.07.2026 12:00 UTC+2"
    assert esign.local_time("2026-07-01T10:00:00Z", "Asia/Kolkata") == "01.07.2026 15:30 UTC+5:30"
    assert esign.local_time("2026-07-01T10:00:00+03:00", "No/Such_Zone") == "01.07.2026 10:00 UTC+3"
    assert esign.local_time("2026-07-01T10:00:00+00:00", None) == "01.07.2026 10:00 UTC"
    assert esign.local_time("yesterday", "Europe/Warsaw") == "yesterday"
    assert esign.place_text({"lat": -33.8688, "lon": -151.2093, "accuracy_m": None}) == "33.86880 S, 151.20930 W"
    assert esign.place_text({"lat": 91, "lon": 0}) == ""
    assert esign.place_text(None) == "" and esign.place_text({"lat": "x", "lon": 1}) == ""


def test_a_damaged_or_huge_image_leaves_name_time_and_place(signed):
    huge = io.BytesIO()
    Image.new("RGBA", (2000, 2000), (0, 0, 0, 255)).save(huge, "PNG")
    for bad in (b"not a png", signature_png()[:200], huge.getvalue(), b"", None, "text"):
        signed["signatures"]["carrier"]["image"] = bad
        _, content = _layout(signed, ("pl", "de", "en"))
        assert len(image_boxes(content.sheet)) == 2
        text = pages(render_cmr(signed, copies=3))[0]
        assert "PiotrKierowca" in text and squash("52.40640 N") in text


def test_a_blank_drawing_or_odd_entries_are_skipped(signed):
    blank = io.BytesIO()
    Image.new("RGBA", (600, 240), (0, 0, 0, 0)).save(blank, "PNG")
    signed["signatures"] = {"sender": {"name": "A", "image": blank.getvalue()}, "driver": {"name": "Nobody"},
                            "carrier": "x", "consignee": {"name": "B", "signed_at": None, "position": "here"}}
    _, content = _layout(signed, ("en",))
    assert image_boxes(content.sheet) == []
    text = pages(render_cmr(signed, copies=3))[0]
    assert "Nobody" not in text


def test_a_long_name_is_shortened_in_the_box_and_printed_whole_on_the_record(signed):
    long_name = "Maximilian Alexander von und zu Hohenzollern-Sigmaringen-Württemberg " * 3
    signed["signatures"]["sender"]["name"] = long_name
    signed["record"][1]["signer_name"] = long_name.strip()
    form, content = _layout(signed, ("pl", "de", "en"))
    for t in text_boxes(content.sheet):
        if t[4].startswith("Maximilian"):
            assert t[2] <= BOXES["22"].x1 and t[4].endswith("…")
    texts = pages(render_cmr(signed, copies=3))
    assert squash(long_name) in texts[-1]


def test_data_only_mode_prints_the_signatures_where_the_boxes_are(signed):
    pdf = render_cmr(signed, blank_mode=True, copies=3)
    text = pages(pdf)[0]
    assert "JanKowalski" in text and "KlausSchäfer" in text
    assert "Podpis" not in text and "Unterschrift" not in text      # no printed labels
    _, content = _layout(signed, ("pl", "de", "en"))
    blank = build_content(signed, ("pl", "de", "en"), form_layout(("pl", "de", "en"), 0, True),
                          "7d1c09a4e2b3", with_qr=False, with_record=True)
    assert image_boxes(blank.sheet) == image_boxes(content.sheet)


def test_signatures_are_drawn_dark_in_boxes_22_to_24(signed, tmp_path):
    def darkness(doc, sub):
        (tmp_path / sub).mkdir()
        img = Image.open(page_png(render_cmr(doc, copies=3), 1, tmp_path / sub, dpi=80)).convert("L")
        scale = 80 / 25.4
        out = {}
        for key in SIGN_BOXES:
            x0, y0, x1, y1 = (v * scale for v in _box(key))
            region = img.crop((int(x0) + 2, int(y0) + 2, int(x1) - 2, int(y1) - 2))
            out[key] = sum(region.histogram()[:100])
        return out

    signed_ink = darkness(signed, "signed")
    bare_ink = darkness(dict(signed, signatures={}, reservations={}), "bare")
    for key in SIGN_BOXES:
        assert signed_ink[key] > bare_ink[key] + 150, (key, signed_ink[key], bare_ink[key])


def test_signatures_never_change_the_check_code(signed):
    bare = {k: v for k, v in signed.items() if k not in ("signatures", "reservations", "record", "timezone",
                                                          "fingerprint")}
    assert fingerprint(bare) == fingerprint(dict(bare, signatures={"sender": {"name": "X"}},
                                                 reservations={"carrier": []}, record=[{}], timezone="UTC"))


# --- reservations ------------------------------------------------------------------------

def test_reservations_print_in_the_label_languages_in_boxes_18_and_24(signed, phone_locales):
    text = pages(render_cmr(signed, copies=3))[0]
    assert squash("Liczba sztuk niesprawdzona (ładunek zaplombowany lub przykryty) / "
                  "Number of packages not checked (sealed or covered load)") in text     # no German: English once
    assert squash("Ładunek niedostatecznie zabezpieczony / Ladung unzureichend gesichert / "
                  "Load insufficiently secured: 2 pallets leaning, re-strapped at loading") in text
    assert squash("Opakowanie uszkodzone / Verpackung beschädigt / Packaging damaged: 2 pallets torn foil") in text
    form, content = _layout(signed, ("pl", "de", "en"))
    where = {t[4]: t for t in text_boxes(content.sheet)}
    [carrier] = [t for s, t in where.items() if s.startswith("• Liczba")]
    [consignee] = [t for s, t in where.items() if s.startswith("• Opakowanie")]
    assert _inside(carrier[:4], _box("18")) and _inside(consignee[:4], _box("24"))
    for t in text_boxes(content.sheet):
        if _inside(t[:4], _box("24"), 0.5):
            for label in text_boxes(form.sheet):
                if _inside(label[:4], _box("24")) and label[4] != DOTTED_LINE:
                    assert gap(t[:4], label[:4]) > 0.1, (t, label)


def test_box_18_keeps_the_carriers_own_text_before_the_coded_reservations(signed, phone_locales):
    signed["carrier_reservations"] = "Seal no. 123456 intact."
    text = pages(render_cmr(signed, copies=3))[0]
    assert text.index("Sealno.123456intact.") < text.index(squash("• Liczba sztuk niesprawdzona"))


def test_too_many_reservations_shrink_then_point_to_the_record_page(signed):
    codes = ["packages_not_checked", "packages_missing", "packaging_damaged", "goods_damaged", "goods_wet",
             "load_unsecured", "seal_broken", "weight_not_checked", "temperature"]
    many = [{"code": c, "text": f"remark {i} on pallets {i * 3}-{i * 3 + 2}"} for i, c in enumerate(codes)]
    signed["reservations"] = {"carrier": many, "consignee": many}
    pdf = render_cmr(signed, copies=3)
    texts = pages(pdf)
    see = squash("… → " + joined("see_record", ("pl", "de", "en")))
    assert texts[0].count(see) == 2, texts[0]
    assert len(texts) == 4          # no annex: the record page lists them
    _, content = _layout(signed, ("pl", "de", "en"))
    sizes = {t[5] for t in text_boxes(content.sheet) if t[4].startswith("• ")}
    assert min(sizes) == 6.0        # shrunk to the 6 pt floor, never below
    for t in text_boxes(content.sheet):
        if t[4].startswith("• ") or t[4].startswith("…"):
            assert _inside(t[:4], _box("18")) or _inside(t[:4], _box("24")), t


def test_without_a_record_overflowing_reservations_continue_on_an_annex(signed):
    many = [{"code": "other", "text": f"Remark number {i}: pallet {i} wrapped loosely, count unverified"}
            for i in range(14)]
    signed["reservations"] = {"carrier": many, "consignee": many}
    signed["record"] = []
    texts = pages(render_cmr(signed, copies=3))
    assert len(texts) == 6                           # the copies, then each copy's annex; no record page
    assert squash(joined("see_annex", ("pl", "de", "en"), n=1)) in texts[0]
    for i in range(14):
        assert squash(f"Remark number {i}: pallet {i} wrapped") in texts[3]


def test_reservation_labels_fall_back_to_english_and_unknown_codes_print_as_given(phone_locales):
    assert esign.reservation_label("seal_broken", ("lt",)) == "Seal missing or broken"
    assert esign.reservation_lines([{"code": "made_up", "text": "x"}, "junk", {"code": "other", "text": "Wet"},
                                    {"code": "other", "text": ""}], ("en",)) == [
        "• made_up: x", "• Wet", "• Other (see remarks)"]


def test_the_shipped_phone_catalogues_give_every_label_language_its_reservation_words():
    esign._phone_labels.cache_clear()
    assert esign.reservation_label("seal_broken", ("lt",)) == "Nėra plombos arba ji pažeista"
    assert esign.reservation_label("packaging_damaged", ("de", "en")) == "Verpackung beschädigt / Packaging damaged"


# --- the electronic record -----------------------------------------------------------------

def _recompute(events):
    prev = ""
    for event in events:
        body = {k: v for k, v in event.items() if k != "hash"}
        prev = hashlib.sha256((prev + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                 ensure_ascii=False)).encode()).hexdigest()
        assert prev == event["hash"]


@pytest.mark.parametrize("langs", [("pl", "de", "en"), ("lt", "ru"), ("tr",), ("bg", "en")])
def test_the_record_page_follows_all_copies_and_lists_every_event_and_hash(signed, langs):
    _recompute(signed["record"])
    signed["goods"] = signed["goods"] * 12            # an annex behind every copy
    texts = pages(render_cmr(signed, languages=list(langs), copies=3))
    assert len(texts) == 3 * 2 + 1
    record = texts[-1]
    assert squash(joined("record_title", langs)) in record
    assert "12/11/2026" in record and squash("1 · 7d1c09a4e2b3") in record
    for event in signed["record"]:
        assert event["hash"][:32] in record and event["hash"][32:] in record
        assert squash(joined(f"event_{event['type']}", langs)) in record
    for lang in langs:
        assert squash(joined("record_note", (lang,))) in record
    assert squash(joined("role_carrier", langs)) in record and "KlausSchäfer" in record
    for text in texts[:-1]:
        assert squash(joined("record_title", langs)) not in text


def test_the_record_shows_each_events_link_to_the_one_before(signed):
    record = pages(render_cmr(signed, copies=3))[-1]
    for before, event in zip(signed["record"], signed["record"][1:]):
        assert event["prev_hash"] == before["hash"]
        assert "↑" + event["prev_hash"][:32] in record


def test_a_long_record_continues_on_more_pages_with_the_heading_repeated(signed):
    base = signed["record"][2]
    events = [dict(base, seq=i + 1, hash=hashlib.sha256(str(i).encode()).hexdigest()) for i in range(60)]
    signed["record"] = events
    texts = pages(render_cmr(signed, copies=3))
    record = texts[3:]
    assert len(record) >= 3
    joined_text = "".join(record)
    for event in events:
        assert event["hash"][:32] in joined_text and event["hash"][32:] in joined_text
    title = squash(joined("record_title", ("pl", "de", "en")))
    for i, text in enumerate(record, 1):
        assert title in text and f"{i}/{len(record)}" in text


def test_no_record_page_without_events(doc):
    for record in (None, [], "x", [1, "a"]):
        assert len(pdf_pages_text(render_cmr(dict(doc, record=record), copies=3))) == 3


def test_the_public_copy_without_by_still_prints(signed):
    signed["record"] = [{k: v for k, v in e.items() if k != "by"} for e in signed["record"]]
    record = pages(render_cmr(signed, copies=3))[-1]
    assert "biuro@" not in record and signed["record"][0]["hash"][:32] in record
