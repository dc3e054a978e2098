"""Fonts, measuring and fitting text into boxes.

Only embedded DejaVu TrueType faces are used: base-14 PDF fonts cannot print Polish,
Baltic, Romanian, Turkish or Cyrillic letters. reportlab subsets TTFonts on save.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Two faces of the DejaVu Sans family, condensed: trilingual labels fit their boxes at a
# readable size, and two embedded subsets keep a 4-copy PDF near 40 KB (the regular-width
# pair gives ~54 KB, four faces ~82 KB). The roles below let a face change in one place.
REGULAR = "DejaVuSansCondensed"
BOLD = "DejaVuSansCondensed-Bold"
DATA = LABEL = REGULAR            # values filled in; printed labels
DATA_BOLD = LABEL_BOLD = BOLD     # party names, numbers; box numbers, titles
MONO = "DejaVuSansMono"           # the record page's hashes: columns of hex line up

_FILES = {
    REGULAR: "DejaVuSansCondensed.ttf",
    BOLD: "DejaVuSansCondensed-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",    # embedded (subset) only when a record page is printed
}
FONT_FILES = {name: FONT_DIR / fn for name, fn in _FILES.items()}

MIN_SIZE = 6.0      # no value is printed smaller: what does not fit continues on an annex
LEADING = 1.17      # line height as a multiple of the font size
ASCENT = 0.80       # baseline sits this many font sizes below a line's top (DejaVu)

_registered = False


def register_fonts() -> None:
    """Parse the TTF files once per process (the costly part of a first render)."""
    global _registered
    if _registered:
        return
    for name, path in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    _registered = True


@lru_cache(maxsize=65536)
def unit_width(text: str, font: str) -> float:
    """Width of ``text`` at 1 pt; widths scale linearly, so each word is measured once."""
    return pdfmetrics.stringWidth(text, font, 1.0)


def width(text: str, font: str, size: float) -> float:
    return unit_width(text, font) * size


def _break_word(word: str, font: str, size: float, limit: float) -> list[str]:
    """Split a word wider than the box (URLs, long references) between characters."""
    pieces, cur = [], ""
    for ch in word:
        if cur and width(cur + ch, font, size) > limit:
            pieces.append(cur)
            cur = ch
        else:
            cur += ch
    pieces.append(cur)
    return pieces


# Where a line may break: any white space except the no-break spaces, which hold a vehicle
# plate ("PO 12345") or a number and its unit together.
NBSP = "\u00a0"
_BREAKS = re.compile(r"[^\S\u00a0\u202f]+")


def wrap(text: str, font: str, size: float, limit: float) -> list[str]:
    """Greedy word wrap; explicit newlines are kept, no-break spaces never break."""
    lines: list[str] = []
    space = unit_width(" ", font) * size
    for para in str(text).split("\n"):
        line, lw = "", 0.0
        for word in _BREAKS.split(para):
            if not word:
                continue
            ww = unit_width(word, font) * size
            if ww > limit:
                if line:
                    lines.append(line)
                *head, line = _break_word(word, font, size, limit)
                lines.extend(head)
                lw = width(line, font, size)
            elif not line:
                line, lw = word, ww
            elif lw + space + ww <= limit:
                line, lw = f"{line} {word}", lw + space + ww
            else:
                lines.append(line)
                line, lw = word, ww
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


@dataclass
class Fitted:
    size: float
    lines: list[tuple[str, str]]   # (text, font)
    complete: bool                 # False: the value continues on an annex page

    @property
    def leading(self) -> float:
        return self.size * LEADING


DATA_SIZES = (8.0, 7.5, 7.0, 6.5, MIN_SIZE)


def fit(paragraphs: list[tuple[str, str]], w: float, h: float,
        sizes: tuple[float, ...] = DATA_SIZES) -> Fitted:
    """Largest size at which every paragraph fits ``w`` x ``h`` points.

    If even the smallest size overflows, the lines that fit are returned with one
    line kept free for the annex reference, and ``complete`` is False.
    """
    lines: list[tuple[str, str]] = []
    for size in sizes:
        lines = [(ln, font) for text, font in paragraphs if text
                 for ln in wrap(text, font, size, w)]
        if len(lines) * size * LEADING <= h + 0.01:
            return Fitted(size, lines, True)
    size = sizes[-1]
    room = max(int((h + 0.01) // (size * LEADING)) - 1, 0)
    return Fitted(size, lines[:room], False)


def shrink_to_width(text: str, font: str, size: float, limit: float,
                    floor: float = 3.5) -> float:
    """Font size at which a single line fits (for printed labels and one-liners)."""
    wd = width(text, font, size)
    if wd <= limit:
        return size
    return max(floor, size * limit / wd)
