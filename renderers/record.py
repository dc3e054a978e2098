"""The "electronic record" pages printed after all copies (and their annexes): the
document's events as the API returns them (ECMR.md §4), each with its hash and the hash
it follows, so a reader of the paper can see the chain and recompute it from the events.

Data keys read: ``record``, a list of event dicts (``seq``, ``type``, ``at``,
``captured_at``, ``role``, ``signer_name``, ``position``, ``reservations``, ``version``,
``fingerprint``, ``by``, ``reason``, ``prev_hash``, ``hash``; any may be missing), and
``timezone`` (IANA name; the times are printed in it, else in UTC).
"""
from __future__ import annotations

from reportlab.lib.units import mm

from .annex import number_header
from .esign import local_time, place_text, reservation_lines
from .layout import FOOT_BASELINE, FRAME, NUMBER_BASELINE
from .locales import joined
from .sheet import Sheet
from .typography import DATA, DATA_BOLD, LABEL, LABEL_BOLD, LEADING, MIN_SIZE, MONO, width, wrap

X0, X1 = FRAME[0] + 2.0, FRAME[2] - 2.0
TOP, BOTTOM = FRAME[1] + 3.0, FRAME[3] - 3.0
# Nothing smaller than MIN_SIZE: each hash (and the one it follows) on two lines of 6 pt.
SIZE, HEAD_SIZE, HASH_SIZE, PREV_SIZE, SMALL = 6.5, MIN_SIZE, MIN_SIZE, MIN_SIZE, MIN_SIZE
PREV_MARK = "↑ "
HASH_CHARS = 32          # a SHA-256 in hex on two lines of 32
# (column, width mm); 178 mm between the frame's inner margins
COLUMNS = (("seq", 7.0), ("event", 29.0), ("time", 27.0), ("party", 32.0), ("reservations", 38.0),
           ("hash", 45.0))
EVENT_TYPES = ("issued", "amended", "signed", "taken_over", "delivered", "cancelled", "withdrawn")
ROLES = ("sender", "carrier", "consignee")
GREY = 0.45


def _events(doc) -> list[dict]:
    items = doc.get("record") if isinstance(doc, dict) else None
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def has_record(doc) -> bool:
    return bool(_events(doc))


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _hex_lines(value: str) -> list[str]:
    value = _text(value)
    return [value[i:i + HASH_CHARS] for i in range(0, len(value), HASH_CHARS)] or ["—"]


def _cells(event: dict, langs, timezone) -> dict[str, list[tuple[str, str, float]]]:
    """Each column's lines as (text, font, size), wrapped to the column."""
    col_w = dict(COLUMNS)

    def para(key, text, font=DATA, size=SIZE):
        return [(ln, font, size) for ln in wrap(text, font, size, (col_w[key] - 1.4) * mm)] if text else []

    type_ = _text(event.get("type"))
    cells: dict[str, list] = {k: [] for k, _ in COLUMNS}
    cells["seq"] = para("seq", _text(event.get("seq")), DATA_BOLD)
    label = joined(f"event_{type_}", tuple(langs)) if type_ in EVENT_TYPES else type_
    cells["event"] = para("event", label, DATA_BOLD)
    version = _text(event.get("version"))
    fp = _text(event.get("fingerprint"))
    if version or fp:
        cells["event"] += para("event", " · ".join(x for x in (version, fp) if x), DATA, SMALL)
    cells["time"] = para("time", local_time(event.get("at"), timezone))
    captured = event.get("captured_at")
    if captured and _text(captured) != _text(event.get("at")):
        cells["time"] += para("time", joined("record_captured", tuple(langs)) + ": "
                              + local_time(captured, timezone), DATA, SMALL)
    role = _text(event.get("role"))
    if role in ROLES:
        cells["party"] += para("party", joined(f"role_{role}", tuple(langs)))
    cells["party"] += para("party", _text(event.get("signer_name")), DATA_BOLD)
    cells["party"] += para("party", _text(event.get("by")))
    cells["party"] += para("party", place_text(event.get("position")), DATA, SMALL)
    for line in reservation_lines(event.get("reservations"), langs):
        cells["reservations"] += para("reservations", line, DATA, SMALL)
    reason = _text(event.get("reason"))
    if reason:
        cells["reservations"] += para("reservations", f"{joined('cancel_reason', tuple(langs))}: {reason}")
    prev = _text(event.get("prev_hash"))
    cells["hash"] = ([(ln, MONO, HASH_SIZE) for ln in _hex_lines(event.get("hash"))]
                     + [((PREV_MARK if i == 0 else "  ") + ln, MONO, PREV_SIZE)
                        for i, ln in enumerate(_hex_lines(prev) if prev else ["—"])])
    return cells


def _row_height(cells) -> float:
    return max((sum(size * LEADING for _, _, size in lines) for lines in cells.values()), default=0) / mm + 1.2


def _draw_row(page: Sheet, y: float, cells, grey: list) -> None:
    x = X0
    for key, w in COLUMNS:
        yy = y
        for text, font, size in cells.get(key, []):
            if font == MONO and text[:2] in (PREV_MARK, "  "):
                grey.append((x + 0.7, yy, text, font, size))   # the previous hash, in grey
            else:
                page.text(x + 0.7, yy + size * 0.8 / mm, text, font, size)
            yy += size * LEADING / mm
        x += w


class RecordPage(Sheet):
    """A Sheet with a grey layer: the previous hashes recede behind each event's own."""

    def __init__(self) -> None:
        super().__init__()
        self.grey: list = []

    def paint(self, c) -> None:
        super().paint(c)
        if self.grey:
            c.saveState()
            c.setFillGray(GREY)
            t = c.beginText()
            for x, top, text, font, size in self.grey:
                t.setFont(font, size)
                t.setTextOrigin(x * mm, (297.0 - top - size * 0.8 / mm) * mm)
                t.textOut(text)
            c.drawText(t)
            c.restoreState()


def record_pages(doc: dict, langs, check_code: str) -> list[RecordPage]:
    """The record as pages (none without events). Rows never split across pages; the
    heading and the column heads repeat on each page."""
    events = _events(doc)
    if not events:
        return []
    langs = tuple(langs)
    timezone = doc.get("timezone")
    number = _text(doc.get("number"))
    heads = {"seq": "#", "event": joined("record_event", langs), "time": joined("record_time", langs),
             "party": joined("record_party", langs), "reservations": joined("record_reservations", langs),
             "hash": joined("record_hash", langs)}
    head_cells = {k: [(ln, LABEL_BOLD, HEAD_SIZE) for ln in wrap(v, LABEL_BOLD, HEAD_SIZE, (w - 1.4) * mm)]
                  for (k, w), v in zip(COLUMNS, heads.values())}
    rows = [_cells(e, langs, timezone) for e in events]
    note = [(ln, DATA, SIZE) for ln in wrap(joined("record_note", langs, sep="\n"), DATA, SIZE, (X1 - X0) * mm)]
    formula = ("hash = hex(SHA-256(prev_hash + JSON(event without hash; keys sorted; "
               "separators \",\" \":\"; UTF-8 unescaped))); prev_hash of event 1 = \"\"")
    note += [(ln, MONO, SMALL) for ln in wrap(formula, MONO, SMALL, (X1 - X0) * mm)]
    note_h = sum(size * LEADING for _, _, size in note) / mm + 3.0

    pages: list[RecordPage] = []
    page, y = None, BOTTOM

    def new_page():
        nonlocal page, y
        page = RecordPage()
        pages.append(page)
        title = joined("record_title", langs)
        page.text(FRAME[0], 13.5, title, LABEL_BOLD, 11)
        page.text(FRAME[0], NUMBER_BASELINE, check_code, DATA_BOLD, 8)
        label = "CMR " + joined("number", langs) + " "
        number_header(page, label + number, FRAME[0] + width(check_code, DATA_BOLD, 8) / mm + 5.0)
        page.rect(*FRAME, 0.9)
        y = TOP
        y = _head(page, y, head_cells)

    for cells in rows:
        h = _row_height(cells)
        if page is None or y + h > BOTTOM:
            new_page()
        _draw_row(page, y, cells, page.grey)
        y += h
        page.line(X0, y - 0.4, X1, y - 0.4, 0.25)
    if y + note_h > BOTTOM:
        new_page()
    y += 2.0
    for text, font, size in note:
        page.text(X0, y + size * 0.8 / mm, text, font, size)
        y += size * LEADING / mm
    n = len(pages)
    for i, p in enumerate(pages, 1):
        p.text(FRAME[0], FOOT_BASELINE, f"{check_code}   {i}/{n}", DATA, 6)
        p.text(FRAME[2], FOOT_BASELINE, joined("model", langs), LABEL, 6.0, align="right")
    return pages


def _head(page: Sheet, y: float, head_cells) -> float:
    h = max(len(v) for v in head_cells.values()) * HEAD_SIZE * LEADING / mm + 1.0
    x = X0
    for key, w in COLUMNS:
        page.lines(x + 0.7, y, [(t, f) for t, f, _ in head_cells[key]], HEAD_SIZE)
        x += w
    page.line(X0, y + h - 0.3, X1, y + h - 0.3, 0.5)
    return y + h + 0.6
