"""PDF inspection helpers shared by the renderer tests."""
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader



def pdf_pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Whitespace-free: wrapped values compare equal to their source."""
    return re.sub(r"\s+", "", text)


def page_png(pdf: bytes, page: int, tmp_path, dpi=200) -> str:
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) not installed")
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    out = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(src), str(out)], check=True)
    return f"{out}.png"


def fonts_of(pdf: bytes) -> list:
    """Every font dictionary a page uses, form XObjects included."""
    found = []

    def walk(res):
        res = res.get_object() if res is not None else {}
        for font in (res.get("/Font") or {}).values():
            found.append(font.get_object())
        for xobj in (res.get("/XObject") or {}).values():
            xobj = xobj.get_object()
            if "/Resources" in xobj:
                walk(xobj["/Resources"])

    for page in PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return found
