"""The Polish and German interface catalogues: complete, well-formed, and used by the pages.

English is the source language: its catalogue keeps empty msgstr and only has to compile."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webhelpers import cmr_form, documents_in_db

LOCALES = Path(__file__).resolve().parents[2] / "locales"
TRANSLATED = ("pl", "de")
PLURAL_FORMS = {
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "de": "nplurals=2; plural=(n != 1);",
}
# %(name)s / %(name)d / %s and the escaped %%; whatever % is left over breaks formatting.
PERCENT = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%")
BRACES = re.compile(r"\{[A-Za-z]+(?::\d+)?\}")  # the numbering tokens {seq}, {seq:4}, {YYYY}


def catalogue(lang: str):
    with open(LOCALES / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def entries(lang: str):
    return [m for m in catalogue(lang) if m.id]


def forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def tokens(text: str) -> list[str]:
    return sorted(PERCENT.findall(text))


def test_the_template_and_the_catalogues_hold_the_same_messages():
    with open(LOCALES / "messages.pot", "rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert template, "messages.pot is empty"
    for lang in (*TRANSLATED, "en"):
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(lang)}
        assert ids == template, f"{lang}: run pybabel update (missing {sorted(template - ids)[:5]}, " \
                                f"extra {sorted(ids - template)[:5]})"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    cat = catalogue(lang)
    assert not cat.fuzzy, f"{lang}: the catalogue header is marked fuzzy"
    assert cat.plural_forms == PLURAL_FORMS[lang]
    nplurals = cat.num_plurals
    problems = []
    for m in entries(lang):
        if "fuzzy" in m.flags:
            problems.append(("fuzzy", m.id))
        strings = forms(m)
        if m.pluralizable and len(strings) != nplurals:
            problems.append((f"{len(strings)} of {nplurals} plural forms", m.id))
        if not all(s and s.strip() for s in strings):
            problems.append(("untranslated", m.id))
    assert not problems, f"{lang}: {len(problems)} problems, first: {problems[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_match_between_msgid_and_msgstr(lang):
    problems = []
    for m in entries(lang):
        source = m.id[-1] if m.pluralizable else m.id
        for text in forms(m):
            if tokens(text) != tokens(source):
                problems.append((m.id, text, "placeholders"))
            if "%" in PERCENT.sub("", text):
                problems.append((m.id, text, "a stray %"))
            if sorted(BRACES.findall(text)) != sorted(BRACES.findall(source)):
                problems.append((m.id, text, "numbering tokens"))
    assert not problems, f"{lang}: {problems[:10]}"


@pytest.mark.parametrize("lang", (*TRANSLATED, "en"))
def test_the_compiled_catalogue_is_there_and_matches_the_po_file(lang):
    mo_path = LOCALES / lang / "LC_MESSAGES" / "messages.mo"
    assert mo_path.exists(), f"run pybabel compile -d locales -D messages ({lang})"
    with open(mo_path, "rb") as f:
        compiled = read_mo(f)
    for m in entries(lang):
        if not any(forms(m)):
            continue  # English: the source text is shown as it is
        got = compiled.get(m.id)
        assert got is not None and forms(got) == forms(m), \
            f"{lang}: messages.mo is older than messages.po ({m.id!r}); run pybabel compile"


def test_the_english_catalogue_stays_empty():
    assert not [m.id for m in entries("en") if any(forms(m))]


@pytest.mark.parametrize("lang, label, english_gone", [("pl", "Zaloguj się", "Forgot your password?"),
                                                       ("de", "Anmelden", "Forgot your password?")])
def test_the_login_page_speaks_the_chosen_language(client, lang, label, english_gone):
    assert client.post(f"/language/{lang}").status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert label in html
    assert english_gone not in html
    assert f'<html lang="{lang}">' in html


def test_the_login_page_is_english_without_a_choice(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and "Zaloguj się" not in html


def test_a_signed_in_page_in_polish_has_polish_words_numbers_and_dates(app, client, owner):
    assert client.post("/documents/new", data=cmr_form()).status_code == 302
    [doc] = documents_in_db(app, owner.company_id)
    assert client.post("/language/pl").status_code == 302

    html = client.get("/documents").get_data(as_text=True)
    assert "<h1>Dokumenty</h1>" in html
    assert "Nowy CMR" in html and "Szablony" in html
    assert "1 z 2000 dokumentów w tym miesiącu" in html  # the quota line, Polish plural form
    assert "documents this month" not in html
    # The list's date column: Polish medium date ("21 lis 2026"), not the English "Nov 21, 2026".
    assert isinstance(doc.issued_on, date)
    polish_date = format_date(doc.issued_on, "medium", locale="pl")
    assert polish_date in html
    assert format_date(doc.issued_on, "medium", locale="en") not in html

    shown = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    # 12400.5 kg: Polish groups with a (non-breaking) space and uses a decimal comma.
    assert re.search(r"12[\u00a0\u202f ]400,5", shown), "weight not in Polish number format"
    assert "Nadawca" in shown and "Odbiorca" in shown and "Przewoźnik" in shown
    assert "Przewoźne" in shown  # the charges row label of box 20


def test_the_signed_in_language_choice_sticks_to_the_user(app, client, owner):
    client.post("/language/de")
    html = client.get("/documents").get_data(as_text=True)
    assert "<h1>Dokumente</h1>" in html and "0 von 2000 Dokumenten in diesem Monat" in html
    from cmr_app.extensions import db
    from cmr_app.models import User
    with app.app_context():
        assert db.session.get(User, owner.id).language == "de"


def test_polish_plural_forms_follow_polish_grammar(app):
    from flask_babel import force_locale, ngettext
    with app.test_request_context(), force_locale("pl"):
        def docs(n):
            return ngettext("%(n)s document a month", "%(n)s documents a month", n, n=n)

        def months(n):
            return ngettext("%(num)s month", "%(num)s months", n)

        assert docs(1) == "1 dokument miesięcznie"
        assert docs(2) == "2 dokumenty miesięcznie"
        assert docs(5) == "5 dokumentów miesięcznie"
        assert docs(22) == "22 dokumenty miesięcznie"
        assert docs(12) == "12 dokumentów miesięcznie"
        assert docs(112) == "112 dokumentów miesięcznie"
        assert len({docs(1).split()[1], docs(2).split()[1], docs(5).split()[1]}) == 3
        assert [months(n) for n in (1, 2, 5, 22, 25)] == [
            "1 miesiąc", "2 miesiące", "5 miesięcy", "22 miesiące", "25 miesięcy"]
        assert ngettext("%(num)s field needs your attention", "%(num)s fields need your attention", 3) \
            == "3 pola wymagają uwagi"


def test_german_plural_forms(app):
    from flask_babel import force_locale, ngettext
    with app.test_request_context(), force_locale("de"):
        assert ngettext("%(num)s month", "%(num)s months", 1) == "1 Monat"
        assert ngettext("%(num)s month", "%(num)s months", 24) == "24 Monate"


@pytest.mark.parametrize("lang, hello", [("pl", "Dzień dobry,"), ("de", "Guten Tag,")])
def test_the_e_mail_templates_are_translated(app, lang, hello):
    from flask import render_template
    from flask_babel import force_locale
    with app.test_request_context(), force_locale(lang):
        body = render_template("email/reset.txt", user=type("U", (), {"email": "a@example.com"})(),
                               link="http://cmr.test/reset/x")
    assert body.startswith(hello)
    assert "a@example.com" in body and "Someone" not in body
