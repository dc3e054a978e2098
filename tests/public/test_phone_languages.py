"""The phone pages (the driver's page /d/ and the signing page /s/) in the 18 label
languages: chosen by ?lang=, else the browser's Accept-Language, else the document's
first label language; a switch listing all 18; numbers and dates written the way the
chosen language writes them (ECMR issue items 2 and 6)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import time_machine
from markupsafe import escape

from cmr_app.schemas import LANGUAGES
from tests.conftest import sample_document
from tests.ecmr.conftest import signed_by  # noqa: F401  (the fixture)

PHONE = Path(__file__).resolve().parents[2] / "locales" / "phone"
SPACE = "[\u00a0\u202f ]"  # what Babel groups thousands with: a (narrow) no-break space


def _path(url: str) -> str:
    return url.replace("http://cmr.test", "")


def _words(lang: str) -> dict:
    return json.loads((PHONE / f"{lang}.json").read_text("utf-8"))


def _shown(text: str, html: str) -> bool:
    """The text as the page writes it (HTML-escaped: l'a, ім'я)."""
    return str(escape(text)) in html


def _switch(html: str) -> list[tuple[str, str, bool]]:
    [select] = re.findall(r'<select id="lang" name="lang"[^>]*>(.*?)</select>', html, re.S)
    return [(code, name, bool(sel)) for code, sel, name in
            re.findall(r'<option value="([a-z]{2})"( selected)?>([^<]+)</option>', select)]


def _signing_link(api, doc, role="carrier"):
    response = api.post(f"/documents/{doc['id']}/signing-links", json={"role": role})
    assert response.status_code == 201, response.get_json()
    return _path(response.get_json()["url"])


@pytest.fixture
def doc(api):
    with time_machine.travel("2026-11-21T10:00:00+00:00", tick=False):
        return api.post("/documents", json=sample_document()).get_json()


# The driver's page

@pytest.mark.parametrize("header, lang", [("lt-LT,lt;q=0.9,en;q=0.5", "lt"), ("uk-UA,uk;q=0.9", "uk"),
                                          ("tr-TR", "tr"), ("zh-CN,uk;q=0.3", "uk")])
def test_the_drivers_page_speaks_the_browsers_language(doc, client, header, lang):
    response = client.get(_path(doc["public_url"]), headers={"Accept-Language": header})
    html = response.get_data(as_text=True)
    words = _words(lang)
    assert response.status_code == 200 and f'<html lang="{lang}">' in html
    assert "Accept-Language" in response.headers["Vary"]
    for key in ("cmr_note", "route", "taking_over", "established", "role_sender", "role_consignee", "role_carrier",
                "vehicle", "goods", "packages", "gross_weight", "status_issued", "pdf_download", "check_title",
                "check_hint", "check_submit", "versions", "current"):
        assert _shown(words[key], html), key
    assert _shown(words["version_n"] % {"n": 1}, html)
    for english in ("Sender", "Consignee", "Carrier", "Gross weight", "Check a paper copy", "Issued"):
        assert english not in html, english


def test_lang_in_the_address_wins_over_the_browser(doc, client):
    html = client.get(_path(doc["public_url"]) + "?lang=tr", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="tr">' in html
    assert "Gönderen" in html and "Alıcı" in html and "Taşıyıcı" in html and "Brüt ağırlık" in html
    assert "Absender" not in html
    # An unknown ?lang= is ignored: the browser's language holds.
    html = client.get(_path(doc["public_url"]) + "?lang=xx", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de">' in html and "Absender" in html and "Frachtführer" in html


def test_without_a_language_the_browser_can_read_the_documents_first_label_language_is_used(api, app):
    plain = app.test_client()  # no Accept-Language at all, as curl sends
    doc = api.post("/documents", json=sample_document(languages=["lv", "de"])).get_json()
    html = plain.get(_path(doc["public_url"])).get_data(as_text=True)
    assert '<html lang="lv">' in html and "Nosūtītājs" in html
    html = plain.get(_path(doc["public_url"]), headers={"Accept-Language": "ja-JP"}).get_data(as_text=True)
    assert '<html lang="lv">' in html
    html = plain.get(_path(_signing_link(api, doc)), headers={"Accept-Language": "ja-JP"}).get_data(as_text=True)
    assert '<html lang="lv">' in html and _words("lv")["sign_as_carrier"] in html


def test_the_switch_lists_the_18_languages_in_their_own_names_and_keeps_the_check_code(doc, client):
    html = client.get(_path(doc["public_url"]) + f"?code={doc['fingerprint']}&lang=lt").get_data(as_text=True)
    options = _switch(html)
    assert [code for code, _name, _sel in options] == list(LANGUAGES)
    assert {code: name for code, name, _sel in options} == {lang: _words(lang)["language_name"] for lang in LANGUAGES}
    assert [code for code, _name, sel in options if sel] == ["lt"]
    assert "Lietuvių" in html and "Українська" in html and "Türkçe" in html and "Български" in html
    # The page has no script: the switch has its own button, and the code typed stays.
    assert "<script" not in html and re.search(r'<button type="submit">OK</button>\s*</form>', html)
    assert f'<input type="hidden" name="code" value="{doc["fingerprint"]}">' in html
    # The check form keeps the chosen language.
    assert '<input type="hidden" name="lang" value="lt">' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_drivers_page_stays_small_in_every_language(doc, client, lang):
    response = client.get(_path(doc["public_url"]) + f"?lang={lang}&code={doc['fingerprint']}")
    assert response.status_code == 200 and f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert len(response.data) < 12_000, len(response.data)


def _superseded(api, doc):
    with time_machine.travel("2026-11-22T09:00:00+00:00", tick=False):
        return api.patch(f"/documents/{doc['id']}", json={"special_agreements": "Tail lift"}).get_json()


def test_the_verdict_in_german_and_polish_with_its_numbers_and_dates(api, doc, client):
    new = _superseded(api, doc)
    old_code, new_code = doc["fingerprint"], new["fingerprint"]
    path = _path(doc["public_url"])
    # Times in the company's zone (Warsaw: 10:00 UTC is 11:00), written the German way.
    de = client.get(path + f"?code={old_code}", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert "Dieses Papierexemplar ist veraltet." in de
    assert (f"Prüfcode {old_code} ist Version 1 vom 21.11.26, 11:00. Der CMR wurde seitdem geändert: "
            f"Gültig ist Version 2 vom 22.11.26, 10:00. Vergleichen Sie das Papier mit den Daten unten.") in de
    pl = client.get(path + f"?code={old_code}&lang=pl").get_data(as_text=True)
    assert "Ten egzemplarz papierowy jest nieaktualny." in pl
    assert (f"Kod kontrolny {old_code} to wersja 1 z 21.11.2026, 11:00. List CMR został od tego czasu zmieniony: "
            f"obowiązuje wersja 2 z 22.11.2026, 10:00.") in pl
    current = client.get(path + f"?code={new_code}&lang=pl").get_data(as_text=True)
    assert "Ten egzemplarz papierowy jest aktualny." in current
    assert f"Kod kontrolny {new_code} to wersja 2, obowiązująca od 22.11.2026, 10:00." in current
    forged = client.get(path + "?code=0123456789ab&lang=de").get_data(as_text=True)
    assert "Dieser Prüfcode gehört nicht zu diesem CMR." in forged
    assert f"Keine Version des CMR {doc['number']} wurde mit dem Prüfcode 0123456789ab gedruckt." in forged
    # The list of versions, in German.
    assert re.search(rf"Version 1 · <code>{old_code}</code> · 21\.11\.26, 11:00", de)
    assert re.search(rf"Version 2 · <code>{new_code}</code> · 22\.11\.26, 10:00 · <strong>aktuell</strong>", de)


@pytest.mark.parametrize("lang, taking_over, weight", [
    ("en", "Nov 21, 2026", "12,400\\.5"), ("de", "21\\.11\\.2026", "12\\.400,5"), ("pl", "21 lis 2026", f"12{SPACE}400,5"),
    ("lt", "2026-11-21", f"12{SPACE}400,5"), ("tr", "21 Kas 2026", "12\\.400,5"),
    ("uk", f"21 лист\\. 2026{SPACE}р\\.", f"12{SPACE}400,5"),
])
def test_dates_and_numbers_are_written_the_languages_way(doc, client, lang, taking_over, weight):
    html = client.get(_path(doc["public_url"]) + f"?lang={lang}").get_data(as_text=True)
    words = _words(lang)
    assert re.search(rf'{re.escape(words["taking_over"])}</span><br>{taking_over}</p>', html)
    assert re.search(rf'{re.escape(words["gross_weight"])}</span><br><strong>{weight} kg</strong>', html)


def test_a_cancelled_document_says_so_in_the_chosen_language(api, doc, client):
    with time_machine.travel("2026-11-24T08:00:00+00:00", tick=False):
        assert api.post(f"/documents/{doc['id']}/cancel", json={"reason": "Zlecenie odwołane"}).status_code == 200
    company = api.get("/account").get_json()["company"]["name"]
    fr = client.get(_path(doc["public_url"]) + "?lang=fr").get_data(as_text=True)
    assert "Cette CMR est annulée." in fr and "Annulée" in fr
    assert re.search(rf"{re.escape(company)} l'a annulée le 24 nov\. 2026, 09:00:00\. Motif : Zlecenie odwołane", fr
                     .replace("&#39;", "'")), fr
    assert "Un exemplaire papier de cette CMR n'est plus valable pour ce transport." in fr.replace("&#39;", "'")


def test_a_withdrawn_document_and_an_unknown_link_in_the_browsers_language(api, doc, client):
    company = api.get("/account").get_json()["company"]["name"]
    with time_machine.travel("2026-11-23T15:00:00+00:00", tick=False):
        assert api.delete(f"/documents/{doc['id']}").status_code == 204
    page = client.get(_path(doc["public_url"]), headers={"Accept-Language": "de"})
    html = page.get_data(as_text=True)
    assert page.status_code == 410 and '<html lang="de">' in html
    assert "Dieser CMR wurde von seinem Aussteller zurückgezogen." in html
    assert f"{company} hat den CMR {doc['number']} am 23.11.2026, 16:00:00 zurückgezogen." in html
    assert f"<title>CMR {doc['number']}: zurückgezogen</title>" in html
    assert [code for code, _n, _s in _switch(html)] == list(LANGUAGES)

    unknown = client.get("/d/" + "A" * 22, headers={"Accept-Language": "lt"})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 404 and '<html lang="lt">' in html
    assert "Su šia nuoroda joks CMR nebuvo išrašytas." in html and "No CMR was issued" not in html
    assert len(_switch(html)) == 18


# The signing page

@pytest.mark.parametrize("how, lang", [({"headers": {"Accept-Language": "lt-LT,lt;q=0.9"}}, "lt"),
                                       ({"query": "?lang=tr"}, "tr"),
                                       ({"headers": {"Accept-Language": "uk"}}, "uk"),
                                       ({"headers": {"Accept-Language": "de"}, "query": "?lang=uk"}, "uk")])
def test_the_signing_page_speaks_the_chosen_language(api, doc, client, how, lang):
    path = _signing_link(api, doc, "carrier")
    response = client.get(path + how.get("query", ""), headers=how.get("headers", {}))
    html = response.get_data(as_text=True)
    words = _words(lang)
    assert response.status_code == 200 and f'<html lang="{lang}">' in html
    for key in ("sign_as_carrier", "intro_carrier", "role_sender", "role_consignee", "your_name", "signature",
                "signature_hint", "reservations", "reservation.packages_missing", "reservation.seal_broken",
                "photos", "position", "submit", "version_code"):
        assert _shown(words[key], html), key
    # The words the script shows while sending come in the same language.
    texts = json.loads(re.search(r'<template id="texts">(.*?)</template>', html, re.S).group(1)
                       .replace("&#34;", '"').replace("&quot;", '"'))
    assert texts == {"sending": words["sending"], "submit": words["submit"], "error_generic": words["error_generic"]}
    assert "Sign as the carrier" not in html and "Reservations" not in html
    options = _switch(html)
    assert [code for code, _n, _s in options] == list(LANGUAGES) and [c for c, _n, s in options if s] == [lang]


def test_signed_so_far_shows_the_reservation_and_the_time_in_the_signers_language(api, doc, client, signed_by):
    with time_machine.travel("2026-11-21T12:30:00+00:00", tick=False):
        assert signed_by(client, "http://cmr.test" + _signing_link(api, doc, "sender"), "Jan Kowalski").status_code == 201
        carrier = _signing_link(api, doc, "carrier")
        assert signed_by(client, "http://cmr.test" + carrier, "Piotr Kierowca",
                         reservations=[{"code": "seal_broken", "text": ""}]).status_code == 201
    consignee = _signing_link(api, doc, "consignee")
    html = client.get(consignee, headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert "Gönderen: <strong>Jan Kowalski</strong> · 21.11.2026 13:30" in html
    assert "Mühür yok veya kırık" in html


def test_a_used_signing_link_says_so_in_the_chosen_language(api, doc, client, signed_by):
    path = _signing_link(api, doc, "sender")
    assert signed_by(client, "http://cmr.test" + path, "Jan").status_code == 201
    html = client.get(path + "?lang=lt").get_data(as_text=True)
    assert '<html lang="lt">' in html and _words("lt")["gone_used"] in html and len(_switch(html)) == 18
    html = client.get("/s/" + "B" * 22, headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert _words("uk")["unknown_link"] in html


def test_the_signing_page_with_its_scripts_and_styles_weighs_under_150_kb(api, doc, client):
    """What a phone on a weak connection loads: the page and every file it references."""
    response = client.get(_signing_link(api, doc, "carrier"), headers={"Accept-Language": "bg"})
    html = response.get_data(as_text=True)
    assets = re.findall(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"', html)
    assert any(a.endswith("sign.js") for a in assets) and any(a.endswith("signature_pad.umd.min.js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    total = len(response.data)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        total += len(asset.data)
        asset.close()
    assert total < 150 * 1024, total
