import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from renderers import LANGUAGES, labels, render_cmr
from renderers.typography import FONT_FILES
from tests.pdf_helpers import fonts_of

TYPICAL_VALUES = [
    "Zażółć gęślą jaźń ŁÓDŹ Poznań",            # Polish
    "Příliš žluťoučký kůň úpěl ďábelské ódy",      # Czech
    "Ľúbostný ťava ôsmy ä ĺ ŕ",                   # Slovak
    "Šiaulių ąčęėįšųūž Ąą Ėė Įį Ųų",               # Lithuanian
    "Rīga ā č ē ģ ī ķ ļ ņ š ū ž Ģ Ķ Ļ Ņ",            # Latvian
    "Tõnu Pärnu Õõ Ää Öö Üü Šš Žž",               # Estonian
    "București ș ț Ș Ț ă â î Ă Â Î",               # Romanian, comma below
    "İstanbul Iğdır ğ ı İ ş Ş Ç ç Ö ö Ü ü",        # Turkish
    "Москва Санкт-Петербург ёЁ «Северная» №",      # Russian
    "Київ Львів ґ є і ї Ґ Є І Ї ʼ ’",              # Ukrainian
    "София Пловдив ъ щ",                           # Bulgarian
    "Straße Größe Äpfel",                          # German
    "Œuvre cœur œ Œ ç é è ê ë à",                  # French
    "Győr Hőség Űr ő ű Ő Ű",                       # Hungarian
    "España Coruña ñ ¿¡ á",                        # Spanish
    "non‑breaking‑hyphen – — € … „“ ” ‘ ’ « » ° ² ³ · × Σ → ✓",
]


def cmap(path):
    return set(TTFontFile(str(path)).charToGlyph)


@pytest.mark.parametrize("face", sorted(FONT_FILES))
def test_every_label_and_typical_value_has_a_glyph(face):
    covered = cmap(FONT_FILES[face])
    texts = list(TYPICAL_VALUES)
    for lang in LANGUAGES:
        texts += [v for k, v in labels(lang).items() if k != "_review"]
    missing = sorted({ch for t in texts for ch in t if not ch.isspace() and ord(ch) not in covered})
    assert not missing, f"{face} lacks {missing}"


def test_pdf_embeds_dejavu_truetype_subsets_and_no_base14_font(doc):
    pdf = render_cmr(doc, languages=["pl", "ru", "tr"], copies=4)
    fonts = fonts_of(pdf)
    assert fonts
    for font in fonts:
        base = str(font["/BaseFont"])
        assert "DejaVu" in base, base
        assert "+" in base, f"{base} is not a subset"
        assert "/FontFile2" in font["/FontDescriptor"], f"{base} is not embedded"
    for name in (b"Helvetica", b"Times-Roman", b"Courier", b"ZapfDingbats", b"/Symbol"):
        assert name not in pdf
