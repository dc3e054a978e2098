"""The filled-in values: turns a document dict into a display list (black), plus the
sections that did not fit and continue on annex pages."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reportlab.lib.units import mm

from .charges import completed
from .esign import (
    RESERVATION_SIZES_24, draw_signature, fit_reservations, reservation_lines, reservations_of,
    sign_area_24, signatures_of,
)
from .form import CHECKBOX, SHORT_URL_SIZE, FormLayout
from .layout import BOXES, CHARGE_COLS, GOODS_COLUMNS, NUMBER_BASELINE, FOOT_BASELINE, QR_ZONE
from .locales import charge_row_aliases, joined
from .qr import qr_placement
from .sheet import Sheet
from .typography import (
    DATA, DATA_BOLD, LEADING, MIN_SIZE, NBSP, fit, shrink_to_width, width, wrap,
)

GOODS_SIZES = (7.0, 6.5, MIN_SIZE)
RIGHT_ALIGNED = {"7", "11", "12"}
INDEX_W = 3.2    # mm kept for line numbers in column 6 when there are several lines
PAYMENT_CHOICES = ("carriage_paid", "carriage_forward")   # the printed choices of box 14
ANNEX_LINE_SIZE = 7.0   # box 5: "Number of annexes: N", on a line kept free at its foot


# --- plain value helpers: any key may be missing, None or of an unexpected type ----
def txt(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def get(d, *path):
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def fmt_date(value) -> str:
    s = txt(value)
    try:
        return dt.date.fromisoformat(s[:10]).strftime("%d.%m.%Y") + s[10:].replace("T", " ")
    except ValueError:
        return s


def decimal(value) -> Decimal | None:
    try:
        return Decimal(txt(value).replace(",", ".").replace(" ", "")) if txt(value) else None
    except InvalidOperation:
        return None


def join_nonempty(parts, sep=", ") -> str:
    return sep.join(p for p in (txt(x) for x in parts) if p)


def party_paragraphs(p, langs, extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    p = p if isinstance(p, dict) else {}
    paras = [(txt(p.get("name")), DATA_BOLD), (txt(p.get("address")), DATA),
             (join_nonempty([join_nonempty([p.get("postal_code"), p.get("city")], " "),
                             p.get("country")]), DATA)]
    if txt(p.get("tax_id")):
        paras.append((f"{joined('tax_id', langs, sep='/')}: {txt(p.get('tax_id'))}", DATA))
    contact = join_nonempty([p.get("phone"), p.get("email")], " · ")
    if contact:
        paras.append((contact, DATA))
    return [x for x in paras if x[0]] + list(extra)


def goods_cells(g: dict) -> dict[str, str]:
    g = g if isinstance(g, dict) else {}
    return {"6": txt(g.get("marks")), "7": txt(g.get("packages")), "8": txt(g.get("packing")),
            "9": txt(g.get("nature")), "10": txt(g.get("statistical_number")),
            "11": txt(g.get("gross_weight_kg")), "12": txt(g.get("volume_m3"))}


def adr_text(g: dict, langs=("en",)) -> str:
    """The dangerous-goods description in ADR 5.4.1.1.1's order: "UN 1263 PAINT, 3, II,
    (D/E)" (UN number and proper shipping name, class, packing group, tunnel
    restriction code in brackets), then "ENVIRONMENTALLY HAZARDOUS" (5.4.1.1.18)."""
    a = g.get("adr") if isinstance(g, dict) else None
    if not isinstance(a, dict):
        return ""
    un = txt(a.get("un_number"))
    head = join_nonempty([f"UN {un}" if un else "", a.get("proper_shipping_name")], " ")
    tunnel = txt(a.get("tunnel_code"))
    parts = [head, a.get("class"), a.get("packing_group"), f"({tunnel})" if tunnel else ""]
    if a.get("environmentally_hazardous") is True:
        parts.append(joined("adr_environmentally_hazardous", tuple(langs)))
    return join_nonempty(parts)


_PLATE_SEPARATOR = re.compile(r"\s*([/,;])\s*")


def plates_text(vehicle: str) -> str:
    """Vehicle plates ("PO 12345 / PO 6789A", tractor and trailer) with no-break spaces
    inside each plate and after the separator only a normal space: a line may break
    between two plates, never inside one (a split plate reads as two vehicles)."""
    if not vehicle:
        return ""
    parts = _PLATE_SEPARATOR.split(vehicle)
    out = []
    for i, part in enumerate(parts):
        if i % 2:                        # a separator: glued to the plate before it
            out.append((NBSP + "/ ") if part == "/" else part + " ")
        else:
            out.append(NBSP.join(part.split()))
    return "".join(out).strip()


# --- what goes to the annex --------------------------------------------------------
@dataclass
class TextSection:
    key: str                                 # box number
    paragraphs: list[tuple[str, str]]
    page: int = 0                            # annex page it starts on, set by pagination


@dataclass
class GoodsSection:
    first: int                               # index of the first line not printed
    rows: list[tuple[int, dict[str, str], str]]   # (line number, cells, adr)
    key: str = "6"
    page: int = 0


@dataclass
class Content:
    sheet: Sheet                  # everything on the form page (no QR/number in blank mode)
    annex: list = field(default_factory=list)
    refs: list = field(default_factory=list)   # (section, x, baseline, size[, x1]) to write later
    annex_line: tuple | None = None   # box 5: (x, baseline, size, x1) for the annex count


def build_content(doc: dict, langs, form: FormLayout, fp: str, *, logo=None,
                  with_qr: bool = True, with_record: bool = False) -> Content:
    """``with_record``: an electronic record page follows the copies, so reservations
    that do not fit boxes 18 and 24 may point to it. For a pre-printed form ``form`` is
    ``form.data_only_layout()`` (it has no tick boxes: box 14's choice goes in words)."""
    s = Sheet()
    c = Content(sheet=s)
    doc = doc if isinstance(doc, dict) else {}

    def box_text(key, paragraphs, rect=None):
        x0, y0, x1, y1 = rect or form.data[key]
        fitted = fit(paragraphs, (x1 - x0) * mm, (y1 - y0) * mm)
        bottom = s.lines(x0, y0, fitted.lines, fitted.size)
        if not fitted.complete:
            section = TextSection(key, paragraphs)
            c.annex.append(section)
            c.refs.append((section, x0, bottom + fitted.size * 0.8 / mm, fitted.size))
        return fitted

    # Number: top right and bottom left.
    number = txt(doc.get("number"))
    if number:
        _number(s, number, form)

    # 1: sender, with the company logo at the right when given.
    rect = form.data["1"]
    if logo is not None:
        x0, y0, x1, y1 = rect
        lw, lh = _logo_size(logo, max_w=26.0, max_h=min(13.0, y1 - y0))
        s.images.append((logo, (x1 - lw) * mm, (297 - y0 - lh) * mm, lw * mm, lh * mm))
        rect = (x0, y0, x1 - lw - 1.5, y1)
    box_text("1", party_paragraphs(doc.get("sender"), langs), rect)
    box_text("2", party_paragraphs(doc.get("consignee"), langs))
    pod = doc.get("place_of_delivery") or {}
    box_text("3", [(txt(get(pod, "address")), DATA),
                   (join_nonempty([get(pod, "city"), get(pod, "country")]), DATA_BOLD)])
    to = doc.get("taking_over") or {}
    box_text("4", [(join_nonempty([get(to, "city"), get(to, "country")]), DATA_BOLD),
                   (fmt_date(get(to, "date")), DATA)])
    annex_before_5 = len(c.annex)     # box 5 is filled last: it names the annex
    box_text("13", [(txt(doc.get("sender_instructions")), DATA)])
    carrier = doc.get("carrier") or {}
    vehicle = plates_text(txt(get(carrier, "vehicle_registration")))
    extra = [(f"{joined('vehicle', langs)}: {vehicle}", DATA_BOLD)] if vehicle else []
    box_text("16", party_paragraphs(carrier, langs, extra))
    box_text("17", [(txt(doc.get("successive_carriers")), DATA)])
    carrier_res = reservation_lines(reservations_of(doc, "carrier"), langs)
    own = txt(doc.get("carrier_reservations"))
    if not carrier_res or not fit_reservations(s, form.data["18"], own, carrier_res, langs,
                                               record=with_record):
        box_text("18", [(own, DATA)] + [(t, DATA) for t in carrier_res])
    box_text("19", [(txt(doc.get("special_agreements")), DATA)])

    # 14: tick a printed choice, or print the free text. On a pre-printed set the
    # choice is printed in words under the printed choices: where a national print puts
    # its tick boxes (if it has any) varies, a word is read right wherever it falls.
    payment = txt(doc.get("payment_instructions"))
    if payment in form.checkboxes:
        cx, cy = form.checkboxes[payment]
        s.text(cx + CHECKBOX / 2, cy + CHECKBOX * 0.86, "X", DATA_BOLD, 8, align="center")
    elif payment in PAYMENT_CHOICES:
        box_text("14", [("☒ " + joined(payment, langs), DATA_BOLD)])
    elif payment:
        box_text("14", [(payment, DATA)])

    # 15: cash on delivery (an amount of zero is no cash on delivery)
    cod = doc.get("cash_on_delivery") or {}
    amount = decimal(get(cod, "amount"))
    if txt(get(cod, "amount")) and amount != 0:
        box_text("15", [(join_nonempty([get(cod, "amount"), get(cod, "currency")], " "), DATA_BOLD)])

    # 21: established in … on …
    est = doc.get("established") or {}
    place = txt(get(est, "place"))
    if place:
        size = shrink_to_width(place, DATA, 8, (form.data["21"][2] - form.data["21"][0]) * mm, MIN_SIZE)
        if width(place, DATA, size) > (form.data["21"][2] - form.data["21"][0]) * mm:
            box_text("21", [(place, DATA)], (form.data["21"][0], form.line_21 - 2.6,
                                               form.data["21"][2], form.data["21"][3]))
        else:
            s.text(form.data["21"][0], form.line_21, place, DATA, size)
    if txt(get(est, "date")):
        date = fmt_date(get(est, "date"))
        size = shrink_to_width(date, DATA, 8, (BOXES["21"].x1 - 1.0 - form.on_value_x) * mm, MIN_SIZE)
        s.text(form.on_value_x, form.line_21, date, DATA, size)

    _goods(doc, langs, form, c)
    _signatures(doc, langs, form, c, box_text, with_record)
    _charges(doc, langs, form, c)
    _documents_attached(doc, form, c, box_text, annex_before_5)

    # QR, short link, check code (the title block of every copy)
    if with_qr:
        url = txt(doc.get("public_url"))
        if url:
            x, y, side, _ = qr_placement(url, QR_ZONE)
            s.qr.append((url, x * mm, (297 - y) * mm, side * mm))
        short = txt(doc.get("short_url"))
        if short:
            _short_url(s, short, form)
        code = check_code_text(fp, version_of(doc))
        # Bold if it fits at MIN_SIZE or larger, else the narrower regular face (a
        # five-digit version number): never smaller than MIN_SIZE.
        font = DATA_BOLD if width(code, DATA_BOLD, MIN_SIZE) <= form.fingerprint_w * mm else DATA
        size = shrink_to_width(code, font, form.fingerprint_max_size, form.fingerprint_w * mm,
                               floor=MIN_SIZE)
        s.text(form.fingerprint_x, form.fingerprint_baseline, code, font, size)
    return c


def _documents_attached(doc, form: FormLayout, c: Content, box_text, index: int) -> None:
    """Box 5, after every other box: when anything continues on annex pages, its last
    line is kept for "Number of annexes: N" (written once the annex is paginated), so
    the officer who reads box 5 knows the pages belong to the note."""
    paragraphs = [(txt(doc.get("documents_attached")), DATA)]
    x0, y0, x1, y1 = form.data["5"]
    if not c.annex and fit(paragraphs, (x1 - x0) * mm, (y1 - y0) * mm).complete:
        box_text("5", paragraphs)
        return
    line_h = ANNEX_LINE_SIZE * LEADING / mm
    before = len(c.annex)
    if paragraphs[0][0]:
        box_text("5", paragraphs, (x0, y0, x1, y1 - line_h))
    if len(c.annex) > before:          # box 5's own overflow, in box order on the annex
        c.annex.insert(index, c.annex.pop())
    c.annex_line = (x0, y1 - line_h + ANNEX_LINE_SIZE * 0.8 / mm + 0.2, ANNEX_LINE_SIZE, x1)


def _number(s: Sheet, number: str, form: FormLayout) -> None:
    """The document number, top right after its label and bottom left. A long one is
    set smaller down to MIN_SIZE, then continues upwards on a second line in the top
    margin: never below the size an officer can read, never cut."""
    limit = (196 - form.number_x) * mm
    size = shrink_to_width(number, DATA_BOLD, 12, limit, floor=MIN_SIZE)
    lines = wrap(number, DATA_BOLD, size, limit)
    for i, line in enumerate(lines):
        s.text(form.number_x, NUMBER_BASELINE - (len(lines) - 1 - i) * size * LEADING / mm,
               line, DATA_BOLD, size)
    limit = (form.foot_number_x1 - form.foot_number_x) * mm
    size = shrink_to_width(number, DATA_BOLD, 6.5, limit, floor=MIN_SIZE)
    lines = wrap(number, DATA_BOLD, size, limit)
    for i, line in enumerate(lines):
        s.text(form.foot_number_x, FOOT_BASELINE + i * size * LEADING / mm, line, DATA_BOLD, size)


def _signatures(doc, langs, form: FormLayout, c: Content, box_text, with_record: bool) -> None:
    """Boxes 22–24: each signature in its box; the consignee's reservations in box 24
    beside its signature."""
    sigs = signatures_of(doc)
    consignee_res = reservation_lines(reservations_of(doc, "consignee"), langs)
    res_rect, sig_rect = sign_area_24(form, bool(consignee_res))
    if consignee_res and not fit_reservations(c.sheet, res_rect, "", consignee_res, langs,
                                              record=with_record, sizes=RESERVATION_SIZES_24):
        box_text("24", [(t, DATA) for t in consignee_res], res_rect)
    for role, sig in sigs.items():
        draw_signature(c.sheet, form, role, sig, sig_rect if role == "consignee" else None)


def version_of(doc: dict) -> int | None:
    """The document's version number (a positive whole number), or None: not given."""
    v = doc.get("version") if isinstance(doc, dict) else None
    if isinstance(v, bool):
        return None
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v)
    return v if isinstance(v, int) and v > 0 else None


def check_code_text(fp: str, version: int | None) -> str:
    """What a border officer compares with the online page: "2 · 0391cbd04495"."""
    return f"{version} · {fp}" if version else fp


def _short_url(s: Sheet, short: str, form: FormLayout) -> None:
    """The link in two lines under the QR code; a long one is set smaller, never cut."""
    limit = form.fingerprint_w * mm
    size = SHORT_URL_SIZE
    lines = wrap(short, DATA, size, limit)
    while len(lines) > 2 and size > MIN_SIZE:
        size = max(MIN_SIZE, size - 0.25)
        lines = wrap(short, DATA, size, limit)
    room = (form.short_url_bottom - form.short_url_top) * mm
    s.lines(form.fingerprint_x, form.short_url_top, [(ln, DATA) for ln in lines], size,
            leading=min(size * 1.1, room / len(lines)))


def _logo_size(logo, max_w, max_h):
    iw, ih = logo.getSize()
    scale = min(max_w / iw, max_h / ih)
    return iw * scale, ih * scale


def _goods(doc, langs, form: FormLayout, c: Content) -> None:
    s = c.sheet
    goods = [g for g in (doc.get("goods") or []) if isinstance(g, dict)]
    if not goods:
        return
    numbered = len(goods) > 1
    cols = {k: form.data[k] for k in GOODS_COLUMNS}
    top, bottom = form.goods_top, cols["6"][3]
    height = (bottom - top) * mm
    rows = [(i + 1, goods_cells(g), adr_text(g, langs)) for i, g in enumerate(goods)]

    def col_w(key):
        x0, _, x1, _ = cols[key]
        return (x1 - x0 - (INDEX_W if key == "6" and numbered else 0)) * mm

    def layout(size):
        out = []
        for _, cells, _ in rows:
            wrapped = {k: wrap(v, DATA, size, col_w(k)) if v else [] for k, v in cells.items()}
            n = max(1, max(len(v) for v in wrapped.values()))
            out.append((wrapped, n * size * LEADING))
        return out

    totals_h = lambda size: size * LEADING * 1.25 if numbered else 0.0  # noqa: E731
    for size in GOODS_SIZES:
        laid = layout(size)
        if sum(h for _, h in laid) + totals_h(size) <= height + 0.01:
            shown = len(laid)
            break
    else:
        used, shown = totals_h(size) + size * LEADING, 0   # keep a line for the reference
        for _, h in laid:
            if used + h > height + 0.01:
                break
            used += h
            shown += 1

    y = top
    for (idx, cells, _), (wrapped, h) in zip(rows[:shown], laid[:shown]):
        if numbered:
            s.text(cols["6"][0], y + size * 0.8 / mm, f"{idx}", DATA, MIN_SIZE)
        for key, lines in wrapped.items():
            x0, _, x1, _ = cols[key]
            if key == "6" and numbered:
                x0 += INDEX_W
            if key in RIGHT_ALIGNED:
                s.lines(x1, y, [(ln, DATA) for ln in lines], size, align="right")
            else:
                s.lines(x0, y, [(ln, DATA) for ln in lines], size)
        y += h / mm
    if shown < len(rows):
        section = GoodsSection(shown, rows[shown:])
        c.annex.append(section)
        c.refs.append((section, cols["9"][0], y + size * 0.8 / mm, size))
        y += size * LEADING / mm
    if numbered:
        _goods_totals(s, goods, langs, cols, y + size * 0.25 * LEADING / mm, size)

    # ADR line: "UN 1263 PAINT, 3, II, (D/E)", numbered by goods line when there are several.
    entries = [(f"({i}) " if numbered else "") + a for i, _, a in rows if a]
    if entries:
        x0, y0, x1, y1 = form.data["adr"]
        fitted = fit([("; ".join(entries), DATA)], (x1 - x0) * mm, (y1 - y0) * mm,
                     sizes=GOODS_SIZES)
        if fitted.complete:
            s.lines(x0, y0, fitted.lines, fitted.size)
            return
        # Too many for the line: as many entries as fit, then the reference on the same
        # line; the annex lists them all.
        size = MIN_SIZE
        ref_w = width("→ " + joined("see_annex", langs, n=99), DATA_BOLD, size) / mm + 1.0
        n_lines = max(1, int((y1 - y0) * mm // (size * LEADING)))
        lines, cur = [], ""
        for entry in entries:
            trial = f"{cur}; {entry}" if cur else entry
            last = len(lines) == n_lines - 1
            limit = (x1 - x0 - (ref_w if last else 0)) * mm
            if width(trial, DATA, size) <= limit:
                cur = trial
            elif last:
                break
            else:
                lines.append(cur)
                cur = entry
        lines.append(cur + ";")
        s.lines(x0, y0, [(ln, DATA) for ln in lines], size)
        section = TextSection("adr", [(e, DATA) for e in entries])
        c.annex.append(section)
        ref_x = x0 + width(lines[-1], DATA, size) / mm + 1.0
        c.refs.append((section, ref_x, y0 + (len(lines) - 1) * size * LEADING / mm + size * 0.8 / mm, size))


def _goods_totals(s, goods, langs, cols, y, size):
    def total(key, as_int=False):
        vals = [decimal(g.get(key)) for g in goods]
        vals = [v for v in vals if v is not None]
        if not vals:
            return ""
        t = sum(vals)
        return str(int(t)) if as_int and t == int(t) else str(t)

    s.line(cols["6"][0], y - 0.2, cols["12"][2], y - 0.2, 0.3)
    base = y + 0.3 + size * 0.8 / mm
    s.text(cols["9"][0], base, "Σ " + joined("goods_total", langs), DATA_BOLD, size)
    for key, value in (("7", total("packages", True)), ("11", total("gross_weight_kg")),
                       ("12", total("volume_m3"))):
        s.text(cols[key][2], base, value, DATA_BOLD, size, align="right")


def _charges(doc, langs, form: FormLayout, c: Content) -> None:
    s = c.sheet
    # Blank balances and totals are printed as their rows add up, per currency.
    charges = completed([ch for ch in (doc.get("charges") or []) if isinstance(ch, dict)])
    if not charges:
        return
    aliases = charge_row_aliases()
    by_row: dict[str, dict] = {}
    extras: list[dict] = []
    for ch in charges:
        key = aliases.get(txt(ch.get("label")).casefold())
        if key and key not in by_row:
            by_row[key] = ch
        else:
            extras.append(ch)
    free_rows = [r for r in form.charge_rows if not r[0]]
    used = list(zip(free_rows, extras))
    cells = []                    # (row, value, x0, x1, y0, y1, align, font)
    for (_, y0, y1), ch in used:
        label = txt(ch.get("label"))
        key = aliases.get(label.casefold())
        by_row[id(ch)] = ch      # keyed by identity: free-text rows have no row key
        cell = (CHARGE_COLS[0] + 1.0, CHARGE_COLS[1] - 1.0, y0, y1, "left", DATA)
        # A second charge of a printed row is named in the label languages if that
        # fits the row at MIN_SIZE, else as it was typed.
        if key and _charge_cell(None, joined(key, langs), *cell):
            label = joined(key, langs)
        cells.append((id(ch), label, *cell))
    slots = {k: (y0, y1) for k, y0, y1 in form.charge_rows if k}
    slots.update({id(ch): (y0, y1) for (_, y0, y1), ch in used})
    for key, ch in by_row.items():
        y0, y1 = slots[key]
        for i, field_ in enumerate(("sender", "currency", "consignee")):
            x0, x1 = CHARGE_COLS[i + 1] + 0.8, CHARGE_COLS[i + 2] - 0.8
            cells.append((key, txt(ch.get(field_)), x0, x1, y0, y1,
                          "center" if field_ == "currency" else "right",
                          DATA_BOLD if key == "total" else DATA))
    overflow = len(extras) > len(free_rows) or not all(
        _charge_cell(None, *cell[1:]) for cell in cells)
    ref_row = None
    if overflow and used:
        # The last free row gives way to the reference: the annex lists every charge.
        (_, y0, y1), ch = used[-1]
        ref_row = id(ch)
    for row, *cell in cells:
        if row != ref_row:
            _charge_cell(s, *cell)
    if overflow:
        lines = [(join_nonempty([ch.get("label"), ch.get("sender"), ch.get("currency"),
                                 ch.get("consignee")], " · "), DATA) for ch in charges]
        section = TextSection("20", lines)
        c.annex.append(section)
        x0, x1 = CHARGE_COLS[0] + 1.0, CHARGE_COLS[1] - 0.8     # the label column
        if ref_row is None:
            # No free row (a pre-printed set has none): the reference goes in the
            # amount columns of the lowest printed row left empty, never over a label.
            empty = [(y0, y1) for k, y0, y1 in form.charge_rows[:-1] if k and k not in by_row]
            y0, y1 = empty[-1] if empty else form.charge_rows[-2][1:]
            x0 = CHARGE_COLS[1] + 0.8
            x1 = None
        c.refs.append((section, x0, (y0 + y1) / 2 + MIN_SIZE * 0.35 / mm, MIN_SIZE, x1))


def _charge_cell(s, value, x0, x1, y0, y1, align, font) -> bool:
    """One cell of box 20; False when it has to be shortened ("…"): the whole box then
    continues on the annex, never cut silently and never set below MIN_SIZE. With ``s``
    None it only measures."""
    if not value:
        return True
    limit = (x1 - x0) * mm
    size = shrink_to_width(value, font, 7.5, limit, floor=MIN_SIZE)
    lines = wrap(value, font, size, limit)
    n = min(len(lines), max(1, int((y1 - y0) * mm // (size * LEADING))))
    complete = n == len(lines)
    if s is None:
        return complete
    if not complete:
        last = lines[n - 1]
        while last and width(last + "…", font, size) > limit:
            last = last[:-1]
        lines = lines[:n - 1] + [last + "…"]
    top = (y0 + y1) / 2 - n * size * LEADING / mm / 2
    x = {"left": x0, "right": x1, "center": (x0 + x1) / 2}[align]
    s.lines(x, top, [(ln, font) for ln in lines], size, align=align)
    return complete
