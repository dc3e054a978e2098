"""Where things are drawn, in form millimetres (origin top left), read back from the
renderer's display lists: the boxes a reader sees, to measure gaps and overlaps."""
from reportlab.lib.units import mm

from renderers.layout import PAGE_H
from renderers.typography import width

CAP = 0.76       # DejaVu: capital and ascender height, in font sizes
ACCENT = 0.93    # with accents on capitals
DESCENT = 0.24


def ascent_of(s: str) -> float:
    """Accented capitals (É, Ü, Й) reach higher than plain letters and digits."""
    return ACCENT if any(c.isupper() and not c.isascii() for c in s) else CAP


def text_boxes(sheet):
    """(x0, top, x1, bottom, text, size) of every horizontal text of a Sheet."""
    out = []
    for x, y, s, font, size in sheet.texts:
        out.append((x / mm, PAGE_H - (y + ascent_of(s) * size) / mm, (x + width(s, font, size)) / mm,
                    PAGE_H - (y - DESCENT * size) / mm, s, size))
    return out


def stroke_boxes(sheet):
    """Every stroked line or rectangle edge as the area its ink covers (x0, y0, x1, y1)."""
    out = []
    for lw, items in sheet.strokes.items():
        half = lw / 2 / mm
        for kind, a, b, c, d in items:
            if kind == "l":
                segs = [(a, b, c, d)]
            else:        # rect: x, y (bottom, PDF), w, h
                segs = [(a, b, a + c, b), (a, b + d, a + c, b + d), (a, b, a, b + d), (a + c, b, a + c, b + d)]
            for x0, y0, x1, y1 in segs:
                xa, xb = sorted((x0 / mm, x1 / mm))
                ya, yb = sorted((PAGE_H - y0 / mm, PAGE_H - y1 / mm))
                out.append((xa - half, ya - half, xb + half, yb + half))
    return out


def image_boxes(sheet):
    return [(x / mm, PAGE_H - (y + h) / mm, (x + w) / mm, PAGE_H - y / mm) for _, x, y, w, h in sheet.images]


def qr_box(sheet):
    """(x0, y0, x1, y1) of the QR code drawn on a Sheet, and its module size, in mm."""
    from renderers.qr import qr_runs
    [(data, x, y_top, size)] = sheet.qr
    n = qr_runs(data)[0]
    x0, y0 = x / mm, PAGE_H - y_top / mm
    return (x0, y0, x0 + size / mm, y0 + size / mm), size / mm / n


def gap(a, b) -> float:
    """Distance between two axis-aligned boxes; negative or zero when they touch."""
    dx = max(b[0] - a[2], a[0] - b[2])
    dy = max(b[1] - a[3], a[1] - b[3])
    if dx <= 0 and dy <= 0:
        return max(dx, dy)
    return (max(dx, 0) ** 2 + max(dy, 0) ** 2) ** 0.5
