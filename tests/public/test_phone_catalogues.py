"""The phone pages' catalogues (locales/phone/*.json): one for each of the 18 label
languages, each with exactly English's keys, nothing left empty or in English where a
word must change, and the same placeholders, so no sentence breaks when it is filled."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cmr_app.schemas import LANGUAGES

FOLDER = Path(__file__).resolve().parents[2] / "locales" / "phone"
PERCENT = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%")
BRACES = re.compile(r"\{[A-Za-z_]\w*(?::[^}]*)?\}")
ENGLISH = json.loads((FOLDER / "en.json").read_text("utf-8"))
OTHERS = [lang for lang in LANGUAGES if lang != "en"]


def load(lang: str) -> dict:
    return json.loads((FOLDER / f"{lang}.json").read_text("utf-8"))


def test_there_is_a_catalogue_for_each_label_language_and_no_other():
    assert sorted(p.stem for p in FOLDER.glob("*.json")) == sorted(LANGUAGES)
    assert len(LANGUAGES) == 18


@pytest.mark.parametrize("lang", OTHERS)
def test_the_catalogue_has_exactly_the_english_keys_and_no_empty_value(lang):
    catalogue = load(lang)
    assert set(catalogue) == set(ENGLISH), (sorted(set(ENGLISH) - set(catalogue)), sorted(set(catalogue) - set(ENGLISH)))
    assert not [key for key, value in catalogue.items() if not isinstance(value, str) or not value.strip()]


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_match_english(lang):
    catalogue = load(lang)
    problems = []
    for key, source in ENGLISH.items():
        text = catalogue[key]
        if sorted(PERCENT.findall(text)) != sorted(PERCENT.findall(source)):
            problems.append((key, "%-placeholders"))
        if "%" in PERCENT.sub("", text):
            problems.append((key, "a stray %"))
        if sorted(BRACES.findall(text)) != sorted(BRACES.findall(source)):
            problems.append((key, "{}-placeholders"))
    assert not problems, problems


@pytest.mark.parametrize("lang", OTHERS)
def test_the_sentences_are_translated(lang):
    """Words that are the same in many languages (PDF, Route, Version %(n)s) may stay; a
    sentence or a reservation left in English may not."""
    catalogue = load(lang)
    left = [key for key, value in ENGLISH.items()
            if catalogue[key] == value and (len(value.split()) > 2 or key.startswith("reservation."))]
    assert not left, left


def test_every_language_is_named_in_itself_and_the_names_differ():
    names = {lang: load(lang)["language_name"] for lang in LANGUAGES}
    assert names["pl"] == "Polski" and names["de"] == "Deutsch" and names["lt"] == "Lietuvių"
    assert names["uk"] == "Українська" and names["tr"] == "Türkçe"
    assert len(set(names.values())) == 18


@pytest.mark.parametrize("lang", OTHERS)
def test_the_roles_use_the_printed_forms_words(lang):
    """Sender, consignee and carrier are called on the phone what the form's boxes 1, 2
    and 16 call them in that language."""
    form = json.loads((FOLDER.parent / "cmr" / f"{lang}.json").read_text("utf-8"))
    catalogue = load(lang)
    for role, box in (("sender", "box_1"), ("consignee", "box_2"), ("carrier", "box_16")):
        printed = form[box].split("(")[0].strip()
        assert catalogue["role_" + role].casefold() == printed.casefold(), (role, printed)
