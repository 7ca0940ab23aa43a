"""QR codes as real images: zxing-cpp draws them and reads them back.

A scan in the simulator is a real decode of a PNG, so a damaged picture fails the way a
camera would, and the same picture can be attached to a report. (zxing-cpp's writer
replaced segno here: the same images at a third of the cost, measured in bench/.)
"""

from __future__ import annotations

import io
from functools import lru_cache

import zxingcpp
from PIL import Image, UnidentifiedImageError

MASK = 2  # vertical stripes of modules; chosen once, for every picture


@lru_cache(maxsize=1024)
def render(text: str) -> bytes:
    """PNG bytes of a QR code holding ``text``. Cached: a picture never changes."""
    # A fixed mask pattern: any of the eight is a valid symbol that every decoder reads
    # (the format bits name it), and trying all eight for the lowest penalty was five
    # sixths of zxing-cpp's encoding time (bench/README.md, "Third round").
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M",
                                     data_mask=MASK)
    # Two pixels a module and light compression: readable by any decoder, and half the
    # cost of scale 4 at zlib's default level (bench/README.md, "Where the time goes").
    pixels = memoryview(symbol.to_image(scale=2, add_quiet_zones=True))  # type: ignore[arg-type]
    height, width = pixels.shape or (0, 0)
    out = io.BytesIO()
    Image.frombytes("L", (width, height), pixels.tobytes()).save(out, format="PNG",
                                                                compress_level=1)
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
