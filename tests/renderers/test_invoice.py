"""Pro-forma and VAT invoice PDFs (renderers.invoice) and Polish amounts in words."""
import copy
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from renderers.invoice import format_bank_account, render_billing_document
from renderers.money_words import amount_in_words_pl, format_amount, plural_form
from tests.pdf_helpers import fonts_of, squash

BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")

SELLER = {"name": "CMR Online sp. z o.o.", "address": "ul. Żelazna 41/7", "postal_code": "00-848",
          "city": "Warszawa", "country": "Polska", "tax_id": "5252248481",
          "bank_name": "mBank S.A.", "bank_account": "PL61109010140000071219812874"}
PL_BUYER = {"name": "Przedsiębiorstwo Transportowe Łąka-Żółw Sp. z o.o.", "address": "ul. Różana 12 lok. 3",
            "postal_code": "80-831", "city": "Gdańsk", "country": "Polska", "tax_id": "5840013427"}
DE_BUYER = {"name": "Spedition Müller & Söhne GmbH", "address": "Hafenstraße 17", "postal_code": "20457",
            "city": "Hamburg", "country": "Niemcy / Germany", "tax_id": "DE136695976"}


def invoice_pl():
    return {
        "kind": "invoice", "number": "FV/1/11/2026", "place": "Warszawa",
        "issue_date": "2026-11-21", "sale_date": "2026-11-21", "due_date": "2026-11-28",
        "seller": copy.deepcopy(SELLER), "buyer": copy.deepcopy(PL_BUYER),
        "lines": [{"description": "CMR Online – plan Standard, 24 months (21.11.2026–20.11.2028)",
                   "quantity": "1", "unit": "usł.", "net_price": "980.00", "discount": "230.30",
                   "net": "749.70", "vat_rate": "23", "vat": "172.43", "gross": "922.13"}],
        "totals": {"net": "749.70", "vat": "172.43", "gross": "922.13"},
        "vat_rate": "23", "reverse_charge": False, "currency": "PLN",
        "payment_title": "PF/3/11/2026", "payment_method": "przelew",
        "paid": True, "paid_date": "2026-11-22", "proforma_number": "PF/3/11/2026",
        "notes": ["Kod promocyjny JESIEŃ"],
    }


def invoice_de():
    d = invoice_pl()
    d.update(number="FV/2/11/2026", buyer=copy.deepcopy(DE_BUYER), vat_rate="0", reverse_charge=True,
             lines=[{"description": "CMR Online – plan Pro, 12 months (21.11.2026–20.11.2027)",
                     "quantity": "1", "unit": "usł.", "net_price": "1190.00", "discount": "0.00",
                     "net": "1190.00", "vat_rate": "0", "vat": "0.00", "gross": "1190.00"}],
             totals={"net": "1190.00", "vat": "0.00", "gross": "1190.00"}, payment_method="karta",
             proforma_number=None, notes=[])
    return d


def proforma():
    d = invoice_pl()
    d.update(kind="proforma", number="PF/3/11/2026", paid=False, paid_date=None, proforma_number=None)
    return d


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


# ------------------------------------------------------------------ amounts in words
@pytest.mark.parametrize("amount, words", [
    ("0.00", "zero złotych 00/100"),
    ("1.00", "jeden złoty 00/100"),
    ("2.00", "dwa złote 00/100"),
    ("5.00", "pięć złotych 00/100"),
    ("11.00", "jedenaście złotych 00/100"),
    ("12.13", "dwanaście złotych 13/100"),
    ("14.00", "czternaście złotych 00/100"),
    ("21.00", "dwadzieścia jeden złotych 00/100"),
    ("22.00", "dwadzieścia dwa złote 00/100"),
    ("24.99", "dwadzieścia cztery złote 99/100"),
    ("101.01", "sto jeden złotych 01/100"),
    ("112.00", "sto dwanaście złotych 00/100"),
    ("922.13", "dziewięćset dwadzieścia dwa złote 13/100"),
    ("1190.00", "tysiąc sto dziewięćdziesiąt złotych 00/100"),
    ("1002.00", "tysiąc dwa złote 00/100"),
    ("1463.70", "tysiąc czterysta sześćdziesiąt trzy złote 70/100"),
    ("1000000.00", "milion złotych 00/100"),
])
def test_amount_in_words_pl(amount, words):
    assert amount_in_words_pl(amount) == words
    assert amount_in_words_pl(Decimal(amount)) == words


def test_amount_in_words_rounds_half_up_and_refuses_floats():
    assert amount_in_words_pl("0.005") == "zero złotych 01/100"
    assert amount_in_words_pl("7") == "siedem złotych 00/100"
    with pytest.raises(TypeError):
        amount_in_words_pl(922.13)
    with pytest.raises(ValueError):
        amount_in_words_pl("abc")


@pytest.mark.parametrize("n, form", [(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (13, 2), (14, 2),
                                     (21, 2), (22, 1), (104, 1), (111, 2), (112, 2), (0, 2), (1001, 2)])
def test_plural_form(n, form):
    assert plural_form(n) == form


@pytest.mark.parametrize("amount, text", [("0", "0,00"), ("922.13", "922,13"), ("1463.7", "1 463,70"),
                                          ("1000000", "1 000 000,00"), ("-5", "-5,00")])
def test_format_amount(amount, text):
    assert format_amount(amount) == text


@pytest.mark.parametrize("raw, shown", [
    ("PL61109010140000071219812874", "PL61 1090 1014 0000 0712 1981 2874"),
    ("pl61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
    ("61109010140000071219812874", "61 1090 1014 0000 0712 1981 2874"),
    ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
    ("", ""), (None, ""),
])
def test_format_bank_account(raw, shown):
    assert format_bank_account(raw) == shown


# ------------------------------------------------------------------ documents
@pytest.fixture(scope="module")
def rendered():
    return {name: render_billing_document(make())
            for name, make in (("pl", invoice_pl), ("de", invoice_de), ("pf", proforma))}


@pytest.mark.parametrize("name", ["pl", "de", "pf"])
def test_is_a_one_page_a4_pdf(rendered, name):
    pdf = rendered[name]
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize("name, make", [("pl", invoice_pl), ("de", invoice_de), ("pf", proforma)])
def test_contains_parties_number_and_every_amount(rendered, name, make):
    data = make()
    text = text_of(rendered[name])
    flat = squash(text)
    assert data["number"] in text
    for party in ("seller", "buyer"):
        for key in ("name", "address", "postal_code", "city", "tax_id"):
            assert squash(data[party][key]) in flat, (party, key)
    for line in data["lines"]:
        assert squash(line["description"]) in flat
        for key in ("net_price", "discount", "net", "vat", "gross"):
            assert format_amount(line[key]) in text, key
    for key in ("net", "vat", "gross"):
        assert format_amount(data["totals"][key]) in text
    assert f"{format_amount(data['totals']['gross'])} PLN" in text
    assert amount_in_words_pl(data["totals"]["gross"]) in text
    assert "Słownie" in text
    if data["payment_method"] == "karta":  # paid by card: no transfer to make, no account printed
        assert "PL61 1090 1014 0000 0712 1981 2874" not in text and "Transfer title" not in text
    else:
        assert "PL61 1090 1014 0000 0712 1981 2874" in text
        assert data["payment_title"] in text
    assert "Sprzedawca / Seller" in text and "Nabywca / Buyer" in text
    assert "2026-11-21" in text


def test_invoice_has_the_vat_invoice_contents(rendered):
    text = text_of(rendered["pl"])
    assert "Faktura VAT / VAT invoice" in text
    assert "Nie jest fakturą VAT" not in text
    assert "odwrotne obciążenie" not in text
    for label in ("Data wystawienia", "Miejsce wystawienia", "Data wykonania usługi", "Ilość", "J.m.",
                  "Cena jedn.", "Rabat", "Wartość netto", "Stawka", "Kwota VAT", "Wartość brutto",
                  "Według stawek VAT", "Razem", "Sposób płatności", "przelew"):
        assert label in text, label
    assert "23%" in text
    assert "usł." in text
    assert "Zapłacono / Paid 2026-11-22" in text
    assert "PF/3/11/2026" in text          # the pro-forma it settles
    assert "Kod promocyjny JESIEŃ" in text  # notes


def test_unpaid_invoice_shows_amount_due_and_due_date_not_paid():
    d = invoice_pl()
    d.update(paid=False, paid_date=None)
    text = text_of(render_billing_document(d))
    assert "Zapłacono" not in text
    assert "Do zapłaty / Amount due" in text
    assert "Termin płatności" in text and "2026-11-28" in text


def test_reverse_charge_invoice(rendered):
    text = text_of(rendered["de"])
    assert "odwrotne obciążenie / reverse charge" in text
    assert "np." in text
    assert "23%" not in text
    assert "0,00" in text
    assert "Nie jest fakturą VAT" not in text
    assert "tysiąc sto dziewięćdziesiąt złotych 00/100" in text


def test_reverse_charge_note_only_with_reverse_charge():
    d = invoice_pl()
    d["notes"] = ["odwrotne obciążenie / reverse charge", "Nie jest fakturą VAT / This is not a VAT invoice"]
    text = text_of(render_billing_document(d))
    assert "odwrotne obciążenie" not in text
    assert "Nie jest fakturą VAT" not in text
    # given as a note as well as by the flag: printed once
    d = invoice_de()
    d["notes"] = ["odwrotne obciążenie / reverse charge"]
    assert text_of(render_billing_document(d)).count("odwrotne obciążenie") == 1


def test_proforma(rendered):
    text = text_of(rendered["pf"])
    assert "Faktura pro forma / Pro forma invoice" in text
    assert "PF/3/11/2026" in text
    assert "Nie jest fakturą VAT / This is not a VAT invoice" in text
    assert "Termin płatności / Payment due" in text and "2026-11-28" in text
    assert "Tytuł przelewu / Transfer title" in text
    assert "Zapłacono" not in text
    assert "odwrotne obciążenie" not in text
    assert "dziewięćset dwadzieścia dwa złote 13/100" in text


def test_reverse_charge_proforma():
    d = invoice_de()
    d.update(kind="proforma", number="PF/4/11/2026", paid=False)
    text = text_of(render_billing_document(d))
    assert "Nie jest fakturą VAT" in text and "odwrotne obciążenie / reverse charge" in text


@pytest.mark.parametrize("name", ["pl", "de", "pf"])
def test_polish_letters_survive_extraction(rendered, name):
    text = text_of(rendered[name])
    for ch in "ąęłżóśćŻ":
        assert ch in text, ch
    for word in ("ul. Żelazna 41/7", "Sprzedawca", "Wartość netto", "Według stawek", "Słownie",
                 "Sposób płatności", "usł."):
        assert word in text, word
    if name == "de":
        assert "Spedition Müller & Söhne GmbH" in text and "Hafenstraße 17" in text
    else:
        assert "Przedsiębiorstwo Transportowe Łąka-Żółw Sp. z o.o." in text and "80-831 Gdańsk" in text


@pytest.mark.parametrize("name", ["pl", "de", "pf"])
def test_only_embedded_dejavu_subsets_no_base14(rendered, name):
    pdf = rendered[name]
    fonts = fonts_of(pdf)
    assert fonts
    for font in fonts:
        base = str(font["/BaseFont"])
        assert "DejaVu" in base, base
        assert not any(b in base for b in BASE14), base
        assert re.match(r"^/?[A-Z]{6}\+", base), f"{base} is not a subset"
        assert "/FontFile2" in font["/FontDescriptor"], f"{base} is not embedded"
    for name14 in (b"Helvetica", b"Times-Roman", b"Courier", b"ZapfDingbats", b"/Symbol"):
        assert name14 not in pdf


def test_long_descriptions_wrap_and_many_lines_paginate():
    d = invoice_pl()
    d["paid"] = False
    long_text = ("Usługa dodatkowa – szkolenie z wypełniania listów przewozowych CMR wraz z konsultacją "
                 "i materiałami szkoleniowymi dla kierowców oraz spedytorów; ") * 3
    d["lines"] = [dict(d["lines"][0], description=f"{i}: {long_text}") for i in range(1, 31)]
    d["totals"] = {k: str(30 * Decimal(d["lines"][0][k])) for k in ("net", "vat", "gross")}
    pdf = render_billing_document(d)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    text = text_of(pdf)
    flat = squash(text)
    for i in range(1, 31):
        assert squash(f"{i}: {long_text}") in flat
    assert "Nazwa usługi" in (reader.pages[-1].extract_text() or "")   # the header row repeats
    assert f"Strona / Page {len(reader.pages)} / {len(reader.pages)}" in text
    # the wrapped description never overflows a line: no extracted line is page-wide prose
    assert max(len(line) for line in text.splitlines()) < 160


def test_multiple_rates_summary():
    d = invoice_pl()
    d["lines"].append({"description": "Szkolenie", "quantity": "2", "unit": "godz.", "net_price": "100.00",
                       "discount": "0", "net": "200.00", "vat_rate": "8", "vat": "16.00", "gross": "216.00"})
    d["totals"] = {"net": "949.70", "vat": "188.43", "gross": "1138.13"}
    text = text_of(render_billing_document(d))
    assert "8%" in text and "23%" in text
    assert "1 138,13 PLN" in text
    assert "tysiąc sto trzydzieści osiem złotych 13/100" in text


def test_markup_in_values_is_printed_literally():
    d = invoice_pl()
    d["buyer"]["name"] = "A&B <Logistics> Sp. z o.o."
    d["lines"][0]["description"] = "Plan <b>Pro</b> & more"
    text = text_of(render_billing_document(d))
    assert "A&B <Logistics> Sp. z o.o." in text
    assert "Plan <b>Pro</b> & more" in text


def test_rendering_is_deterministic():
    assert render_billing_document(invoice_pl()) == render_billing_document(invoice_pl())


@pytest.mark.parametrize("bad", [{"kind": "receipt"}, {"kind": None}, {"number": ""}, {"lines": []}])
def test_rejects_bad_input(bad):
    d = invoice_pl()
    d.update(bad)
    with pytest.raises(ValueError):
        render_billing_document(d)
