"""The terms of service shown at /terms: a plain-text file per language, the operator's
own (TERMS_DIR or CMR_TERMS_DIR) before the template shipped in locales/terms/.

The text is plain: a line starting with "# " or "## " is a heading, a blank line
separates paragraphs, a line starting with "- " is a list item. Everything is escaped
by the template, so the file can never inject markup."""
from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

SHIPPED = Path(__file__).resolve().parents[2] / "locales" / "terms"


def folders() -> list[Path]:
    configured = current_app.config.get("TERMS_DIR") or os.environ.get("CMR_TERMS_DIR")
    return ([Path(configured)] if configured else []) + [SHIPPED]


def text(lang: str) -> str:
    """The operator's file in this language, else the operator's English one, else the template."""
    for folder in folders():
        for code in (lang, "en"):
            path = folder / f"{code}.md"
            if path.is_file():
                return path.read_text(encoding="utf-8")
    return ""


def blocks(source: str) -> list[tuple[str, object]]:
    """("h1"|"h2"|"p", text) and ("ul", [items]) in order."""
    result: list[tuple[str, object]] = []
    paragraph: list[str] = []

    def close():
        if paragraph:
            result.append(("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("## ") or line.startswith("# "):
            close()
            result.append(("h2" if line.startswith("## ") else "h1", line.lstrip("#").strip()))
        elif line.startswith("- "):
            close()
            if result and result[-1][0] == "ul":
                result[-1][1].append(line[2:].strip())
            else:
                result.append(("ul", [line[2:].strip()]))
        else:
            paragraph.append(line)
    close()
    return result
