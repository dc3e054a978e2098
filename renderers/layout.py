"""Geometry of the IRU 1976 CMR form, in millimetres with the origin top left (as a
ruler on the paper reads); the drawing code converts to PDF points."""
from __future__ import annotations

from dataclasses import dataclass

PAGE_W, PAGE_H = 210.0, 297.0
FRAME = (14.0, 25.0, 196.0, 287.0)          # outer frame x0, y0, x1, y1


@dataclass(frozen=True)
class Box:
    key: str            # "1".."24" or a named block ("title")
    x0: float
    y0: float
    x1: float
    y1: float
    heavy: bool = False  # carrier's boxes are framed with heavy lines
    label: str | None = None  # locale key of the printed label

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0


def _b(key, x0, y0, x1, y1, heavy=False, label="auto"):
    return Box(key, x0, y0, x1, y1, heavy, f"box_{key}" if label == "auto" else label)


# One table for the whole form. Left column 1–5, right column title block and the
# carrier's boxes 16–18; goods band 6–12; then 13/14/21 | 19/20/15; signatures.
BOXES: dict[str, Box] = {b.key: b for b in (
    _b("1", 14, 25, 105, 50),
    _b("2", 14, 50, 105, 75),
    _b("3", 14, 75, 105, 89),
    _b("4", 14, 89, 105, 106),
    _b("5", 14, 106, 105, 127),
    _b("title", 105, 25, 196, 62, label=None),
    _b("16", 105, 62, 196, 87, heavy=True),
    _b("17", 105, 87, 196, 104, heavy=True),
    _b("18", 105, 104, 196, 127, heavy=True),
    _b("6", 14, 127, 36, 180),
    _b("7", 36, 127, 52, 180),
    _b("8", 52, 127, 78, 180),
    _b("9", 78, 127, 127, 180),
    _b("adr", 14, 180, 127, 187, label=None),
    _b("10", 127, 127, 150, 187),
    _b("11", 150, 127, 173, 187),
    _b("12", 173, 127, 196, 187),
    _b("13", 14, 187, 105, 215),
    _b("14", 14, 215, 105, 232),
    _b("21", 14, 232, 105, 252),
    _b("19", 105, 187, 196, 201),
    _b("20", 105, 201, 196, 241),            # the sender's (margin note: 1–15, 19, 20, 22)
    _b("15", 105, 241, 196, 252),
    _b("22", 14, 252, 75, 287),
    _b("23", 75, 252, 136, 287),
    _b("24", 136, 252, 196, 287),
)}

GOODS_COLUMNS = ("6", "7", "8", "9", "10", "11", "12")
# On the IRU form 6–9 are one ruled area: the four headings side by side, no vertical
# rules between them (a long description may run across); 10, 11 and 12 are ruled.
MERGED_GOODS = ("6", "7", "8", "9")
GOODS_BOTTOM = 180.0                      # the ADR line sits below, across 6–9

# Title block: titles on top, big "CMR" under them on the left, the Convention clause
# beside it; QR code at the right with the short link and check code under it.
TITLE_TEXT_X1 = 171.5
# The QR code's square INCLUDING its quiet zone (ISO/IEC 18004: 4 modules of white on
# every side): from the title texts' right edge to the inner edges of the frame line
# (0.9 pt wide at y 25 and x 196). The code is drawn centred in it with a module of
# side / (modules + 8), so the quiet zone holds for any QR version.
QR_ZONE = (171.6, 25.2, 195.8)             # x0, y0, x1 (y1 = y0 + x1 - x0)
CMR_MARK_W = 22.0

# Box 20: label column, then sender | currency | consignee.
CHARGE_ROWS = ("carriage_charges", "deductions", "balance",
               "supplementary_charges", "other_charges", "miscellaneous", "total")
CHARGE_COLS = (105.0, 143.0, 161.0, 175.0, 196.0)
CHARGE_HEADER_H = 7.0
CHARGE_MIN_ROW_H = 3.6

# Top margin: copy name (left) and the document number (right); bottom margin the same.
COPY_NAME_BASELINE = 21.5
NUMBER_BASELINE = 21.5
NUMBER_LABEL_X = 140.0
FOOT_BASELINE = 291.5

# Data-only printing on pre-printed IRU 1976 sets: where the printed form leaves room
# for writing, whatever languages its labels are printed in. One printer calibration
# then fits every set: no data position depends on this app's label texts. The writing
# space of each box starts this many mm below the box's top edge (the printed label
# above it). This app's own labels are fitted into these heights at 6 pt (fewer
# languages, the rest in the legend above the form, when they do not fit: form.py), so
# a data-only print also sits right on the app's own outline in every language set
# (checked in tests/renderers/test_data_only.py and test_six_point_floor.py).
PRINTED_LABEL_H = {"1": 6.0, "2": 6.0, "3": 6.0, "4": 8.0, "5": 4.0, "13": 6.0,
                   "14": 9.2, "15": 4.0, "16": 6.0, "17": 6.0, "18": 6.0, "19": 4.0,
                   "21": 3.5, "adr": 3.0}
PRINTED_GOODS_TOP = 140.2      # below the column heads of 6–12
PRINTED_LINE_21 = 239.4        # baseline of place and date in box 21
PRINTED_ON_21_X = 91.0         # the date, after the printed "on"
PRINTED_NUMBER_X = 158.5       # the document number, top right, after its label
PRINTED_FOOT_NUMBER_X = 35.0   # and bottom left
PRINTED_PLACE_24 = (164.0, 260.6, 195.0)   # x, baseline, x1: after "place" in box 24
PRINTED_ON_24 = (164.0, 264.4, 195.0)
PRINTED_SIGN_AREAS = {"22": (15.0, 255.6, 74.0, 281.4), "23": (76.0, 255.6, 135.0, 281.4),
                      "24": (137.0, 265.8, 195.0, 281.4)}

# Margin notes are printed turned by 90 degrees, reading upwards.
NOTE_SENDER_X = 11.0     # left margin, along boxes 1–15
NOTE_CARRIER_X = 201.5   # right margin, beside the heavy boxes

# Crosshairs of the calibration page: corners an office can find on any IRU blank.
CALIBRATION_POINTS = (
    (14, 25), (105, 25), (196, 25),
    (14, 127), (105, 127), (196, 127),
    (14, 187), (127, 187), (196, 187),
    (14, 287), (196, 287),
)
