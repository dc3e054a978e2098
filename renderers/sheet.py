"""A display list in form millimetres (origin top left), replayed onto a reportlab
canvas. Layouts are computed once (and cached) as plain lists; painting is a loop."""
from __future__ import annotations

from reportlab.lib.units import mm

from .layout import PAGE_H
from .typography import ASCENT, width


def X(x_mm: float) -> float:
    return x_mm * mm


def Y(y_mm: float) -> float:
    return (PAGE_H - y_mm) * mm


class Sheet:
    def __init__(self) -> None:
        self.texts: list[tuple[float, float, str, str, float]] = []   # x, baseline y (pt)
        self.rotated: list[tuple[float, float, str, str, float]] = []  # reads upwards
        self.strokes: dict[float, list[tuple]] = {}   # line width -> lines and rects
        self.fills: list[tuple[float, float, float, float]] = []
        self.images: list[tuple] = []
        self.qr: list[tuple[str, float, float, float]] = []

    # geometry ---------------------------------------------------------------
    def line(self, x0, y0, x1, y1, lw=0.5):
        self.strokes.setdefault(lw, []).append(("l", X(x0), Y(y0), X(x1), Y(y1)))

    def rect(self, x0, y0, x1, y1, lw=0.5):
        self.strokes.setdefault(lw, []).append(("r", X(x0), Y(y1), (x1 - x0) * mm, (y1 - y0) * mm))

    # text -------------------------------------------------------------------
    def text(self, x, baseline, s, font, size, align="left"):
        """``x``/``baseline`` in mm; align 'right' or 'center' places the string's end or
        middle at ``x``."""
        if not s:
            return
        px = X(x)
        if align != "left":
            w = width(s, font, size)
            px -= w if align == "right" else w / 2
        self.texts.append((px, Y(baseline), s, font, size))

    def lines(self, x, top, lines, size, align="left", leading=None):
        """Lines of (text, font) from ``top`` (mm) down; returns the y below them."""
        lead = (leading or size * 1.17) / mm
        y = top
        for text, font in lines:
            self.text(x, y + size * ASCENT / mm, text, font, size, align)
            y += lead
        return y

    def text_up(self, x, y, s, font, size):
        """Turned 90 degrees, baseline at x, starting at y (mm), reading upwards."""
        self.rotated.append((X(x), Y(y), s, font, size))

    # replay -----------------------------------------------------------------
    def paint(self, c) -> None:
        for lw, items in self.strokes.items():
            c.setLineWidth(lw)
            p = c.beginPath()
            for kind, a, b, cc, d in items:
                if kind == "l":
                    p.moveTo(a, b)
                    p.lineTo(cc, d)
                else:
                    p.rect(a, b, cc, d)
            c.drawPath(p, stroke=1, fill=0)
        if self.fills:
            p = c.beginPath()
            for x, y, w, h in self.fills:
                p.rect(x, y, w, h)
            c.drawPath(p, stroke=0, fill=1)
        if self.texts:
            t = c.beginText()
            cur = None
            for x, y, s, font, size in self.texts:
                if (font, size) != cur:
                    t.setFont(font, size)
                    cur = (font, size)
                t.setTextOrigin(x, y)
                t.textOut(s)
            c.drawText(t)
        for x, y, s, font, size in self.rotated:
            c.saveState()
            c.translate(x, y)
            c.rotate(90)
            c.setFont(font, size)
            c.drawString(0, 0, s)
            c.restoreState()
        for img, x, y, w, h in self.images:
            c.drawImage(img, x, y, w, h, mask="auto")
        if self.qr:
            from .qr import draw_qr
            for data, x, y_top, size in self.qr:
                draw_qr(c, data, x, y_top, size)
