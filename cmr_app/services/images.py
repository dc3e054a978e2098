"""Uploaded images, decoded once and bounded: the company logo now, photos later.

An upload is opened with Pillow, its declared size checked from the header before any
pixel is decoded, decoded once, and re-encoded as a downscaled copy without metadata.
Only that copy is stored, so what the renderers and pages later read is always a small
image this module wrote, never the file as sent. No Flask, no database: the Alembic
migration that cleans old logos calls the same function."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_BYTES = 1024 * 1024
# A 4000 × 4000 RGBA image is 64 MB in memory while it is decoded: the most one upload
# may cost. The 12000 × 12000 "168 KB PNG" of the security review is 9 times that.
MAX_PIXELS = 16_000_000
MAX_SIDE = 1200
JPEG_QUALITY = 88


class ImageRefused(ValueError):
    """Why an upload is not stored: `reason` is one of EMPTY, TOO_BIG, NOT_AN_IMAGE,
    DAMAGED, TOO_MANY_PIXELS; `limit` and `size` give the figures for the message."""
    EMPTY, TOO_BIG, NOT_AN_IMAGE, DAMAGED, TOO_MANY_PIXELS = (
        "empty", "too_big", "not_an_image", "damaged", "too_many_pixels")

    def __init__(self, reason: str, *, limit: int = 0, size: tuple[int, int] = (0, 0)):
        super().__init__(reason)
        self.reason, self.limit, self.size = reason, limit, size


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    width: int
    height: int


def clean_image(content: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
                max_side: int = MAX_SIDE) -> CleanImage:
    """The upload re-encoded: at most `max_side` pixels on its long side, EXIF rotation
    applied, metadata (EXIF, GPS, ICC, text chunks) dropped; PNG when it has
    transparency or came as PNG, JPEG when it came as JPEG. Raises ImageRefused."""
    if not content:
        raise ImageRefused(ImageRefused.EMPTY)
    if len(content) > max_bytes:
        raise ImageRefused(ImageRefused.TOO_BIG, limit=max_bytes)
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; ours is lower anyway, so
        # the warning is made an error rather than logged (catch_warnings is process-wide,
        # but a filter that briefly leaks to another thread changes only a log line).
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(content), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(ImageRefused.TOO_MANY_PIXELS, limit=max_pixels)
        except Exception:  # UnidentifiedImageError, or a header Pillow chokes on
            raise ImageRefused(ImageRefused.NOT_AN_IMAGE)
        width, height = image.size
        if width < 1 or height < 1:
            raise ImageRefused(ImageRefused.DAMAGED)
        if width * height > max_pixels:
            raise ImageRefused(ImageRefused.TOO_MANY_PIXELS, limit=max_pixels, size=(width, height))
        # Phones write JPEGs with a second, embedded picture; Pillow calls those MPO.
        source_format = "JPEG" if image.format == "MPO" else image.format
        try:
            if source_format == "JPEG":
                # libjpeg decodes straight to a 1/2, 1/4 or 1/8 scale: less memory and time.
                image.draft("RGB", (max_side, max_side))
            image.load()
            image = ImageOps.exif_transpose(image)
            clean = _downscaled(image, max_side)
        except ImageRefused:
            raise
        except Exception:  # truncated or corrupt data: OSError, SyntaxError, ValueError …
            raise ImageRefused(ImageRefused.DAMAGED)
    return _encoded(clean, source_format)


def _downscaled(image: Image.Image, max_side: int) -> Image.Image:
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if transparent and image.mode != "RGBA":
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image carries none of the source's info: no EXIF, ICC profile or text.
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encoded(image: Image.Image, source_format: str) -> CleanImage:
    buffer = io.BytesIO()
    if source_format == "JPEG" and image.mode in ("L", "RGB"):
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        mime = FORMATS["JPEG"]
    else:
        image.save(buffer, "PNG", optimize=True)
        mime = FORMATS["PNG"]
    return CleanImage(buffer.getvalue(), mime, image.width, image.height)


def refusal_message(exc: ImageRefused) -> str:
    """The refusal in the user's language, for a form field or the API's details."""
    from flask_babel import gettext as _
    if exc.reason == ImageRefused.TOO_BIG:
        return _("The file may be at most %(n)s MB.", n=f"{exc.limit / (1024 * 1024):g}")
    if exc.reason == ImageRefused.TOO_MANY_PIXELS:
        return _("The image is too large: at most %(n)s megapixels, e.g. %(side)s × %(side)s.",
                 n=f"{exc.limit / 1_000_000:g}", side=int(exc.limit ** 0.5))
    if exc.reason == ImageRefused.DAMAGED:
        return _("The image cannot be read: the file is damaged or incomplete.")
    return _("Choose a PNG or JPEG file.")
