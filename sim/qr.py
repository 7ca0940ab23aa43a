"""QR codes as real images: segno draws them, zxing-cpp reads them back.

A scan in the simulator is a real decode of a PNG, so a damaged picture fails the way a
camera would, and the same picture can be attached to a report.
"""

from __future__ import annotations

import io
from functools import lru_cache

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError


@lru_cache(maxsize=1024)
def render(text: str) -> bytes:
    """PNG bytes of a QR code holding ``text``. Cached: a picture never changes."""
    out = io.BytesIO()
    # A fixed mask skips segno's search over all eight: any mask decodes alike.
    segno.make(text, error="m", micro=False, mask=0).save(out, kind="png", scale=4, border=4)
    return out.getvalue()


@lru_cache(maxsize=1024)
def decode(png: bytes) -> str | None:
    """The text of the first QR code in the picture, or None if none can be read."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    results = zxingcpp.read_barcodes(image)
    texts = [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]
    return texts[0] if texts else None
