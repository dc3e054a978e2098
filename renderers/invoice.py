"""Pro-forma and Polish VAT invoices as A4 PDF bytes, from a plain dict.

    render_billing_document({"kind": "invoice" | "proforma", ...}) -> bytes

The VAT invoice carries what art. 106e ustawy o VAT asks for: issue date and place,
sale (service) date, a unique number, seller and buyer names, addresses and tax ids,
the service name, unit, quantity, unit net price, discount, net value, VAT rate, VAT
per rate, totals and the amount due (here also in words). With reverse charge the
rate prints as "np." (service taxed where the EU buyer is established, art. 28b),
VAT 0.00 and "odwrotne obciążenie / reverse charge" stands out under the totals.
A pro-forma says plainly that it is not a VAT invoice.

Labels are bilingual, Polish first. Money comes in as decimal strings and prints in
Polish figures ("1 463,70"); dates come in ISO and print ISO. Only embedded,
subsetted DejaVu faces are used (Polish letters; no base-14 fonts).
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from .money_words import amount_in_words_pl, format_amount, to_decimal

__all__ = ["render_billing_document", "amount_in_words_pl", "format_amount",
           "format_bank_account", "KINDS", "REVERSE_CHARGE_NOTE", "NOT_A_VAT_INVOICE"]

rl_config.useA85 = 0

KINDS = ("proforma", "invoice")
REVERSE_CHARGE_NOTE = "odwrotne obciążenie / reverse charge"
NOT_A_VAT_INVOICE = "Nie jest fakturą VAT / This is not a VAT invoice"
CANCELLED = "ANULOWANA – nie płacić / CANCELLED – do not pay"

# Own registration of the vendored DejaVu faces (the CMR renderer keeps its own).
FONT = "InvoiceSans"
FONT_BOLD = "InvoiceSans-Bold"
_FONT_DIR = Path(__file__).resolve().parent / "fonts"
_CANDIDATES = {
    FONT: ("DejaVuSansCondensed.ttf", "DejaVuSans.ttf"),
    FONT_BOLD: ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf"),
}

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5f6b78")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#b9c3ce")
BAND = colors.HexColor("#e9eef4")
WARN = colors.HexColor("#a4161a")

MARGIN = 15 * mm
BOTTOM = 16 * mm
PAGE_W, PAGE_H = A4
CONTENT_W = PAGE_W - 2 * MARGIN
NBSP = "\u00a0"


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name, files in _CANDIDATES.items():
        if name in registered:
            continue
        path = next((_FONT_DIR / f for f in files if (_FONT_DIR / f).exists()), None)
        if path is None:
            raise FileNotFoundError(f"no DejaVu face for {name} in {_FONT_DIR}")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _style(name, size=8.0, font=FONT, color=INK, align=TA_LEFT, leading=None, **kw):
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25,
                          textColor=color, alignment=align, **kw)


S_BODY = _style("body", 8.5)
S_SMALL = _style("small", 7.5)
S_LABEL = _style("label", 6.5, color=MUTED)
S_CELL = _style("cell", 7.5)
S_HEAD = _style("head", 6.5, font=FONT_BOLD, color=INK, leading=7.6)
S_HEAD_R = _style("head_r", 6.5, font=FONT_BOLD, color=INK, leading=7.6, align=TA_RIGHT)
S_PARTY = _style("party", 8.5, leading=11)
S_BOX_HEAD = _style("box_head", 8, font=FONT_BOLD, color=ACCENT)
S_TITLE = _style("title", 17, font=FONT_BOLD, color=ACCENT, leading=20)
S_NUMBER = _style("number", 12, font=FONT_BOLD, leading=15)
S_WARN = _style("warn", 10, font=FONT_BOLD, color=WARN, leading=11.5)
S_META_L = _style("meta_l", 7, color=MUTED, leading=8.6)
S_META_V = _style("meta_v", 8.5, font=FONT_BOLD, align=TA_RIGHT, leading=10)
S_DUE_L = _style("due_l", 10, font=FONT_BOLD, leading=12.5)
S_DUE_V = _style("due_v", 13, font=FONT_BOLD, align=TA_RIGHT, leading=16, color=ACCENT)


# ---------------------------------------------------------------- formatting helpers
def _t(value) -> str:
    return "" if value is None else str(value).strip()


def _x(value) -> str:
    """User text made safe for Paragraph markup."""
    return escape(_t(value))


def _money(value) -> str:
    return format_amount(value).replace(" ", NBSP)


def _date(value) -> str:
    text = _t(value)
    if not text:
        return ""
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def _qty(value) -> str:
    text = _t(value) or "1"
    try:
        d = Decimal(text.replace(",", "."))
    except Exception:
        return text
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return format(d, "f").replace(".", ",")


def format_bank_account(account: str) -> str:
    """IBAN in groups of 4 ("PL61 1090 1014 …"); a bare 26-digit Polish NRB as "61 1090 1014 …"."""
    raw = "".join(_t(account).split()).upper()
    if not raw:
        return ""
    if raw.isdigit() and len(raw) == 26:
        return raw[:2] + " " + " ".join(raw[i:i + 4] for i in range(2, 26, 4))
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _rate_label(rate, reverse_charge: bool) -> str:
    text = _t(rate).rstrip("%").strip()
    try:
        value = Decimal(text.replace(",", "."))
    except Exception:
        return text  # already a label ("zw", "np.", "oo")
    if value == 0 and reverse_charge:
        return "np."
    return f"{value.normalize():f}".replace(".", ",") + "%"


def _bi(pl: str, en: str, size=6.5, color="#5f6b78") -> str:
    """'Polish / English' label, English lighter."""
    return f'{pl} <font color="{color}">/ {en}</font>'


def _ts(commands: list) -> TableStyle:
    """A table style that never leaves a cell in reportlab's default (base-14) font."""
    return TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8)] + commands)


def _stack(pl: str, en: str) -> str:
    """Column head: Polish on top, English below, lighter."""
    return f'{pl}<br/><font name="{FONT}" color="#5f6b78">{en}</font>'


# ---------------------------------------------------------------- page furniture
class _NumberedCanvas(Canvas):
    """Defers pages so the footer can say "page n of N"."""

    footer_left = ""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total):
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 11 * mm, PAGE_W - MARGIN, 11 * mm)
        self.setFont(FONT, 7)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 7.5 * mm, self.footer_left)
        self.drawRightString(PAGE_W - MARGIN, 7.5 * mm,
                             f"Strona / Page {self._pageNumber} / {total}")
        self.restoreState()


def _canvas_maker(footer_left: str, created: str | None = None):
    """`created`: the issue date as the PDF's creation date (D:YYYYMMDD…)."""
    def __init__(self, *args, **kw):
        _NumberedCanvas.__init__(self, *args, **kw)
        if created:
            self.setDateFormatter(lambda *_: created)
    return type("_Canvas", (_NumberedCanvas,), {"footer_left": footer_left, "__init__": __init__})


def _pdf_date(value) -> str | None:
    try:
        day = date.fromisoformat(_t(value)[:10])
    except ValueError:
        return None
    return f"D:{day:%Y%m%d}000000+00'00'"


# ---------------------------------------------------------------- blocks
def _header(data, kind):
    number = _x(data.get("number"))
    if kind == "invoice":
        title = "Faktura VAT " + '<font size="11" color="#5f6b78">/ VAT invoice</font>'
    else:
        title = "Faktura pro forma " + '<font size="11" color="#5f6b78">/ Pro forma invoice</font>'
    left = [Paragraph(title, S_TITLE),
            Paragraph(f'<font name="{FONT}" size="8" color="#5f6b78">Nr / No.</font> {number}', S_NUMBER)]
    if kind == "proforma":
        left += [Spacer(1, 3), Paragraph(escape(NOT_A_VAT_INVOICE), S_WARN)]
        if data.get("cancelled"):
            left += [Spacer(1, 2), Paragraph(escape(CANCELLED), S_WARN)]

    rows = []

    def meta(pl, en, value):
        if _t(value):
            rows.append([Paragraph(_bi(pl, en), S_META_L), Paragraph(_x(value), S_META_V)])

    meta("Miejsce wystawienia", "Place of issue", data.get("place"))
    meta("Data wystawienia", "Issue date", _date(data.get("issue_date")))
    if kind == "invoice":  # a pro-forma sells nothing yet: no date of sale
        meta("Data wykonania usługi", "Date of service", _date(data.get("sale_date")))
    if kind == "proforma" or not data.get("paid"):
        meta("Termin płatności", "Payment due", _date(data.get("due_date")))
    right = Table(rows, colWidths=[46 * mm, 28 * mm], hAlign="RIGHT") if rows else Spacer(1, 1)
    if rows:
        right.setStyle(_ts([
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
        ]))
    t = Table([[left, right]], colWidths=[CONTENT_W - 74 * mm, 74 * mm])
    t.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return t


def _party_lines(party: dict, tax_label: str) -> list:
    party = party or {}
    out = [Paragraph(f"<b>{_x(party.get('name'))}</b>", S_PARTY)]
    if _t(party.get("address")):
        out.append(Paragraph(_x(party.get("address")), S_PARTY))
    city = " ".join(x for x in (_t(party.get("postal_code")), _t(party.get("city"))) if x)
    if city:
        out.append(Paragraph(escape(city), S_PARTY))
    if _t(party.get("country")):
        out.append(Paragraph(_x(party.get("country")), S_PARTY))
    if _t(party.get("tax_id")):
        out.append(Paragraph(f'<font color="#5f6b78" size="7.5">{tax_label}:</font> '
                             f"<b>{_x(party.get('tax_id'))}</b>", S_PARTY))
    return out


def _seller_for_print(data) -> dict:
    """With reverse charge the buyer checks the seller's EU VAT id (VIES): the Polish NIP
    prints with its PL prefix."""
    seller = dict(data.get("seller") or {})
    tax_id = "".join(_t(seller.get("tax_id")).split())
    if data.get("reverse_charge") and tax_id and (_t(seller.get("country")) or "PL").upper() == "PL" \
            and not tax_id.upper().startswith("PL"):
        seller["tax_id"] = "PL" + tax_id
    return seller


def _parties(data):
    seller = _party_lines(_seller_for_print(data), "NIP / VAT ID" if data.get("reverse_charge") else "NIP / Tax ID")
    buyer = _party_lines(data.get("buyer"), "NIP / VAT ID")
    half = (CONTENT_W - 6 * mm) / 2
    t = Table([[Paragraph(_bi("Sprzedawca", "Seller", color="#6f8fb0"), S_BOX_HEAD), "",
                Paragraph(_bi("Nabywca", "Buyer", color="#6f8fb0"), S_BOX_HEAD)],
               [seller, "", buyer]],
              colWidths=[half, 6 * mm, half])
    t.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (0, 0), 1, ACCENT), ("LINEBELOW", (2, 0), (2, 0), 1, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 4), ("BOTTOMPADDING", (0, 0), (-1, 0), 2),
    ]))
    return t


# Column widths of the line table (mm); the description takes what is left.
_COLS = [("Lp.", "No.", 7, False), ("Nazwa usługi", "Description", None, False),
         ("Ilość", "Qty", 11, True), ("J.m.", "Unit", 10, False),
         ("Cena jedn. netto", "Unit net price", 19, True), ("Rabat", "Discount", 17, True),
         ("Wartość netto", "Net value", 19, True), ("Stawka VAT", "VAT rate", 12, True),
         ("Kwota VAT", "VAT amount", 17, True), ("Wartość brutto", "Gross value", 20, True)]


def _lines_table(data, reverse_charge):
    fixed = sum(w for *_, w, _ in _COLS if w) * mm
    widths = [(w * mm if w else CONTENT_W - fixed) for *_, w, _ in _COLS]
    head = [Paragraph(_stack(pl, en), S_HEAD_R if right else S_HEAD) for pl, en, _, right in _COLS]
    rows = [head]
    for i, line in enumerate(data.get("lines") or [], 1):
        rows.append([
            f"{i}.",
            Paragraph(_x(line.get("description")), S_CELL),
            _qty(line.get("quantity")),
            _t(line.get("unit")),
            _money(line.get("net_price")),
            _money(line.get("discount") or "0"),
            _money(line.get("net")),
            _rate_label(line.get("vat_rate", data.get("vat_rate")), reverse_charge),
            _money(line.get("vat")),
            _money(line.get("gross")),
        ])
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    t.setStyle(_ts(style))
    return t


def _by_rate(data, reverse_charge):
    """Net / VAT / gross per rate. One rate: the document totals (VAT is computed on
    the net total); several: sums of the lines."""
    groups: dict[str, list[Decimal]] = {}
    for line in data.get("lines") or []:
        label = _rate_label(line.get("vat_rate", data.get("vat_rate")), reverse_charge)
        g = groups.setdefault(label, [Decimal(0)] * 3)
        for k, key in enumerate(("net", "vat", "gross")):
            g[k] += to_decimal(line.get(key) or "0")
    totals = data.get("totals") or {}
    tot = [to_decimal(totals.get(k, "0")) for k in ("net", "vat", "gross")]
    if len(groups) <= 1:
        label = next(iter(groups), _rate_label(data.get("vat_rate", "23"), reverse_charge))
        groups = {label: tot}
    return groups, tot


def _summary(data, reverse_charge, currency):
    groups, tot = _by_rate(data, reverse_charge)
    head = [Paragraph(_stack("Stawka VAT", "VAT rate"), S_HEAD),
            Paragraph(_stack("Netto", "Net"), S_HEAD_R),
            Paragraph(_stack("Kwota VAT", "VAT amount"), S_HEAD_R),
            Paragraph(_stack("Brutto", "Gross"), S_HEAD_R)]
    rows = [[Paragraph(f"Według stawek VAT <font color=\"#5f6b78\">/ By VAT rate</font> ({escape(currency)})",
                       S_HEAD), "", "", ""], head]
    for label, (net, vat, gross) in groups.items():
        rows.append([label, _money(net), _money(vat), _money(gross)])
    rows.append([Paragraph("<b>Razem</b> <font color=\"#5f6b78\">/ Total</font>", S_CELL),
                 _money(tot[0]), _money(tot[1]), _money(tot[2])])
    t = Table(rows, colWidths=[19 * mm, 22 * mm, 21 * mm, 22 * mm], hAlign="RIGHT")
    t.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("FONT", (1, -1), (-1, -1), FONT_BOLD, 7.5),
        ("SPAN", (0, 0), (-1, 0)),
        ("ALIGN", (1, 2), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 1), (-1, 1), BAND),
        ("LINEBELOW", (0, 1), (-1, 1), 0.8, ACCENT),
        ("LINEBELOW", (0, 2), (-1, -2), 0.4, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
    ]))
    return t, tot


def _kv_table(rows, label_w, total_w):
    t = Table(rows, colWidths=[label_w, total_w - label_w])
    t.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return t


def _payment(data, kind, width):
    seller = data.get("seller") or {}
    rows = []

    def kv(pl, en, value, bold=False):
        if _t(value):
            v = _x(value)
            rows.append([Paragraph(_bi(pl, en), S_META_L),
                         Paragraph(f"<b>{v}</b>" if bold else v, S_SMALL)])

    kv("Sposób płatności", "Payment method", data.get("payment_method"))
    # The due date prints once, in the header. A card payment has no transfer to make.
    if not _paid_by_card(data):
        kv("Bank", "Bank", seller.get("bank_name"))
        kv("Nr rachunku (IBAN)", "Account no. (IBAN)", format_bank_account(seller.get("bank_account")), bold=True)
        kv("Kod BIC (SWIFT)", "BIC (SWIFT) code", seller.get("bank_swift"), bold=True)
        kv("Tytuł przelewu", "Transfer title", data.get("payment_title"), bold=True)
    if kind == "invoice" and _t(data.get("proforma_number")):
        kv("Do pro formy nr", "Pro forma no.", data.get("proforma_number"))
    if not rows:
        return Spacer(1, 1)
    head = Paragraph(_bi("Płatność", "Payment", color="#6f8fb0"), S_BOX_HEAD)
    return [head, Spacer(1, 3), _kv_table(rows, 37 * mm, width)]


def _paid_by_card(data) -> bool:
    return data.get("payment_kind") == "card" or _t(data.get("payment_method")).startswith("karta")


def _ksef_block(data):
    """The KSeF number and the verification QR code (KOD I) with its link, as the copy
    given to the buyer of an invoice issued in KSeF must show."""
    ksef = data.get("ksef") or {}
    if not (_t(ksef.get("number")) and _t(ksef.get("url"))):
        return []
    from .qr import draw_qr
    url, side = _t(ksef["url"]), 30 * mm

    class _Code(Flowable):
        def wrap(self, *args):
            return side, side

        def draw(self):
            draw_qr(self.canv, url, 0, side, side)

    text = [Paragraph(_bi("Numer KSeF", "KSeF number", color="#6f8fb0"), S_BOX_HEAD), Spacer(1, 2),
            Paragraph(f"<b>{_x(ksef['number'])}</b>", S_BODY), Spacer(1, 3),
            Paragraph(_bi("Weryfikacja faktury w KSeF (KOD I)", "Verify this invoice in KSeF"), S_META_L),
            Paragraph(_x(url), _style("ksef_url", 6.5, color=MUTED, wordWrap="CJK"))]
    # The KSeF number also labels the code itself, under it, as KSeF's rules for KOD I ask.
    label = Paragraph(_x(ksef["number"]), _style("ksef_label", 5.6, font=FONT_BOLD, leading=7))
    left_w = 46 * mm
    t = Table([[[_Code(), Spacer(1, 1.5 * mm), label], "", text]], colWidths=[left_w, 5 * mm, CONTENT_W - left_w - 5 * mm])
    t.setStyle(_ts([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return [Spacer(1, 5 * mm), KeepTogether([t])]


def _amount_due(data, kind, tot, currency):
    gross = tot[2]
    paid = kind == "invoice" and bool(data.get("paid"))
    rows = []
    if paid:
        when = _date(data.get("paid_date"))
        rows.append([Paragraph(_bi("Zapłacono", "Paid", size=10) + (f" {escape(when)}" if when else ""), S_DUE_L),
                     Paragraph(f"{_money(gross)} {escape(currency)}", S_DUE_V)])
        rows.append([Paragraph(_bi("Pozostało do zapłaty", "Balance due"), S_SMALL),
                     Paragraph(f"{_money('0')} {escape(currency)}", _style("bal", 8.5, align=TA_RIGHT))])
    else:
        rows.append([Paragraph(_bi("Do zapłaty", "Amount due", size=10), S_DUE_L),
                     Paragraph(f"{_money(gross)} {escape(currency)}", S_DUE_V)])
    words = amount_in_words_pl(gross, currency)
    rows.append([Paragraph(f'<font color="#5f6b78">Słownie / In words:</font> <b>{escape(words)}</b>', S_BODY), ""])
    t = Table(rows, colWidths=[CONTENT_W - 60 * mm, 60 * mm])
    t.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("SPAN", (0, -1), (-1, -1)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, -1), BAND),
        ("LINEABOVE", (0, 0), (-1, 0), 1, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
    ]))
    return t


def _reverse_charge_box():
    text = (f"<b>{escape(REVERSE_CHARGE_NOTE)}</b><br/>"
            '<font size="7.5" color="#1d2733">Usługa opodatkowana w państwie nabywcy (art. 28b ustawy o VAT); '
            "VAT rozlicza nabywca. / Service taxable in the customer's country; VAT to be accounted for by "
            "the customer (Art. 44 and 196 of Directive 2006/112/EC).</font>")
    t = Table([[Paragraph(text, _style("rc", 11, font=FONT, color=WARN, leading=13))]], colWidths=[CONTENT_W])
    t.setStyle(_ts([
        ("BOX", (0, 0), (-1, -1), 1.2, WARN),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return t


def _notes(data):
    notes = [n for n in (_t(n) for n in data.get("notes") or [])
             if n and n.casefold() != REVERSE_CHARGE_NOTE.casefold()
             and n.casefold() != NOT_A_VAT_INVOICE.casefold()]
    if not notes:
        return []
    out = [Paragraph(_bi("Uwagi", "Notes", color="#6f8fb0"), S_BOX_HEAD), Spacer(1, 2)]
    out += [Paragraph(escape(n), S_SMALL) for n in notes]
    return out


# ---------------------------------------------------------------- entry point
def _check(data) -> str:
    if not isinstance(data, dict):
        raise TypeError("billing document must be a dict")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not _t(data.get("number")):
        raise ValueError("number is required")
    if not data.get("lines"):
        raise ValueError("at least one line is required")
    _check_totals(data)
    return kind


def _check_totals(data) -> None:
    """The totals printed must be the sum of the lines printed."""
    totals = data.get("totals") or {}
    for key in ("net", "vat", "gross"):
        if key not in totals:
            continue
        lines = sum((to_decimal(line.get(key) or "0") for line in data["lines"]), Decimal(0))
        if lines != to_decimal(totals[key]):
            raise ValueError(f"the {key} total {totals[key]} is not the sum of the lines ({lines})")


def render_billing_document(data: dict) -> bytes:
    """An A4 PDF of a pro-forma (`kind="proforma"`) or a VAT invoice (`kind="invoice"`)."""
    kind = _check(data)
    _register_fonts()
    reverse_charge = bool(data.get("reverse_charge"))
    currency = _t(data.get("currency")) or "PLN"
    number = _t(data.get("number"))
    title = ("Faktura VAT" if kind == "invoice" else "Faktura pro forma") + f" {number}"
    seller_name = _t((data.get("seller") or {}).get("name"))

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=BOTTOM, title=title, author=seller_name, subject=title, creator="cmr renderers",
        invariant=1, pageCompression=1, initialFontName=FONT, initialFontSize=8, lang="pl-PL")
    # No frame padding: tables and paragraphs share the margins.
    frame = Frame(MARGIN, BOTTOM, CONTENT_W, PAGE_H - MARGIN - BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    story = [_header(data, kind), Spacer(1, 7 * mm), _parties(data), Spacer(1, 7 * mm),
             _lines_table(data, reverse_charge), Spacer(1, 5 * mm)]

    summary, tot = _summary(data, reverse_charge, currency)
    pay_w = CONTENT_W - sum(summary._colWidths) - 6 * mm
    pay = _payment(data, kind, pay_w)
    mid = Table([[pay, "", summary]], colWidths=[pay_w, 6 * mm, sum(summary._colWidths)])
    mid.setStyle(_ts([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    tail = [mid, Spacer(1, 5 * mm), _amount_due(data, kind, tot, currency)]
    if reverse_charge:
        tail += [Spacer(1, 4 * mm), _reverse_charge_box()]
    story.append(KeepTogether(tail))
    story += _ksef_block(data)
    notes = _notes(data)
    if notes:
        story += [Spacer(1, 5 * mm), KeepTogether(notes)]

    footer = f"{'Faktura VAT' if kind == 'invoice' else 'Faktura pro forma'} {number}"
    if seller_name:
        footer += f" · {seller_name}"
    doc.build(story, canvasmaker=_canvas_maker(footer, _pdf_date(data.get("issue_date"))))
    return buf.getvalue()
