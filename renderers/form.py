"""The static part of the form: frames, numbers and labels for one set of label
languages. Computed once per (languages, extra charge rows) and cached; drawn once per
PDF as a form XObject without colour operators, so every copy paints it in its own
colour by setting the colour before ``doForm``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.units import mm

from .layout import (
    PRINTED_FOOT_NUMBER_X, PRINTED_GOODS_TOP, PRINTED_LABEL_H, PRINTED_LINE_21, PRINTED_NUMBER_X,
    PRINTED_ON_21_X, PRINTED_ON_24, PRINTED_PLACE_24, PRINTED_SIGN_AREAS, BOXES, CHARGE_COLS, CHARGE_HEADER_H, CHARGE_MIN_ROW_H, CHARGE_ROWS, CMR_MARK_W,
    FOOT_BASELINE, FRAME, GOODS_BOTTOM, GOODS_COLUMNS, MERGED_GOODS, NOTE_CARRIER_X, NOTE_SENDER_X,
    NUMBER_BASELINE, NUMBER_LABEL_X, QR_ZONE, TITLE_TEXT_X1, Box,
)
from .locales import joined, labels
from .sheet import Sheet
from .typography import LABEL, LABEL_BOLD, LEADING, MIN_SIZE, shrink_to_width, width, wrap

THIN, HEAVY, FRAME_LW = 0.45, 1.6, 0.9     # line widths, points
# Labels are printed at MIN_SIZE, as the values: nothing on the form is smaller. A label
# whose languages do not fit its box at that size first loses its bracketed parts
# ("(name, address, country)"), then is printed in the first language only, its other
# languages listed once in the legend above the form (``_Labels``). A fixed size: no
# float sum in a fitting loop can slip below the floor (5.2 - 3 x 0.3 is
# 4.300000000000001, which once let labels fall to 4.0 pt).
LABEL_SIZE = MIN_SIZE
LABEL_MIN = MIN_SIZE
LABEL_TOP = 1.05      # mm from a box's top edge to its label's first line
LEGEND_X0, LEGEND_X1 = 14.0, 138.0     # mm: the top margin, left of the number's label
LEGEND_TOP, LEGEND_BOTTOM = 4.5, 18.3   # mm: below the printer's unprintable edge, above the copy name
LEGEND_WIDE_BOTTOM = 14.4   # mm: above this the legend may run to the right frame edge (above the number)
NUMBER_SIZE = 7.0
PAD = 1.0             # mm inside a box frame
CHECKBOX = 2.4        # mm, box 14
CLAUSE_X1 = 170.5     # mm: right edge of the Convention clause
SHORT_URL_SIZE = 6.0  # the link under the QR code (data): MIN_SIZE
FINGERPRINT_LABEL = MIN_SIZE
DOTTED_LINE = "……………………"
ON_21_X = 52.0        # mm from box 21's left edge to the printed "on"


@dataclass
class FormLayout:
    sheet: Sheet
    data: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    goods_top: float = 0.0
    charge_rows: list[tuple[str, float, float]] = field(default_factory=list)  # key, y0, y1
    checkboxes: dict[str, tuple[float, float]] = field(default_factory=dict)
    on_value_x: float = 0.0          # box 21: the date follows the printed "on"
    line_21: float = 0.0             # box 21 baseline of place and date
    number_x: float = 0.0            # top margin: the number follows its label
    foot_number_x: float = 0.0
    foot_number_x1: float = 130.0    # the foot number keeps left of this (mm)
    short_url_top: float = 0.0
    short_url_bottom: float = 0.0    # the link keeps above this line (mm)
    fingerprint_x: float = 0.0
    fingerprint_baseline: float = 0.0
    fingerprint_w: float = 0.0       # mm available to "version · check code"
    fingerprint_max_size: float = 6.6
    copy_names: dict[int, tuple[str, float]] = field(default_factory=dict)
    legend_lines: int = 0            # lines of the label legend above the form
    label_overflow: tuple = ()       # labels too long even in the first language alone
    # 22–24: the area a signature may fill (below the box number or the printed lines,
    # above the printed "signature" label), and in 24 where the place and the date go.
    sign_areas: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    place_24: tuple[float, float, float] = (0.0, 0.0, 0.0)    # x, baseline, x1 (mm)
    on_24: tuple[float, float, float] = (0.0, 0.0, 0.0)


_BRACKETS = re.compile(r"\s*\([^()]*\)")


class _Labels:
    """Labels of one language set at LABEL_SIZE, and the legend of those that had to
    be printed in the first language only."""

    def __init__(self, langs: tuple[str, ...]):
        self.langs = langs
        self.legend: list[tuple[str, str, str]] = []     # (anchor, others in full, others short)
        self.overflow: list = []     # keys whose first language alone overflows (none should)

    def _each(self, key: str, langs, short=False) -> list[str]:
        """The label in each of ``langs``, identical wordings once."""
        out: list[str] = []
        for lang in langs:
            text = joined(key, (lang,))
            text = _BRACKETS.sub("", text).strip() if short else text
            if text and text not in out:
                out.append(text)
        return out

    def _text(self, key, langs, short=False, sep=" / ", drop=()) -> str:
        """``key`` in ``langs`` joined by ``sep`` (less the wordings in ``drop``); a
        tuple of keys is one label per key, joined by " · " ("Wersja / Version ·
        Kod kontrolny / Check code")."""
        if isinstance(key, tuple):
            parts = [self._text(k, langs, short, sep, drop) for k in key]
            return " · ".join(p for p in parts if p)
        return sep.join(t for t in self._each(key, langs, short) if t not in drop)

    def fit(self, key, w_mm: float, h_mm: float, *, sep=" / ", anchor: str | None = None,
            lines_max: int | None = None, brackets_optional: bool = True) -> list[str]:
        """The label's lines at LABEL_SIZE within ``w_mm`` x ``h_mm``: every language,
        then without the bracketed parts, then in fewer languages, down to the first
        (the others go to the legend, named by ``anchor``: the box number, else the
        first language's words). The last try is kept even if it overflows (the
        renderer tests check that none does)."""
        limit = w_mm * mm
        n = len(self.langs)
        # (languages printed, bracketed parts dropped): all, then fewer from the end
        tries = [(k, short) for k in range(n, 0, -1)
                 for short in ((False, True) if brackets_optional else (False,))]
        for k, short in tries:
            lines = wrap(self._text(key, self.langs[:k], short, sep), LABEL, LABEL_SIZE, limit)
            if len(lines) * LABEL_SIZE * LEADING / mm <= h_mm + 0.01 and (
                    lines_max is None or len(lines) <= lines_max):
                break
        else:
            self.overflow.append(key)
        if k < n:
            keys = key if isinstance(key, tuple) else (key,)
            printed = {t for kk in keys for t in self._each(kk, self.langs[:k])}
            printed |= {t for kk in keys for t in self._each(kk, self.langs[:k], short)}
            full = self._text(key, self.langs[k:], drop=printed)
            brief = self._text(key, self.langs[k:], brackets_optional, drop=printed)
            if full:
                self.legend.append((anchor or self._text(key, self.langs[:1], True), full, brief))
        return lines


def _label_block(s: Sheet, L: _Labels, box: Box, key: str, *, number: str | None = None,
                 x0=None, x1=None, top=None, max_h=None) -> float:
    """Box number in bold, then the label with a hanging indent; returns its bottom (mm)."""
    number = box.key if number is None else number
    x0 = box.x0 + PAD if x0 is None else x0
    x1 = box.x1 - PAD if x1 is None else x1
    top = box.y0 + 0.7 if top is None else top
    num_w = (width(number, LABEL_BOLD, NUMBER_SIZE) / mm + 0.9) if number else 0.0
    if number:
        s.text(x0, top + NUMBER_SIZE * 0.76 / mm, number, LABEL_BOLD, NUMBER_SIZE)
    max_h = max_h or box.h * 0.45
    lines = L.fit(key, x1 - x0 - num_w, max_h, anchor=number or None)
    bottom = s.lines(x0 + num_w, top + 0.35, [(ln, LABEL) for ln in lines], LABEL_SIZE)
    return max(bottom, top + NUMBER_SIZE * 1.0 / mm)


def _data_rect(box: Box, top: float) -> tuple[float, float, float, float]:
    return (box.x0 + PAD + 0.6, top + 0.3, box.x1 - PAD - 0.6, box.y1 - 0.7)


@lru_cache(maxsize=64)
def form_layout(langs: tuple[str, ...], extra_charge_rows: int = 0,
                versioned: bool = False) -> FormLayout:
    """``versioned``: the check code is printed with its version number, so its label
    names both ("Wersja / Version · Kod kontrolny / Prüfcode / Check code")."""
    s = Sheet()
    f = FormLayout(sheet=s)
    J = lambda key, **kw: joined(key, langs, **kw)  # noqa: E731
    L = _Labels(langs)

    # Frames: thin boxes, then the heavy carrier boxes, then the outer frame.
    for box in BOXES.values():
        if not box.heavy and box.key not in MERGED_GOODS:
            s.rect(box.x0, box.y0, box.x1, box.y1, THIN)
    s.rect(BOXES[MERGED_GOODS[0]].x0, BOXES[MERGED_GOODS[0]].y0,
           BOXES[MERGED_GOODS[-1]].x1, BOXES[MERGED_GOODS[-1]].y1, THIN)
    for box in BOXES.values():
        if box.heavy:
            s.rect(box.x0, box.y0, box.x1, box.y1, HEAVY)
    s.rect(*FRAME, FRAME_LW)

    # Ordinary boxes: number, label, data area below the label.
    simple = ("1", "2", "3", "4", "5", "13", "15", "16", "17", "18", "19")
    for key in simple:
        box = BOXES[key]
        # The label keeps above where a pre-printed set leaves room for writing.
        bottom = _label_block(s, L, box, box.label, max_h=PRINTED_LABEL_H[key] - LABEL_TOP)
        f.data[key] = _data_rect(box, bottom)

    # Goods band: column heads share one height so the rows line up.
    heads = {}
    for key in GOODS_COLUMNS:
        box = BOXES[key]
        heads[key] = _label_block(s, L, box, box.label, max_h=PRINTED_GOODS_TOP - 0.4 - box.y0 - LABEL_TOP)
    f.goods_top = max(heads.values()) + 0.4
    for key in GOODS_COLUMNS:
        box = BOXES[key]
        f.data[key] = (box.x0 + 0.8, f.goods_top, box.x1 - 0.8, GOODS_BOTTOM - 0.4)
    adr = BOXES["adr"]
    adr_text = _adr_heading(langs, (adr.w - 2 * PAD) * mm)
    size = LABEL_SIZE
    s.text(adr.x0 + PAD, adr.y0 + 0.6 + size * 0.8 / mm, adr_text, LABEL, size)
    f.data["adr"] = (adr.x0 + PAD + 0.6, adr.y0 + 0.8 + size * LEADING / mm,
                     adr.x1 - PAD, adr.y1 - 0.4)

    # 14: the two pre-printed choices with tick boxes, free text below them.
    box = BOXES["14"]
    bottom = _label_block(s, L, box, "box_14", max_h=PRINTED_LABEL_H["14"] - LABEL_TOP - CHECKBOX - 1.0)
    half = (box.w - 2 * PAD) / 2
    for i, key in enumerate(("carriage_paid", "carriage_forward")):
        cx = box.x0 + PAD + 0.6 + i * half
        s.rect(cx, bottom + 0.4, cx + CHECKBOX, bottom + 0.4 + CHECKBOX, THIN)
        f.checkboxes[key] = (cx, bottom + 0.4)
        [text, *_] = L.fit(key, half - CHECKBOX - 2, LABEL_SIZE * LEADING / mm, lines_max=1)
        s.text(cx + CHECKBOX + 1, bottom + 0.4 + CHECKBOX * 0.8, text, LABEL, LABEL_SIZE)
    f.data["14"] = _data_rect(box, bottom + CHECKBOX + 0.9)

    # 20: charges grid. Printed rows are fixed; free-text charges get extra rows.
    box = BOXES["20"]
    head_bottom = box.y0 + CHARGE_HEADER_H
    _label_block(s, L, box, "box_20", x1=CHARGE_COLS[1] - PAD, max_h=CHARGE_HEADER_H - 0.8)
    for i, key in enumerate(("charges_sender", "charges_currency", "charges_consignee")):
        x0, x1 = CHARGE_COLS[i + 1], CHARGE_COLS[i + 2]
        lines = L.fit(key, x1 - x0 - 1.2, CHARGE_HEADER_H - 0.8, sep="\n")
        s.lines((x0 + x1) / 2, box.y0 + 0.5, [(ln, LABEL) for ln in lines], LABEL_SIZE, align="center")
    for x in CHARGE_COLS[1:-1]:
        s.line(x, box.y0, x, box.y1, THIN)
    s.line(box.x0, head_bottom, box.x1, head_bottom, THIN)
    row_keys = list(CHARGE_ROWS[:-1]) + [None] * extra_charge_rows + [CHARGE_ROWS[-1]]
    row_h = (box.y1 - head_bottom) / len(row_keys)
    assert row_h >= CHARGE_MIN_ROW_H - 0.01
    y = head_bottom
    for key in row_keys:
        if y > head_bottom:
            s.line(box.x0, y, box.x1, y, THIN)
        if key:
            # 0.5 mm down: accented capitals (Ś, З) keep clear of the row's rule.
            lines = L.fit(key, CHARGE_COLS[1] - CHARGE_COLS[0] - 2 * PAD, row_h - 0.6)
            s.lines(box.x0 + PAD, y + 0.5, [(ln, LABEL) for ln in lines], LABEL_SIZE)
        f.charge_rows.append((key or "", y, y + row_h))
        y += row_h

    # 21: "Established in … on …"
    box = BOXES["21"]
    bottom = _label_block(s, L, box, "box_21", max_h=PRINTED_LINE_21 - 4.0 - box.y0 - LABEL_TOP + 0.15)
    f.line_21 = bottom + 4.0
    on = J("on")
    on_x = box.x0 + ON_21_X
    s.text(on_x, f.line_21, on, LABEL, LABEL_SIZE + 0.6)
    f.on_value_x = on_x + width(on, LABEL, LABEL_SIZE + 0.6) / mm + 1.5
    f.data["21"] = (box.x0 + PAD + 0.6, bottom, on_x - 1.5, box.y1 - 0.7)

    # 22–24: signature boxes; what is signed is printed at the foot of each.
    for key in ("22", "23", "24"):
        box = BOXES[key]
        sig_key = "box_24_signature" if key == "24" else f"box_{key}"
        if key == "24":
            bottom = _label_block(s, L, box, "box_24", max_h=PRINTED_PLACE_24[1] - 3.2 - box.y0 - LABEL_TOP)
            size = LABEL_SIZE + 0.4
            for attr, word, baseline in (("place_24", J("place"), bottom + 3.2), ("on_24", J("on"), bottom + 7.0)):
                # The word, then its dotted line as a separate text: the line is where the
                # place and the date are written (by hand, or printed by the e-CMR).
                s.text(box.x0 + PAD, baseline, word, LABEL, size)
                x = box.x0 + PAD + width(word + " ", LABEL, size) / mm
                s.text(x, baseline, DOTTED_LINE, LABEL, size)
                setattr(f, attr, (x, baseline, box.x1 - PAD))
            area_top = bottom + 7.0 + 1.4
        else:
            s.text(box.x0 + PAD, box.y0 + 0.7 + NUMBER_SIZE * 0.76 / mm, key, LABEL_BOLD, NUMBER_SIZE)
            area_top = box.y0 + 0.7 + NUMBER_SIZE * 1.0 / mm + 0.4   # below the box number
        lines = L.fit(sig_key, box.w - 2 * PAD, 3 * LABEL_SIZE * LEADING / mm, anchor=key)
        top = box.y1 - 0.8 - len(lines) * LABEL_SIZE * LEADING / mm
        s.lines((box.x0 + box.x1) / 2, top, [(ln, LABEL) for ln in lines], LABEL_SIZE, align="center")
        f.sign_areas[key] = (box.x0 + PAD, area_top, box.x1 - PAD, top - 0.5)

    _title_block(s, L, f, langs, versioned)
    _margins(s, f, langs)
    f.legend_lines = _legend(s, L)
    f.label_overflow = tuple(L.overflow)
    return f


@lru_cache(maxsize=1)
def data_only_layout() -> FormLayout:
    """Where the values go on a pre-printed IRU 1976 set: from the printed form's
    geometry (``layout.PRINTED_*``), the same for every choice of label languages. The
    sheet stays empty: the form is already on the paper."""
    f = FormLayout(sheet=Sheet())
    for key, label_h in PRINTED_LABEL_H.items():
        box = BOXES[key]
        f.data[key] = _data_rect(box, box.y0 + label_h)
    x0, y0, x1, y1 = f.data["adr"]
    f.data["adr"] = (x0, y0, BOXES["adr"].x1 - PAD, BOXES["adr"].y1 - 0.4)
    f.goods_top = PRINTED_GOODS_TOP
    for key in GOODS_COLUMNS:
        box = BOXES[key]
        f.data[key] = (box.x0 + 0.8, f.goods_top, box.x1 - 0.8, GOODS_BOTTOM - 0.4)
    # Box 14: the payment instruction is printed in words in the writing space under
    # the printed choices (see content.py), never as a tick at a guessed position.
    x0, y0, x1, y1 = f.data["21"]
    f.line_21 = PRINTED_LINE_21
    f.on_value_x = PRINTED_ON_21_X
    f.data["21"] = (x0, y0, BOXES["21"].x0 + ON_21_X - 1.5, y1)
    f.number_x, f.foot_number_x = PRINTED_NUMBER_X, PRINTED_FOOT_NUMBER_X
    f.place_24, f.on_24 = PRINTED_PLACE_24, PRINTED_ON_24
    f.sign_areas = dict(PRINTED_SIGN_AREAS)
    # Box 20: the printed form's seven rows, at the box's geometry only (not its
    # labels). A pre-printed set has no free rows: a free-text charge continues on the
    # annex (content.py).
    f.charge_rows = list(form_layout(("en",), 0).charge_rows)
    return f


def _adr_heading(langs, limit_pt: float) -> str:
    """"ADR: UN number proper shipping name, class, packing group, (tunnel code)", the
    order of ADR 5.4.1.1.1, in every label language when that fits on the line, else
    in the first one (the order is what the heading teaches, not the words)."""
    def phrase(lang):
        d = labels(lang)
        return (f"{d['adr_un_number']} {d['adr_proper_shipping_name']}, {d['adr_class']}, "
                f"{d['adr_packing_group']}, ({d['adr_tunnel_code']})")
    head = joined("adr", langs) + ": "
    text = head + " / ".join(phrase(lang) for lang in langs)
    if width(text, LABEL, LABEL_SIZE) <= limit_pt:
        return text
    return head + phrase(langs[0])


def _title_block(s: Sheet, L: _Labels, f: FormLayout, langs, versioned: bool) -> None:
    box = BOXES["title"]
    x0, x1 = box.x0 + PAD + 0.5, TITLE_TEXT_X1
    y = box.y0 + 1.2
    for lang in langs:                     # one line per language, as printed forms do
        title = joined("title", (lang,))
        size = shrink_to_width(title, LABEL_BOLD, 7.4, (x1 - x0) * mm, floor=MIN_SIZE)
        s.text(x0, y + size * 0.8 / mm, title, LABEL_BOLD, size)
        y += 7.4 * 1.2 / mm
    top = y + 0.8
    s.text(x0 - 0.3, top + 8.4, "CMR", LABEL_BOLD, 25)
    s.text(x0, top + 11.8, "IRU 1976", LABEL_BOLD, 6.5)
    clause_x = x0 + CMR_MARK_W
    # The clause stops short of the text under the QR code (check code label, link).
    lines = L.fit("clause", CLAUSE_X1 - clause_x, box.y1 - top - 0.8, sep="\n", anchor="CMR",
                  brackets_optional=False)      # "(CMR)" names the Convention
    s.lines(clause_x, top, [(ln, LABEL) for ln in lines], LABEL_SIZE)

    # Under the QR code's quiet zone: the short link (data, two lines at most), then the
    # check code's label (one line) and the code itself (data) on the box's last line.
    zx0, zy0, zx1 = QR_ZONE
    f.short_url_top = zy0 + (zx1 - zx0) + 0.2
    f.short_url_bottom = f.short_url_top + 2 * SHORT_URL_SIZE * LEADING / mm
    f.fingerprint_x = zx0 + 0.2
    f.fingerprint_w = box.x1 - PAD + 0.5 - f.fingerprint_x
    f.fingerprint_baseline = box.y1 - 0.9
    # The label on one line above the code: in every language where that fits, else
    # in the first (the others in the legend).
    # "Version · check code" may take two lines in the first language alone.
    size = FINGERPRINT_LABEL
    key = ("version", "fingerprint") if versioned else "fingerprint"
    n_max = len(wrap(L._text(key, langs[:1], True), LABEL, size, f.fingerprint_w * mm))
    lines = L.fit(key, f.fingerprint_w, n_max * size * LEADING / mm, lines_max=n_max)
    lead = size * LEADING / mm
    last_baseline = f.fingerprint_baseline - 2.5
    for i, line in enumerate(lines):
        s.text(f.fingerprint_x, last_baseline - (len(lines) - 1 - i) * lead, line, LABEL, size)


def _margins(s: Sheet, f: FormLayout, langs) -> None:
    # Document number: top right (label printed, value is data) and bottom left.
    label = joined("number", langs)
    s.text(NUMBER_LABEL_X, NUMBER_BASELINE, label, LABEL, 7.5)
    f.number_x = NUMBER_LABEL_X + width(label, LABEL, 7.5) / mm + 1.5
    s.text(FRAME[0], FOOT_BASELINE, "CMR " + label, LABEL, 6.5)
    f.foot_number_x = FRAME[0] + width("CMR " + label, LABEL, 6.5) / mm + 1.2
    s.text(FRAME[2], FOOT_BASELINE, joined("model", langs), LABEL, LABEL_SIZE, align="right")
    # The foot number runs up to the model line: one line even for 80 characters (a
    # second line would fall into the printer's unprintable edge).
    f.foot_number_x1 = max(130.0, FRAME[2] - width(joined("model", langs), LABEL, LABEL_SIZE) / mm - 3.0)

    # Copy names, printed per copy in the copy's colour (top left).
    for n in (1, 2, 3, 4):
        text = f"{n} — " + joined(f"copy_{n}", langs)
        size = shrink_to_width(text, LABEL_BOLD, 9.0, (NUMBER_LABEL_X - FRAME[0] - 4) * mm, floor=MIN_SIZE)
        f.copy_names[n] = (text, size)

    # Margin notes, turned, centred along the frame.
    length = (FRAME[3] - FRAME[1]) * mm
    for key, x in (("note_sender", NOTE_SENDER_X), ("note_carrier", NOTE_CARRIER_X)):
        text = joined(key, langs, sep="  /  ")
        size = shrink_to_width(text, LABEL, 6.5, length - 4 * mm, floor=MIN_SIZE)
        w = width(text, LABEL, size) / mm
        s.text_up(x, (FRAME[1] + FRAME[3]) / 2 + w / 2, text, LABEL, size)


def _legend(s: Sheet, L: _Labels) -> int:
    """Above the form: the labels printed in fewer languages than chosen, each with its
    other languages, once ("RU / DE — 16: Перевозчик / Frachtführer · …"). Its first
    lines run across the page, above the document number (which wraps upwards to three
    lines at most, 80 characters); the last one stops left of the number's label.
    Without the bracketed parts if the full wording does not fit. Returns its lines."""
    if not L.legend:
        return 0
    head = " / ".join(lang.upper() for lang in L.langs[1:]) + " — "
    lead = LABEL_SIZE * LEADING / mm
    room = int((LEGEND_BOTTOM - LEGEND_TOP) / lead)
    widths = [(FRAME[2] - LEGEND_X0) * mm if LEGEND_TOP + (i + 1) * lead <= LEGEND_WIDE_BOTTOM
              else (LEGEND_X1 - LEGEND_X0) * mm for i in range(room)]
    for i in (1, 2):
        text = head + " · ".join(f"{anchor}: {others[i - 1]}" for anchor, *others in L.legend)
        lines = _wrap_widths(text, widths)
        if len(lines) <= room:
            break
    s.lines(LEGEND_X0, LEGEND_TOP, [(ln, LABEL) for ln in lines], LABEL_SIZE)
    return len(lines)


def _wrap_widths(text: str, widths: list[float]) -> list[str]:
    """Greedy word wrap where line i may be ``widths[i]`` points wide (the last width
    holds for any further line)."""
    lines, line = [], ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        limit = widths[min(len(lines), len(widths) - 1)]
        if line and width(trial, LABEL, LABEL_SIZE) > limit:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines
