"""QR codes shown on pages (signing links): inline SVG with the 4-module quiet zone."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=512)  # a link's code never changes; choosing the best mask costs ~0.1 s
def qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=4, box_size=8)
    return image.to_string(encoding="unicode")
