"""The phone pages (signing, and the driver's page) speak the 18 label languages of the
form: their words are data in locales/phone/{lang}.json, English filling any gap."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import request

from ..schemas import LANGUAGES

FOLDER = Path(__file__).resolve().parents[2] / "locales" / "phone"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    english = json.loads((FOLDER / "en.json").read_text("utf-8"))
    path = FOLDER / f"{lang}.json"
    if lang == "en" or not path.exists():
        return english
    return {**english, **json.loads(path.read_text("utf-8"))}


def available() -> list[tuple[str, str]]:
    """(code, the language's own name) for the switch."""
    return [(code, catalogue(code)["language_name"]) for code in LANGUAGES if (FOLDER / f"{code}.json").exists()]


def choose(fallback: list[str] | None = None) -> str:
    """?lang= when given, else the browser's preference among the 18, else the document's
    first label language, else English."""
    codes = [code for code, _name in available()]
    asked = (request.args.get("lang") or "").lower()
    if asked in codes:
        return asked
    best = request.accept_languages.best_match(codes) if request.accept_languages else None
    if best:
        return best
    for code in fallback or []:
        if code in codes:
            return code
    return "en"
