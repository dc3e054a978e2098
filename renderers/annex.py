"""Annex pages: what did not fit on the form, in full, after all copies; each page with
the signature and stamp spaces of the form (22 sender, 23 carrier, 24 consignee), so
the parties sign or stamp the annex as they sign the note."""
from __future__ import annotations

from reportlab.lib.units import mm

from .content import GoodsSection, TextSection
from functools import lru_cache

from .layout import BOXES, FOOT_BASELINE, FRAME, NUMBER_BASELINE, NUMBER_LABEL_X
from .locales import joined
from .sheet import Sheet
from .typography import DATA, LABEL, LABEL_BOLD, LEADING, MIN_SIZE, shrink_to_width, wrap

SIGN_H = 24.0          # mm: the signature row at the foot of every annex page
SIGN_BOXES = ("22", "23", "24")
SIGN_LABEL_SIZE, SIGN_NUMBER_SIZE = MIN_SIZE, 7.0      # as the form's labels and box numbers
TOP, BOTTOM = FRAME[1] + 3.0, FRAME[3] - SIGN_H - 3.0
X0, X1 = FRAME[0] + 2.0, FRAME[2] - 2.0
TEXT_SIZE, GOODS_SIZE, HEAD_SIZE = 8.0, 7.0, 7.0
COL_HEAD_SIZE = MIN_SIZE   # the goods table's column heads: nothing on an annex is smaller
# (column, width mm); "#" is the goods line number, "adr" the ADR entry. The ADR column
# holds the ADR 5.4.1.1.1 line ("UN 1263 PAINT, 3, II, (D/E)") on one line at 7 pt.
GOODS_TABLE = (("#", 7), ("6", 22), ("7", 13), ("8", 24), ("9", 35), ("10", 16),
               ("11", 16), ("12", 14), ("adr", 31))
RIGHT = {"#", "7", "11", "12"}


def _heading(key: str, langs, continued: bool) -> str:
    label = joined("adr", langs) if key == "adr" else joined(f"box_{key}", langs)
    head = label if key == "adr" else f"{key}  {label}"
    if continued:
        head += " (" + joined("continued", langs) + ")"
    return head


def paginate(sections, langs) -> list[Sheet]:
    pages: list[Sheet] = []
    page: Sheet | None = None
    y = BOTTOM

    def new_page():
        nonlocal page, y
        page = Sheet()
        pages.append(page)
        y = TOP
        return page

    def room(h_mm):
        return y + h_mm <= BOTTOM

    head_h = 2 * HEAD_SIZE * LEADING / mm + 1.2     # a three-language heading may take two lines
    for section in sections:
        if isinstance(section, TextSection):
            lines = [(ln, font) for text, font in section.paragraphs if text
                     for ln in wrap(text, font, TEXT_SIZE, (X1 - X0) * mm)]
            lead = TEXT_SIZE * LEADING / mm
            first = True
            while first or lines:
                if not room(head_h + lead):
                    new_page()
                if first:
                    section.page = len(pages)
                y = page.lines(X0, y, _heading_lines(_heading(section.key, langs, not first)), HEAD_SIZE) + 0.6
                n = max(1, int((BOTTOM - y) // lead))
                y = page.lines(X0, y, lines[:n], TEXT_SIZE) + 3.0
                lines = lines[n:]
                first = False
        elif isinstance(section, GoodsSection):
            lead = GOODS_SIZE * LEADING / mm
            heads = {k: wrap(_col_label(k, langs), LABEL, COL_HEAD_SIZE, (w - 1.2) * mm) for k, w in GOODS_TABLE}
            header_h = max(len(v) for v in heads.values()) * COL_HEAD_SIZE * LEADING / mm + 1.0
            rows = []
            for idx, cells, adr in section.rows:
                cells = dict(cells, **{"#": str(idx), "adr": adr})
                wrapped = {k: wrap(cells.get(k, ""), DATA, GOODS_SIZE, (w - 1.2) * mm) for k, w in GOODS_TABLE}
                rows.append((wrapped, max(1, *(len(v) for v in wrapped.values())) * lead + 0.6))
            first = True
            while first or rows:
                if not room(head_h + header_h + rows[0][1]):
                    new_page()
                if first:
                    section.page = len(pages)
                head = f"6–12  {joined('box_9', langs)} ({joined('continued', langs)})"
                y = page.lines(X0, y, _heading_lines(head), HEAD_SIZE) + 0.6
                y = _table_row(page, y, heads, LABEL, COL_HEAD_SIZE) + 0.6
                page.line(X0, y - 0.4, X1, y - 0.4, 0.4)
                while rows and room(rows[0][1]):
                    wrapped, h = rows.pop(0)
                    _table_row(page, y, wrapped, DATA, GOODS_SIZE)
                    y += h
                    page.line(X0, y - 0.3, X1, y - 0.3, 0.2)
                y += 3.0
                first = False
    return pages


def _heading_lines(head: str) -> list[tuple[str, str]]:
    """A heading wrapped to the frame: three-language box labels are wider than a page."""
    return [(ln, LABEL_BOLD) for ln in wrap(head, LABEL_BOLD, HEAD_SIZE, (X1 - X0) * mm)]


def _col_label(key, langs):
    if key == "#":
        return "#"
    if key == "adr":
        return joined("adr", langs)
    return f"{key} " + joined(f"box_{key}", langs)


def _table_row(page: Sheet, y, cells, font, size) -> float:
    x = X0
    bottom = y
    for key, w in GOODS_TABLE:
        lines = [(ln, font) for ln in cells.get(key, [])]
        if key in RIGHT and font == DATA:
            b = page.lines(x + w - 0.8, y, lines, size, align="right")
        else:
            b = page.lines(x + 0.4, y, lines, size)
        bottom = max(bottom, b)
        x += w
    return bottom


def number_header(page: Sheet, text: str, x0: float) -> None:
    """"CMR No. …" at the top right, between ``x0`` (mm) and the frame's right edge (the
    copy name or the check code is on its left): a long number is set smaller down to
    MIN_SIZE, then wraps upwards, never over the copy name and never cut."""
    limit = (FRAME[2] - x0) * mm
    size = shrink_to_width(text, LABEL_BOLD, 10, limit, floor=MIN_SIZE)
    lines = wrap(text, LABEL_BOLD, size, limit)
    for i, line in enumerate(lines):
        page.text(FRAME[2], NUMBER_BASELINE - (len(lines) - 1 - i) * size * LEADING / mm, line,
                  LABEL_BOLD, size, align="right")


@lru_cache(maxsize=64)
def annex_header(n: int, langs, number: str) -> Sheet:
    """What every copy's annex page ``n`` shares, drawn in the copy's colour (no colour
    of its own; the copy's name is added per copy): the annex title, the note's number,
    the frame and the signature row."""
    page = Sheet()
    title = joined("annex_title", langs, n=n)
    page.text(FRAME[0], 13.5, title, LABEL_BOLD, 9)
    number_header(page, "CMR " + joined("number", langs) + " " + number, NUMBER_LABEL_X)
    page.rect(*FRAME, 0.9)
    page.text(FRAME[2], FOOT_BASELINE, joined("model", langs), LABEL, 6.0, align="right")
    y0 = FRAME[3] - SIGN_H
    page.line(FRAME[0], y0, FRAME[2], y0, 0.9)
    for key in SIGN_BOXES:
        box = BOXES[key]
        if box.x0 > FRAME[0]:
            page.line(box.x0, y0, box.x0, FRAME[3], 0.45)
        page.text(box.x0 + 1.0, y0 + 0.7 + SIGN_NUMBER_SIZE * 0.76 / mm, key, LABEL_BOLD, SIGN_NUMBER_SIZE)
        label = joined("box_24_signature" if key == "24" else f"box_{key}", langs)
        lines = wrap(label, LABEL, SIGN_LABEL_SIZE, (box.w - 2.0) * mm)
        top = FRAME[3] - 0.8 - len(lines) * SIGN_LABEL_SIZE * LEADING / mm
        page.lines((box.x0 + box.x1) / 2, top, [(ln, LABEL) for ln in lines], SIGN_LABEL_SIZE, align="center")
    return page
