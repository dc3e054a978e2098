"""QR code as one filled vector path: crisp at any printer resolution and much
faster than an image or reportlab's own widget."""
from __future__ import annotations

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

# Start at version 4-M (62 bytes: an https link with the app's 22-character token and a
# host of up to ~30 characters fits) and pin the mask: choosing the "best" of 8 masks
# costs more than the rest of the code. Fewer modules than 5-M means larger ones in the
# same square: with its quiet zone the code then still reads from a 75 dpi scan.
MIN_VERSION = 4
MASK = 4
QUIET_MODULES = 4    # ISO/IEC 18004 quiet zone, on every side


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    qr = qrcode.QRCode(version=MIN_VERSION, error_correction=ERROR_CORRECT_M,
                       border=0, mask_pattern=MASK)
    qr.add_data(data)
    qr.make(fit=True)   # grows the version only for unusually long links
    return tuple(tuple(row) for row in qr.get_matrix())


@lru_cache(maxsize=256)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """(modules per side, horizontal runs of dark modules as (row, col, length))."""
    matrix = qr_matrix(data)
    runs = []
    for r, row in enumerate(matrix):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return len(matrix), tuple(runs)


def qr_placement(data: str, zone: tuple[float, float, float]) -> tuple[float, float, float, float]:
    """Where the code goes in a square ``zone`` (x0, y0, x1 in mm, top-left origin) that
    includes its quiet zone: (x0, y0, side, module) of the code itself, in mm."""
    zx0, zy0, zx1 = zone
    n = qr_runs(data)[0]
    module = (zx1 - zx0) / (n + 2 * QUIET_MODULES)
    margin = QUIET_MODULES * module
    return zx0 + margin, zy0 + margin, n * module, module


def draw_qr(canvas, data: str, x: float, y_top: float, size: float) -> None:
    """Draw the code with its top-left corner at (x, y_top) in PDF points."""
    n, runs = qr_runs(data)
    m = size / n
    path = canvas.beginPath()
    for r, c, length in runs:
        # a hair of overlap closes the seams some viewers show between rectangles
        path.rect(x + c * m, y_top - (r + 1) * m - 0.01, length * m, m + 0.02)
    canvas.drawPath(path, stroke=0, fill=1)
