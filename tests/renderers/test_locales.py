import json

import pytest

from renderers import LANGUAGES, labels
from renderers.locales import DEFAULT_LOCALES_DIR, joined

EN = json.loads((DEFAULT_LOCALES_DIR / "en.json").read_text(encoding="utf-8"))
FIXED_TITLES = {  # CMR_FORM.md: these titles are fixed
    "pl": "Międzynarodowy samochodowy list przewozowy", "de": "Internationaler Frachtbrief",
    "en": "International consignment note", "fr": "Lettre de voiture internationale",
    "es": "Carta de porte internacional", "cs": "Mezinárodní nákladní list",
    "lv": "Starptautiskā preču-transporta pavadzīme",
    "lt": "Tarptautinis krovinių transportavimo važtaraštis", "hu": "Nemzetközi fuvarlevél",
    "bg": "Международна товарителница", "ru": "Международная товарно-транспортная накладная",
}


def test_there_is_one_file_per_language_and_no_other():
    files = {p.stem for p in DEFAULT_LOCALES_DIR.glob("*.json")}
    assert files == set(LANGUAGES)
    assert len(LANGUAGES) == 18


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_label_of_english_and_none_empty(lang):
    data = labels(lang)
    assert set(data) == set(EN)
    for key, value in data.items():
        if key == "_review":
            continue
        assert isinstance(value, str) and value.strip(), f"{lang}.{key} is empty"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_states_whether_it_wants_a_native_review(lang):
    review = labels(lang)["_review"]
    assert isinstance(review["needs_native_review"], bool)
    assert review["note"].strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_annex_labels_carry_the_annex_number(lang):
    data = labels(lang)
    assert "{n}" in data["see_annex"] and "{n}" in data["annex_title"]
    assert data["see_annex"].format(n=3) != data["see_annex"]


@pytest.mark.parametrize("lang,title", FIXED_TITLES.items())
def test_known_titles_are_printed_as_fixed(lang, title):
    assert labels(lang)["title"] == title


def test_labels_are_joined_in_the_chosen_order():
    assert joined("box_1", ("pl", "de", "en")).startswith("Nadawca (")
    assert joined("box_2", ("en", "de")) == "Consignee (name, address, country) / Empfänger (Name, Anschrift, Land)"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        labels("xx")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_cancelled_stamp_word_is_in_capitals_and_labels_are_own_words(lang):
    data = labels(lang)
    stamp = data["cancelled_stamp"]
    assert stamp == stamp.upper() and len(stamp) >= 5
    if lang != "en":      # translated, not left in English
        assert stamp != "CANCELLED" and data["cancel_reason"] != "Reason"
