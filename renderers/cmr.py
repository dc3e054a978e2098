"""The CMR consignment note (IRU 1976 model) as PDF bytes, from a plain document dict."""
from __future__ import annotations

import io
import warnings

from PIL import Image
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .annex import annex_header, paginate
from .charges import completed
from .content import build_content, check_code_text, txt, version_of
from .fingerprinting import fingerprint
from .form import data_only_layout, form_layout
from .layout import (
    BOXES, CALIBRATION_POINTS, COPY_NAME_BASELINE, FOOT_BASELINE, FRAME, MERGED_GOODS, PAGE_H, PAGE_W,
)
from .locales import charge_row_aliases, check_languages, joined
from .record import has_record, record_pages
from .stamp import draw_stamp, stamp_for
from .typography import DATA, DATA_BOLD, LABEL, LABEL_BOLD, MIN_SIZE, register_fonts, shrink_to_width, width

# ASCII85 makes streams 25% larger for no gain in an HTTP response or a file.
rl_config.useA85 = 0

COPY_COLOURS = {1: (0.80, 0.07, 0.10), 2: (0.05, 0.25, 0.70),
                3: (0.00, 0.48, 0.20), 4: (0.0, 0.0, 0.0)}
DEFAULT_LANGUAGES = ("en",)
DEFAULT_COPIES = 3          # CMR art. 5: three originals
MAX_FREE_CHARGE_ROWS = 2    # box 20 has 7 printed rows: 9 rows of 3.6 mm at most
# Draw the static form, the values and annex pages once per PDF as form XObjects and
# place them on every copy. False paints each page in full: kept only so the
# benchmark can show what the reuse saves.
REUSE_XOBJECTS = True
ANNEX_CHOICES = ("after", "separate", "only")
# Uploads are stored at most 1200 px on a side (cmr_app.services.images); anything
# much larger was not written by that code and is not decoded here.
LOGO_MAX_PIXELS = 1600 * 1600


def _canvas(buf, title: str) -> Canvas:
    # initialFontName: reportlab's page preamble would otherwise name Helvetica.
    c = Canvas(buf, pagesize=A4, pageCompression=1, invariant=1,
               initialFontName=LABEL, initialFontSize=6)
    c.setTitle(title)
    c.setCreator("cmr renderers")
    # Print at actual size: a viewer's "fit to page" shrinks the form by a few per cent,
    # enough to move the data off a pre-printed blank's boxes.
    c.setViewerPreference("PrintScaling", "None")
    return c


def _printer_correction(c: Canvas, offset_mm: tuple[float, float], scale_pct: float) -> None:
    """Shift by the printer's offset (x right, y down) and scale about the paper's top
    left corner, where the tray guides hold the sheet."""
    dx, dy = offset_mm
    c.translate(dx * mm, -dy * mm)
    k = (scale_pct or 100.0) / 100.0
    if k != 1.0:
        c.translate(0, PAGE_H * mm)
        c.scale(k, k)
        c.translate(0, -PAGE_H * mm)


def _options(doc, languages, copies):
    langs = check_languages(languages or doc.get("languages") or DEFAULT_LANGUAGES)
    n = copies if copies is not None else (doc.get("copies") or DEFAULT_COPIES)
    if n not in (3, 4):
        raise ValueError(f"copies must be 3 or 4, got {n!r}")
    return langs, n


def _free_charge_rows(doc) -> int:
    aliases = charge_row_aliases()
    seen, extra = set(), 0
    for ch in completed(doc.get("charges") or []):
        key = aliases.get(txt(ch.get("label")).casefold())
        if key and key not in seen:
            seen.add(key)
        else:
            extra += 1
    return min(extra, MAX_FREE_CHARGE_ROWS)


class NoAnnex(ValueError):
    """``annex="only"`` asked of a document whose values all fit on the form."""


def render_cmr(doc: dict, *, languages: list[str] | None = None, copies: int | None = None,
               logo: bytes | None = None, blank_mode: bool = False,
               offset_mm: tuple[float, float] = (0.0, 0.0), scale_pct: float = 100.0,
               annex: str = "after") -> bytes:
    """All copies of the consignment note, one A4 page each, then (if anything
    overflowed) the annex pages of every copy in copy order, each page headed with its
    copy. Annex pages never sit between form pages: loaded with pre-printed sets, each
    would land on the next blank form in the tray.

    ``annex``: "after" (the default, as above), "separate" (the copies only) or "only"
    (the annex pages of every copy and the electronic record, all that goes on plain
    paper: the second file of "separate"; raises ``NoAnnex`` when there is none).

    ``blank_mode`` prints the values only, for pre-printed forms, moved by
    ``offset_mm`` (x right, y down) and scaled by ``scale_pct`` (about the paper's top
    left corner) to correct the printer.

    Keys read besides the content: ``fingerprint`` (the check code; computed when
    absent), ``version`` (a positive int, printed with the check code: "2 · 0391cbd04495"),
    ``status`` ("cancelled" stamps every page CANCELLED in the label languages, blank
    mode included), ``cancelled_on`` (ISO date) and ``cancel_reason`` (printed in the
    stamp, shortened if long).

    The e-CMR (all optional): ``signatures`` (sender → box 22, carrier → 23, consignee
    → 24: the drawn image, the signer's name, local time and place; see
    ``renderers.esign``), ``reservations`` (the carrier's printed in box 18, the
    consignee's in box 24, each in the label languages plus its free text) and
    ``record`` with ``timezone`` (the events: when there are any, "electronic record"
    pages follow all copies and annexes; see ``renderers.record``). In blank mode the
    signatures are printed where the pre-printed boxes are, and the record pages follow
    as they do on plain paper.
    """
    doc = doc if isinstance(doc, dict) else {}
    langs, n_copies = _options(doc, languages, copies)
    if annex not in ANNEX_CHOICES:
        raise ValueError(f"annex must be one of {', '.join(ANNEX_CHOICES)}, got {annex!r}")
    register_fonts()
    form = form_layout(langs, _free_charge_rows(doc), version_of(doc) is not None)
    fp = txt(doc.get("fingerprint")) or fingerprint(doc)
    image = _logo(logo)
    with_record = has_record(doc)
    # Data-only: the values sit where the pre-printed form has room, never where this
    # app's labels in the chosen languages happen to end.
    # The words printed with the values ("VAT no.", "Vehicle", "Total", "Carriage paid",
    # "see annex") are then in the first label language only: the pre-printed form
    # carries the labels, and a value wraps and sizes the same for every further
    # language chosen.
    data_form = data_only_layout() if blank_mode else form
    words = langs[:1] if blank_mode else langs
    content = build_content(doc, words, data_form, fp, logo=image, with_qr=not blank_mode,
                            with_record=with_record)
    annex_pages = paginate(content.annex, langs)
    for section, x, baseline, size, *x1 in content.refs:
        text = "→ " + joined("see_annex", words, n=section.page)
        if x1 and x1[0] and width(text, DATA_BOLD, size) > (x1[0] - x) * mm:
            # Within its column (box 20's label column): the first language is enough.
            text = "→ " + joined("see_annex", words[:1], n=section.page)
        content.sheet.text(x, baseline, text, DATA_BOLD, size)
    if content.annex_line and annex_pages:
        x, baseline, size, x1 = content.annex_line
        text = joined("annex_count", words, n=len(annex_pages))
        size = shrink_to_width(text, DATA_BOLD, size, (x1 - x) * mm, floor=MIN_SIZE)
        content.sheet.text(x, baseline, text, DATA_BOLD, size)

    buf = io.BytesIO()
    number = txt(doc.get("number"))
    c = _canvas(buf, f"CMR {number}".strip())
    # Each part is drawn once and placed on every copy: the static form (coloured by
    # the copy, because it sets no colour itself), the values, each annex page.
    parts = {"values": content.sheet}
    if not blank_mode:
        parts["form"] = form.sheet
    parts.update({f"annex{i}": page for i, page in enumerate(annex_pages, 1)})
    if annex != "separate":
        # The per-page frame, title and signature spaces, coloured by the copy (no colour
        # of their own): drawn once, placed on every copy's annex pages.
        parts.update({f"annexhead{i}": annex_header(i, langs, number)
                      for i in range(1, len(annex_pages) + 1)})
    stamp = stamp_for(doc, langs)
    if REUSE_XOBJECTS:
        for name, sheet in parts.items():
            c.beginForm(name)
            if name != "form" and not name.startswith("annexhead"):
                c.setFillColorRGB(0, 0, 0)
                c.setStrokeColorRGB(0, 0, 0)
            sheet.paint(c)
            c.endForm()

    def place(name: str) -> None:
        if name == "stamp":
            # On the page itself, not a form XObject: reportlab registers the stamp's
            # transparency (ExtGState) only in page resources.
            draw_stamp(c, stamp)
        elif REUSE_XOBJECTS:
            c.doForm(name)
        else:
            c.saveState()
            if name != "form" and not name.startswith("annexhead"):
                c.setFillColorRGB(0, 0, 0)
                c.setStrokeColorRGB(0, 0, 0)
            parts[name].paint(c)
            c.restoreState()

    if annex == "only" and not annex_pages and not with_record:
        raise NoAnnex("this document has no annex pages")
    for copy in range(1, n_copies + 1) if annex != "only" else ():
        colour = COPY_COLOURS[copy]
        copy_name, copy_size = form.copy_names[copy]
        if blank_mode:
            _printer_correction(c, offset_mm, scale_pct)
        else:
            c.setFillColorRGB(*colour)
            c.setStrokeColorRGB(*colour)
            place("form")
            c.setFont(LABEL_BOLD, copy_size)
            c.drawString(FRAME[0] * mm, (PAGE_H - COPY_NAME_BASELINE) * mm, copy_name)
        place("values")
        if stamp:
            place("stamp")
        c.showPage()
    # Annex pages after every copy (plain paper even in blank mode: no offset), each
    # headed with its copy and carrying the signature spaces of the form.
    for copy in range(1, n_copies + 1) if annex != "separate" else ():
        colour = COPY_COLOURS[copy]
        copy_name, copy_size = form.copy_names[copy]
        for i in range(1, len(annex_pages) + 1):
            c.setFillColorRGB(*colour)
            c.setStrokeColorRGB(*colour)
            place(f"annexhead{i}")
            c.setFont(LABEL_BOLD, copy_size)
            c.drawString(FRAME[0] * mm, (PAGE_H - COPY_NAME_BASELINE) * mm, copy_name)
            place(f"annex{i}")
            if stamp:
                place("stamp")
            c.setFillColorRGB(0, 0, 0)
            c.setFont(DATA, 6)
            c.drawString(FRAME[0] * mm, (PAGE_H - FOOT_BASELINE) * mm,
                         f"{check_code_text(fp, version_of(doc))}   {i}/{len(annex_pages)}")
            c.showPage()
    # The electronic record once, after every copy: it belongs to the document, not to
    # one party's copy.
    if with_record and annex != "separate":
        for page in record_pages(doc, langs, check_code_text(fp, version_of(doc))):
            c.setFillColorRGB(0, 0, 0)
            c.setStrokeColorRGB(0, 0, 0)
            page.paint(c)      # no stamp: the cancellation is an event in the table
            c.showPage()
    c.save()
    return buf.getvalue()


def _logo(data: bytes | None) -> ImageReader | None:
    """The logo decoded now, or none: a logo that cannot be decoded, or is far larger
    than any cleaned upload, leaves box 1 without it instead of failing every CMR."""
    if not data:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])
            if image.width * image.height > LOGO_MAX_PIXELS:
                return None
            image.load()
        return ImageReader(image)
    except Exception:  # damaged bytes: OSError, SyntaxError, ValueError, DecompressionBombError …
        return None


# Most printers leave 3–5 mm of every edge blank: the rulers start inside that, so
# their first marks print instead of falling off the paper.
PRINTABLE_MARGIN = 6.0   # mm
SCALE_SPAN = (14, 196)   # the crosshairs whose distance (182 mm) shows the scale


def render_calibration_page(offset_mm: tuple[float, float] = (0.0, 0.0), scale_pct: float = 100.0) -> bytes:
    """Crosshairs on known corners of the IRU 1976 form, each with a millimetre scale,
    plus rulers along the top and left edges. Print it at actual size on plain paper,
    lay it on a blank form against the light (or print onto a blank), read how far each
    crosshair lies from the printed corner: that is the offset to enter (x right +,
    y down +); the distance between the top crosshairs gives the scale. Printed again
    with those, the crosshairs should sit on the corners."""
    register_fonts()
    buf = io.BytesIO()
    c = _canvas(buf, "CMR calibration page")
    dx, dy = offset_mm
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0, 0, 0)

    c.saveState()
    _printer_correction(c, offset_mm, scale_pct)
    # The box outlines, faint, so the page can be compared with a blank by eye; 6–9 as
    # the form rules them, one area.
    c.setStrokeColorRGB(0.7, 0.7, 0.7)
    c.setLineWidth(0.25)
    c.setDash(1, 2)
    for box in BOXES.values():
        if box.key not in MERGED_GOODS:
            c.rect(box.x0 * mm, (PAGE_H - box.y1) * mm, box.w * mm, box.h * mm)
    first, last = BOXES[MERGED_GOODS[0]], BOXES[MERGED_GOODS[-1]]
    c.rect(first.x0 * mm, (PAGE_H - last.y1) * mm, (last.x1 - first.x0) * mm, (last.y1 - first.y0) * mm)
    c.setDash()
    c.setStrokeColorRGB(0, 0, 0)
    for x, y in CALIBRATION_POINTS:
        _crosshair(c, x, y)
    c.restoreState()

    # Rulers on the paper itself (not corrected): they measure the printer, not the form.
    # Drawn after the outlines, each number on white, so no outline crosses one however
    # far the correction moves the form.
    m = PRINTABLE_MARGIN
    c.setLineWidth(0.3)
    c.setFont(LABEL, MIN_SIZE)
    c.line(m * mm, (PAGE_H - m) * mm, (PAGE_W - m) * mm, (PAGE_H - m) * mm)
    for x in range(int(m), int(PAGE_W - m) + 1):
        h = 4 if x % 10 == 0 else (2.5 if x % 5 == 0 else 1.5)
        c.line(x * mm, (PAGE_H - m) * mm, x * mm, (PAGE_H - m - h) * mm)
        if x % 10 == 0 and x >= 20:
            _knocked_out(c, x * mm, (PAGE_H - m - 6.5) * mm, str(x), centred=True)
    c.line(m * mm, (PAGE_H - m) * mm, m * mm, m * mm)
    for y in range(int(m), int(PAGE_H - m) + 1):
        h = 4 if y % 10 == 0 else (2.5 if y % 5 == 0 else 1.5)
        c.line(m * mm, (PAGE_H - y) * mm, (m + h) * mm, (PAGE_H - y) * mm)
        # No number where a crosshair's arms and scales reach the ruler.
        if y % 10 == 0 and y >= 20 and all(abs(y - cy) > 8 for cx, cy in CALIBRATION_POINTS if cx < 30):
            _knocked_out(c, (m + 5) * mm, (PAGE_H - y) * mm - 1.8, str(y))

    # The instructions inside the goods area (6–9 are one open area on the form, so no
    # outline crosses them), clear of the crosshairs at its corners.
    x0, top = 24.0, 140.0
    c.setFont(LABEL_BOLD, 10)
    c.drawString(x0 * mm, (PAGE_H - top) * mm, "CMR (IRU 1976) — printer calibration")
    c.setFont(LABEL, 6.6)
    span = SCALE_SPAN[1] - SCALE_SPAN[0]
    lines = [
        "1. Print this page at actual size (100 %, no 'fit to page') on the printer used for blanks.",
        "2. Lay it on a blank CMR form (against a window), or print it onto a spoilt blank.",
        "3. At each crosshair read on its small scales how far the form's printed corner lies",
        "   from the crosshair centre: x to the right is +, y downwards is +, in millimetres.",
        "4. Enter the average x and y as the printer offset.",
        "5. Scale: measure the distance between the crosshairs at 14, 25 and 196, 25. It should be",
        f"   {span} mm; if not, enter scale = {span} / measured × the scale used below (in %).",
        "6. Print this page again with the new settings to check.",
        f"Applied to this print: offset x = {dx:+.1f} mm, y = {dy:+.1f} mm, scale = {scale_pct:.2f} %.",
    ]
    for i, line in enumerate(lines):
        c.drawString(x0 * mm, (PAGE_H - top - 5.5 - i * 3.4) * mm, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def _knocked_out(c, x: float, y: float, text: str, centred: bool = False) -> None:
    """A ruler number (points) on a white patch: a box outline never crosses it."""
    w = c.stringWidth(text, LABEL, MIN_SIZE)
    x0 = x - w / 2 if centred else x
    c.setFillColorRGB(1, 1, 1)
    c.rect(x0 - 0.8, y - 1.45, w + 1.6, MIN_SIZE * 1.08, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x0, y, text)


def _crosshair(c, x, y) -> None:
    """A crosshair at (x, y) mm with a ±5 mm scale on both arms and its coordinates."""
    X, Y = x * mm, (PAGE_H - y) * mm
    c.setLineWidth(0.35)
    c.line(X - 7 * mm, Y, X + 7 * mm, Y)
    c.line(X, Y - 7 * mm, X, Y + 7 * mm)
    c.setLineWidth(0.2)
    for k in range(-5, 6):
        t = 1.4 if k % 5 == 0 else 0.8
        c.line(X + k * mm, Y - t * mm / 2, X + k * mm, Y + t * mm / 2)
        c.line(X - t * mm / 2, Y + k * mm, X + t * mm / 2, Y + k * mm)
    c.circle(X, Y, 1 * mm)
    c.setFont(LABEL, MIN_SIZE)
    if x > PAGE_W / 2 + 40:     # at the right edge: left of the arm, clear of the paper's edge
        c.drawRightString(X - 1.2 * mm, Y + 1.2 * mm, f"{x:g}, {y:g}")
    else:
        c.drawString(X + 1.2 * mm, Y + 1.2 * mm, f"{x:g}, {y:g}")
