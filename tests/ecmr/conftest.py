"""Helpers of the e-CMR tests: a drawn signature as a phone sends it, and photos."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageDraw


def drawn_signature(width: int = 600, height: int = 240, blank: bool = False) -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(40, 180), (120, 60), (200, 170), (300, 70), (420, 160), (540, 90)], fill=(11, 31, 68, 255),
                  width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def photo_bytes(size=(800, 600), color=(180, 120, 60), fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def data_url(content: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


@pytest.fixture
def signed_by():
    """signed_by(client, url, name, **extra) posts a signature to a signing link."""
    def sign(client, url: str, name: str, **extra):
        path = url.replace("http://cmr.test", "")
        payload = {"signer_name": name, "signature": drawn_signature(), **extra}
        return client.post(path, json=payload)
    return sign
