"""The e-CMR on paper: signatures drawn in boxes 22–24, the coded reservations in boxes 18
and 24, and the helpers the electronic record page shares with them (local times,
places, reservation labels in the label languages).

Data keys read (all optional; see ``render_cmr``):

``signatures``
    ``{"sender" | "carrier" | "consignee": {"name", "signed_at", "timezone", "position",
    "image"}}``: ``signed_at`` an ISO 8601 moment with its offset, printed as local time
    in the IANA ``timezone`` (the offset given is kept when the zone is unknown);
    ``position`` ``{"lat", "lon", "accuracy_m"}`` or None; ``image`` PNG bytes, decoded
    here defensively: a damaged or oversized image leaves the box with the name, time
    and place only.
``reservations``
    ``{"carrier": [{"code", "text"}], "consignee": [...]}``: printed in box 18 and box 24
    as the coded label in every label language plus the free text.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import warnings
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from .locales import DEFAULT_LOCALES_DIR, joined
from .sheet import Sheet
from .typography import DATA, DATA_BOLD, LEADING, fit, shrink_to_width, width, wrap

BOX_OF_ROLE = {"sender": "22", "carrier": "23", "consignee": "24"}
# The app stores signatures re-encoded at most 1200 px on a side; anything far larger
# was not written by it and is not decoded here.
SIGNATURE_MAX_PIXELS = 1600 * 1600
# Nothing filled in is printed below 6 pt (typography.MIN_SIZE): a longer name is
# shortened with "…" (in full on the record page), more reservations continue there.
NAME_SIZE, LINE_SIZE, TEXT_FLOOR = 6.5, 6.0, 6.0
RESERVATION_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)   # box 18, as its other text
RESERVATION_SIZES_24 = (6.5, 6.0)               # box 24, beside the signature
# The phone page's catalogue of reservations (locales/phone/<lang>.json, keys
# "reservation.<code>"); a language without its file prints the English wording.
PHONE_LOCALES_DIR = DEFAULT_LOCALES_DIR.parent / "phone"


# --- plain helpers -----------------------------------------------------------------

def _moment(value) -> dt.datetime | None:
    s = str(value or "").strip()
    if not s:
        return None
    try:
        moment = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def _zone(name) -> dt.tzinfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_time(value, timezone=None) -> str:
    """"21.11.2026 14:30 UTC+1": the moment in the signer's (or office's) zone, with its
    offset so it reads the same anywhere. Unreadable input is printed as given."""
    moment = _moment(value)
    if moment is None:
        return str(value or "").strip()[:40]
    zone = _zone(timezone)
    if zone is not None:
        moment = moment.astimezone(zone)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    utc = "UTC" if minutes == 0 else f"UTC{sign}{h}" + (f":{m:02d}" if m else "")
    return f"{moment:%d.%m.%Y %H:%M} {utc}"


def place_text(position) -> str:
    """"52.40640 N, 16.92520 E ±12 m", or "" without a usable position."""
    if not isinstance(position, dict):
        return ""
    try:
        lat, lon = float(position.get("lat")), float(position.get("lon"))
    except (TypeError, ValueError):
        return ""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    text = f"{abs(lat):.5f} {'N' if lat >= 0 else 'S'}, {abs(lon):.5f} {'E' if lon >= 0 else 'W'}"
    try:
        accuracy = float(position.get("accuracy_m"))
        if 0 < accuracy < 100_000:
            text += f" ±{accuracy:.0f} m"
    except (TypeError, ValueError):
        pass
    return text


@lru_cache(maxsize=None)
def _phone_labels(lang: str) -> dict:
    try:
        with open(Path(PHONE_LOCALES_DIR) / f"{lang}.json", encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def reservation_label(code, langs) -> str:
    """The coded reservation in every label language, "Opakowanie uszkodzone / …"."""
    key = f"reservation.{code}"
    parts: list[str] = []
    for lang in langs:
        text = _phone_labels(lang).get(key) or _phone_labels("en").get(key) or str(code)
        if text not in parts:
            parts.append(str(text))
    return " / ".join(parts)


def reservation_lines(items, langs) -> list[str]:
    """One paragraph per reservation: its label in the label languages, then the text."""
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        code, text = str(item.get("code") or "").strip(), " ".join(str(item.get("text") or "").split())
        if code == "other" and text:
            out.append(f"• {text}")
        elif code:
            out.append(f"• {reservation_label(code, langs)}" + (f": {text}" if text else ""))
        elif text:
            out.append(f"• {text}")
    return out


_OPAQUE = [255 if v > 40 else 0 for v in range(256)]
_DARK = [255 if v < 200 else 0 for v in range(256)]


def signature_image(data) -> ImageReader | None:
    """The drawn signature cropped to its ink, or None when it cannot be decoded."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(data)), formats=["PNG"])
            if image.width * image.height > SIGNATURE_MAX_PIXELS:
                return None
            image = image.convert("RGBA")
        # Ink = opaque and not white: a pad's transparent or white margin is cut away,
        # so the strokes fill the box.
        alpha = image.getchannel("A").point(_OPAQUE)
        dark = image.convert("L").point(_DARK)
        from PIL import ImageChops
        bbox = ImageChops.multiply(alpha, dark).getbbox()
        if bbox is None:
            return None
        pad = max(2, (bbox[2] - bbox[0]) // 40)
        bbox = (max(0, bbox[0] - pad), max(0, bbox[1] - pad),
                min(image.width, bbox[2] + pad), min(image.height, bbox[3] + pad))
        # On white, without the alpha channel: the image lies in the box's free area only,
        # and an opaque RGB image is cheaper to embed than one with a soft mask.
        ink = image.crop(bbox)
        flat = Image.new("RGB", ink.size, (255, 255, 255))
        flat.paste(ink, mask=ink.getchannel("A"))
        return ImageReader(flat)
    except Exception:  # damaged bytes: OSError, SyntaxError, ValueError, DecompressionBombError …
        return None


def signatures_of(doc) -> dict[str, dict]:
    sigs = doc.get("signatures") if isinstance(doc, dict) else None
    if not isinstance(sigs, dict):
        return {}
    return {role: s for role, s in sigs.items() if role in BOX_OF_ROLE and isinstance(s, dict)}


def reservations_of(doc, role) -> list:
    res = doc.get("reservations") if isinstance(doc, dict) else None
    items = res.get(role) if isinstance(res, dict) else None
    return items if isinstance(items, list) else []


# --- drawing -----------------------------------------------------------------------

def _one_line(s: Sheet, x, baseline, text, font, size, limit_mm, align="left") -> None:
    """A line shrunk to its width; past the floor it is shortened with an ellipsis (the
    record page prints it in full)."""
    limit = limit_mm * mm
    size = shrink_to_width(text, font, size, limit, floor=TEXT_FLOOR)
    if width(text, font, size) > limit:
        while text and width(text + "…", font, size) > limit:
            text = text[:-1]
        text = text.rstrip() + "…"
    s.text(x, baseline, text, font, size, align)


def _image(s: Sheet, img: ImageReader, rect) -> tuple[float, float, float, float]:
    """The image scaled into ``rect`` (mm), centred across and sitting on its bottom."""
    x0, y0, x1, y1 = rect
    iw, ih = img.getSize()
    if x1 - x0 <= 1 or y1 - y0 <= 1 or not iw or not ih:
        return rect
    scale = min((x1 - x0) / iw, (y1 - y0) / ih)
    w, h = iw * scale, ih * scale
    left, top = (x0 + x1 - w) / 2, y1 - h
    s.images.append((img, left * mm, (297.0 - y1) * mm, w * mm, h * mm))
    return left, top, left + w, y1


def draw_signature(s: Sheet, form, role: str, sig: dict, rect=None) -> None:
    """Boxes 22 and 23: the image over the signer's name, time and place. Box 24: the
    place and time on the printed lines, the image over the name below them (in
    ``rect`` when the reservations take the left of the box)."""
    key = BOX_OF_ROLE[role]
    x0, y0, x1, y1 = rect or form.sign_areas[key]
    name = " ".join(str(sig.get("name") or "").split())
    when = local_time(sig.get("signed_at"), sig.get("timezone"))
    where = place_text(sig.get("position"))
    img = signature_image(sig.get("image"))
    if key == "24":
        for (x, baseline, right), text in ((form.place_24, where), (form.on_24, when)):
            if text:
                _one_line(s, x, baseline - 0.6, text, DATA, LINE_SIZE, right - x)
        lines = [(name, DATA_BOLD, NAME_SIZE)]
    else:
        lines = [(name, DATA_BOLD, NAME_SIZE), (when, DATA, LINE_SIZE), (where, DATA, LINE_SIZE)]
    lines = [ln for ln in lines if ln[0]]
    y = y1
    for text, font, size in reversed(lines):
        _one_line(s, (x0 + x1) / 2, y - 0.25 * size * LEADING / mm, text, font, size, x1 - x0, "center")
        y -= size * LEADING / mm
    if img is not None:
        _image(s, img, (x0, y0, x1, y - 0.3))


def sign_area_24(form, has_reservations: bool):
    """Box 24's area split when the consignee made reservations: the reservations at the
    left, the signature at the right."""
    x0, y0, x1, y1 = form.sign_areas["24"]
    if not has_reservations:
        return None, (x0, y0, x1, y1)
    split = x0 + (x1 - x0) * 0.56
    return (x0, y0, split - 0.8, y1), (split + 0.8, y0, x1, y1)


def fit_reservations(s: Sheet, rect, free_text: str, items: list[str], langs, *, record: bool,
                     sizes=RESERVATION_SIZES):
    """Boxes 18 and 24: the free text (box 18's own wording) then the coded reservations,
    at the largest size that fits. If even the smallest does not, what fits is printed
    and the last line points to the electronic record page, which lists every
    reservation, provided the box's own free text was printed whole; otherwise the
    caller continues the box on an annex page (returns False)."""
    x0, y0, x1, y1 = rect
    w, h = (x1 - x0) * mm, (y1 - y0) * mm
    paragraphs = ([(free_text, DATA)] if free_text else []) + [(t, DATA) for t in items]
    fitted = fit(paragraphs, w, h, sizes=sizes)
    if fitted.complete:
        s.lines(x0, y0, fitted.lines, fitted.size)
        return True
    size = sizes[-1]
    lines = [(ln, font) for text, font in paragraphs for ln in wrap(text, font, size, w)]
    free_lines = len(wrap(free_text, DATA, size, w)) if free_text else 0
    ref = [(ln, DATA_BOLD) for ln in wrap("… → " + joined("see_record", tuple(langs)), DATA_BOLD, size, w)]
    room = int((h + 0.01) // (size * LEADING)) - len(ref)
    if not record or room <= free_lines or not items:
        return False
    s.lines(x0, y0, lines[:room] + ref, size)
    return True
