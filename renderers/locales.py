"""Label translations for the CMR form, kept as data in ``locales/cmr/<lang>.json``."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = (
    "pl", "en", "de", "fr", "es", "it", "nl", "cs", "sk",
    "lt", "lv", "et", "ro", "hu", "bg", "ru", "uk", "tr",
)

# The repo keeps translations outside the package so translators never touch code;
# CMR_LOCALES_DIR lets a deployment point elsewhere (e.g. reviewed copies).
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales" / "cmr"
_locales_dir = Path(os.environ.get("CMR_LOCALES_DIR", DEFAULT_LOCALES_DIR))


def set_locales_dir(path: str | os.PathLike | None) -> None:
    """Point the renderer at another directory of ``<lang>.json`` files (None = default)."""
    global _locales_dir
    _locales_dir = Path(path) if path is not None else DEFAULT_LOCALES_DIR
    _load.cache_clear()
    joined.cache_clear()


def locales_dir() -> Path:
    return _locales_dir


@lru_cache(maxsize=None)
def _load(lang: str) -> dict[str, object]:
    with open(_locales_dir / f"{lang}.json", encoding="utf-8") as fh:
        return json.load(fh)


def labels(lang: str) -> dict[str, str]:
    """The label dict of one language (a copy; ``_review`` metadata included)."""
    check_languages([lang])
    return dict(_load(lang))


def check_languages(languages) -> tuple[str, ...]:
    langs = tuple(languages)
    if not 1 <= len(langs) <= 3:
        raise ValueError(f"choose 1 to 3 label languages, got {len(langs)}")
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown label language(s): {', '.join(map(str, unknown))}")
    if len(set(langs)) != len(langs):
        raise ValueError("a label language is repeated")
    return langs


@lru_cache(maxsize=4096)
def joined(key: str, langs: tuple[str, ...], sep: str = " / ", **fmt) -> str:
    """One label in every chosen language, e.g. "Nadawca / Absender / Sender".

    Identical wordings (e.g. "ADR", "Tel.") are printed once.
    """
    parts: list[str] = []
    for lang in langs:
        text = str(_load(lang)[key])
        if fmt:
            text = text.format(**fmt)
        if text not in parts:
            parts.append(text)
    return sep.join(parts)


@lru_cache(maxsize=1)
def charge_row_aliases() -> dict[str, str]:
    """Every language's wording of the charges rows, folded, mapped to the row key,
    so a charge labelled "Carriage charges" or "Fracht" lands in its printed row."""
    from .layout import CHARGE_ROWS

    aliases: dict[str, str] = {}
    for lang in LANGUAGES:
        data = _load(lang)
        for key in CHARGE_ROWS:
            aliases[str(data[key]).casefold()] = key
    for key in CHARGE_ROWS:
        aliases[key] = key
    return aliases
