"""The CANCELLED stamp printed across every page of a cancelled consignment note.

A cancelled CMR is kept (it is evidence of what was agreed); every copy printed after
the cancellation says so in the document's label languages, like a rubber stamp: the
word in each language, the date of cancellation and the reason. It lies diagonally
over the middle of the form (parties, goods) and never over the document number (top
right, bottom left) or the QR code and check code (title block), which a border officer
still needs to look the note up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.units import mm

from .locales import joined
from .typography import DATA_BOLD, LABEL_BOLD, width

COLOUR = (0.80, 0.05, 0.10)
FILL_ALPHA = 0.55        # the values under the stamp stay legible
STROKE_ALPHA = 0.75
ANGLE = 27.0             # degrees, rising to the right
CENTRE = (105.0, 160.0)  # mm from the top left: middle of the goods band
WORD_MAX_SIZE = 30.0
WORD_MIN_SIZE = 14.0
WORD_MAX_W = 112.0       # mm, the widest a stamp word may be
DETAIL_SIZE = 8.5
DETAIL_FONT = DATA_BOLD  # bold: still legible through the stamp's transparency
PAD = 4.0                # mm inside the inner frame
REASON_MAX_LINES = 2


def _unique(items):
    return list(dict.fromkeys(i for i in items if i))


@dataclass(frozen=True)
class Stamp:
    words: tuple[str, ...]           # the stamp word per language, each once
    word_size: float
    details: tuple[str, ...]         # date line, reason lines
    w: float                         # mm, inner frame
    h: float

    def corners(self) -> list[tuple[float, float]]:
        """The outer frame's corners on the page, in mm from the top left (for tests and
        for keeping clear of the number and the check code)."""
        cx, cy = CENTRE
        a = math.radians(ANGLE)
        out = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            dx, dy = sx * (self.w / 2 + 1.5), sy * (self.h / 2 + 1.5)
            # page y grows downwards: a counter-clockwise turn on paper
            out.append((cx + dx * math.cos(a) + dy * math.sin(a),
                        cy - dx * math.sin(a) + dy * math.cos(a)))
        return out


def fmt_day(value) -> str:
    import datetime as dt
    s = str(value or "").strip()
    try:
        return dt.date.fromisoformat(s[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return s[:20]


def _truncate(text: str, font: str, size: float, limit: float) -> str:
    if width(text, font, size) <= limit:
        return text
    while text and width(text + "…", font, size) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _reason_lines(label: str, reason: str, limit: float) -> list[str]:
    """"Reason: …" on at most two lines; what does not fit ends in an ellipsis."""
    words = f"{label}: {' '.join(reason.split())}".split(" ")
    lines, cur = [], ""
    for i, word in enumerate(words):
        trial = f"{cur} {word}" if cur else word
        if width(trial, DETAIL_FONT, DETAIL_SIZE) <= limit:
            cur = trial
            continue
        if len(lines) == REASON_MAX_LINES - 1 or not cur:
            rest = " ".join([cur] + words[i:]) if cur else " ".join(words[i:])
            lines.append(_truncate(rest, DETAIL_FONT, DETAIL_SIZE, limit))
            return lines
        lines.append(cur)
        cur = word
    lines.append(cur)
    return lines


@lru_cache(maxsize=256)
def stamp_layout(langs: tuple[str, ...], cancelled_on: str, reason: str) -> Stamp:
    words = _unique(joined("cancelled_stamp", (lang,)) for lang in langs)
    widest = max(width(w, LABEL_BOLD, 1.0) for w in words) / mm
    size = max(WORD_MIN_SIZE, min(WORD_MAX_SIZE, WORD_MAX_W / widest))
    words_w = widest * size
    inner_w = max(words_w, 70.0) + 2 * PAD
    details = []
    if cancelled_on:
        details.append(f"{joined('on', langs)} {fmt_day(cancelled_on)}")
    if reason:
        details += _reason_lines(joined("cancel_reason", langs), reason, (inner_w - 2 * PAD) * mm)
    details = [_truncate(d, DETAIL_FONT, DETAIL_SIZE, (inner_w - 2 * PAD) * mm) for d in details]
    h = (2 * PAD + len(words) * size * 1.05 / mm
         + (len(details) * DETAIL_SIZE * 1.25 / mm + 1.5 if details else 0.0))
    return Stamp(tuple(words), size, tuple(details), inner_w, h)


def stamp_for(doc: dict, langs) -> Stamp | None:
    """The stamp of a cancelled document (``status`` "cancelled"), else None."""
    if not isinstance(doc, dict) or str(doc.get("status") or "").strip().lower() != "cancelled":
        return None
    return stamp_layout(tuple(langs), str(doc.get("cancelled_on") or "").strip(),
                        str(doc.get("cancel_reason") or "").strip())


def draw_stamp(c, stamp: Stamp) -> None:
    """Paint the stamp on a canvas (inside a form XObject or on a page)."""
    from .layout import PAGE_H
    c.saveState()
    c.translate(CENTRE[0] * mm, (PAGE_H - CENTRE[1]) * mm)
    c.rotate(ANGLE)
    c.setFillColorRGB(*COLOUR)
    c.setStrokeColorRGB(*COLOUR)
    c.setFillAlpha(FILL_ALPHA)
    c.setStrokeAlpha(STROKE_ALPHA)
    w, h = stamp.w * mm, stamp.h * mm
    c.setLineWidth(2.4)
    c.roundRect(-w / 2 - 1.5 * mm, -h / 2 - 1.5 * mm, w + 3 * mm, h + 3 * mm, 2.5 * mm, stroke=1, fill=0)
    c.setLineWidth(0.8)
    c.roundRect(-w / 2, -h / 2, w, h, 1.5 * mm, stroke=1, fill=0)
    y = h / 2 - PAD * mm
    for word in stamp.words:
        y -= stamp.word_size * 0.82
        c.setFont(LABEL_BOLD, stamp.word_size)
        c.drawCentredString(0, y, word)
        y -= stamp.word_size * 0.23
    if stamp.details:
        y -= 1.5 * mm
        c.setFont(DETAIL_FONT, DETAIL_SIZE)
        for line in stamp.details:
            y -= DETAIL_SIZE * 1.0
            c.drawCentredString(0, y, line)
            y -= DETAIL_SIZE * 0.25
    c.restoreState()
