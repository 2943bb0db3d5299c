"""A one-page scanned letter (an image, no text layer) for the OCR bench."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import img2pdf
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "Belastingdienst",
    "Beschikking voorlopige aanslag vennootschapsbelasting 2026",
    "Geachte heer, mevrouw,",
    "Hierbij ontvangt u de voorlopige aanslag over het jaar 2026.",
    "Het te betalen bedrag is EUR 12.345,00.",
    "U kunt binnen zes weken na de dagtekening bezwaar maken.",
    "Met vriendelijke groet,",
    "De inspecteur",
]


@contextlib.contextmanager
def scanned_page(dpi: int = 200) -> Iterator[Path]:
    """An A4 page of Dutch text at ``dpi``, wrapped losslessly in a PDF."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(FONT, size=dpi // 6)
    except OSError:
        font = ImageFont.load_default(size=dpi // 6)
    y = dpi
    for line in LINES:
        draw.text((dpi, y), line, fill=0, font=font)
        y += dpi // 3
    with tempfile.TemporaryDirectory(prefix="accordo-ocr-") as folder:
        png, pdf = Path(folder) / "page.png", Path(folder) / "page.pdf"
        image.save(png, dpi=(dpi, dpi))
        pdf.write_bytes(img2pdf.convert(str(png)))
        yield pdf
