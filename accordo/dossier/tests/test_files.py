import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import img2pdf
import ocrmypdf
import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PageObject, PdfReader, PdfWriter

from accordo.dossier.fileproc import (
    CorruptFile,
    EncryptedFile,
    FileProcessingError,
    Kind,
    OcrFailed,
    TooLarge,
    UnsupportedFile,
    extension_matches,
    image_guard,
    needs_ocr,
    ocr_image,
    ocr_pdf,
    pdf_info,
    safe_filename,
    sha256_of,
    sniff,
    thumbnail,
)
from accordo.dossier.fileproc.sniffing import XLSX
from accordo.dossier.ocrbench import ocr_seconds_per_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200


# --- fixtures: every file is built here, small enough that OCR stays around a second -------------


def scan_of(*lines: str) -> Image.Image:
    """A white strip of A4 width at 200 dpi with the lines in black, like a flatbed scan."""
    font = ImageFont.truetype(FONT, 36)
    image = Image.new("L", (1400, 110 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((80, 60 + 70 * number), line, font=font, fill=0)
    return image


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def text_pdf_bytes(pages: int = 2, text: str = "Jaarrekening 2025 van Bakkerij de Vries BV.") -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Pagina {number + 1}. " + text * 3)
    return bytes(pdf.output())


def raw_pdf(*objects: str) -> bytes:
    """A hand-written PDF with a correct cross-reference table, for shapes no library would write."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png_bomb(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of width x height white pixels; zeros compress about 1000:1."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    compressor = zlib.compressobj(1)
    rows = (b"\x00" + b"\xff" * ((width + 7) // 8)) * 1000
    idat = b"".join(compressor.compress(rows) for _ in range(height // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def image_bytes(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.fixture
def text_pdf(tmp_path):
    return write(tmp_path / "jaarrekening.pdf", text_pdf_bytes())


@pytest.fixture
def scanned_pdf(tmp_path):
    scan = scan_of("Belastingaangifte 2025", "Kwitantie nummer 4711")
    source = write(tmp_path / "scan.png", image_bytes(scan, "PNG", dpi=(DPI, DPI)))
    return write(tmp_path / "scan.pdf", img2pdf.convert(str(source)))


@pytest.fixture
def encrypted_pdf(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf_bytes())))
    writer.encrypt(user_password="geheim", owner_password="eigenaar", algorithm="AES-256")
    writer.write(tmp_path / "beveiligd.pdf")
    return tmp_path / "beveiligd.pdf"


@pytest.fixture
def corrupt_pdf(tmp_path):
    data = text_pdf_bytes()
    return write(tmp_path / "kapot.pdf", data[: len(data) // 2])


@pytest.fixture(scope="session")
def bomb_png(tmp_path_factory):
    return write(tmp_path_factory.mktemp("bomb") / "bom.png", png_bomb(30_000, 30_000))


# --- sniffing ---------------------------------------------------------------------------------------


def test_it_sniffs_a_pdf_from_its_bytes_not_its_name(tmp_path):
    sniffed = sniff(write(tmp_path / "notities.txt", text_pdf_bytes()))
    assert (sniffed.mime, sniffed.kind) == ("application/pdf", Kind.PDF)


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("TIFF", "image/tiff")])
def test_it_sniffs_images(tmp_path, fmt, mime):
    sniffed = sniff(write(tmp_path / "bestand", image_bytes(Image.new("RGB", (8, 8)), fmt)))
    assert (sniffed.mime, sniffed.kind) == (mime, Kind.IMAGE)


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="UTF-8"?>\n', ""])
def test_it_sniffs_a_ubl_invoice_as_xml_with_or_without_declaration(tmp_path, declaration):
    ubl = f'{declaration}<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>'
    assert sniff(write(tmp_path / "factuur", ubl.encode())).kind == Kind.XML


def test_it_sniffs_a_plain_zip_as_zip(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bonnetjes/bon1.txt", "Albert Heijn 12,34")
    assert sniff(write(tmp_path / "bonnen.zip", buffer.getvalue())) == sniff(tmp_path / "bonnen.zip")
    assert sniff(tmp_path / "bonnen.zip").kind == Kind.ZIP


def test_it_sniffs_an_office_file_whose_first_zip_entry_does_not_tell(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    sniffed = sniff(write(tmp_path / "grootboek", buffer.getvalue()))
    assert (sniffed.mime, sniffed.kind) == (XLSX, Kind.OFFICE)


def test_it_sniffs_an_opendocument_text_as_office(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    sniffed = sniff(write(tmp_path / "brief.odt", buffer.getvalue()))
    assert (sniffed.mime, sniffed.kind) == ("application/vnd.oasis.opendocument.text", Kind.OFFICE)


def test_it_sniffs_text_but_never_calls_html_or_an_executable_text(tmp_path):
    assert sniff(write(tmp_path / "a", b"Datum;Bedrag\n01-01-2025;12,50\n")).kind == Kind.TEXT
    assert sniff(write(tmp_path / "b", b"<!DOCTYPE html><html><body>x</body></html>")).kind == Kind.OTHER
    assert sniff(write(tmp_path / "c", b"MZ\x90\x00\x03" + b"\x00" * 500)).kind == Kind.OTHER


@pytest.mark.parametrize(
    ("name", "mime", "matches"),
    [
        ("factuur.pdf", "application/pdf", True),
        ("FACTUUR.PDF", "application/pdf", True),
        ("foto.jpeg", "image/jpeg", True),
        ("ING-2025.sta", "text/plain", True),
        ("factuur.pdf", "image/png", False),
        ("factuur.pdf", "application/x-dosexec", False),
        ("rapport.xlsx", "application/zip", False),
        ("setup.exe", "application/x-dosexec", True),
        ("leesmij", "application/x-dosexec", False),
        ("onbekend.xyz", "application/octet-stream", True),
    ],
)
def test_it_checks_whether_an_extension_fits_the_content(name, mime, matches):
    assert extension_matches(name, mime) is matches


def test_it_catches_png_bytes_posing_as_a_pdf(tmp_path):
    liar = write(tmp_path / "factuur.pdf", image_bytes(Image.new("RGB", (8, 8)), "PNG"))
    assert not extension_matches(liar.name, sniff(liar).mime)


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("/var/www/factuur.pdf", "factuur.pdf"),
        ("fact\x00uur\x07.pdf", "factuur.pdf"),
        ("regel\teen\r\ntwee.txt", "regel een twee.txt"),
        ("<script>alert('x')</script>.pdf", "script_.pdf"),
        ('Q1 "concept" & <final>.xlsx', "Q1 _concept_ _ _final_.xlsx"),
        ("  Jaarrekening   2025  .pdf ", "Jaarrekening 2025.pdf"),
        ("Cafe\u0301 Zoë 🧾.pdf", "Café Zoë 🧾.pdf"),
        ("factuur\u202efdp.exe", "factuurfdp.exe"),
        ("..", "bestand"),
        (".", "bestand"),
        ("", "bestand"),
        (".pdf", "bestand.pdf"),
        ("...\x00\x01", "bestand"),
        ("Rapport v1.0 definitief", "Rapport v1.0 definitief"),
    ],
)
def test_it_makes_filenames_safe(name, expected):
    assert safe_filename(name) == expected


def test_it_cuts_long_names_in_the_stem_and_keeps_the_extension():
    assert safe_filename("a" * 300 + ".pdf") == "a" * 196 + ".pdf"
    emoji = safe_filename("📄" * 300 + ".pdf")
    assert emoji.endswith("📄.pdf") and len(emoji.encode()) <= 255


def test_it_never_raises_on_odd_input():
    for name in (None, "\ud800.pdf", "\x00" * 10, "/" * 5, " " * 5, "\\"):
        result = safe_filename(name)  # type: ignore[arg-type]
        assert result and result not in {".", ".."} and "/" not in result and "\\" not in result
        result.encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------------


def test_it_reads_the_text_layer_of_a_pdf(text_pdf):
    info = pdf_info(text_pdf)
    assert (info.pages, info.pages_read, info.encrypted, info.corrupt) == (2, 2, False, False)
    assert "Bakkerij de Vries" in info.text and "Pagina 2" in info.text.split("\f")[1]
    assert not needs_ocr(info)


def test_it_says_a_scanned_pdf_needs_ocr(scanned_pdf):
    info = pdf_info(scanned_pdf)
    assert (info.pages, info.text, info.image_pages) == (1, "", (0,))
    assert needs_ocr(info)


def test_it_falls_back_to_pdfminer_when_pypdf_finds_no_text(text_pdf, monkeypatch):
    monkeypatch.setattr(PageObject, "extract_text", lambda self, *a, **k: "")
    assert "Bakkerij de Vries" in pdf_info(text_pdf).text


def test_it_reports_an_encrypted_pdf(encrypted_pdf):
    info = pdf_info(encrypted_pdf)
    assert info.encrypted and not info.opens_without_password and not needs_ocr(info)
    with pytest.raises(EncryptedFile):
        info.check()


def test_it_reads_a_pdf_that_opens_with_an_empty_password(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf_bytes())))
    writer.encrypt(user_password="", owner_password="eigenaar", algorithm="AES-128")
    writer.write(tmp_path / "alleen-lezen.pdf")
    info = pdf_info(tmp_path / "alleen-lezen.pdf")
    assert info.encrypted and info.opens_without_password and "Bakkerij" in info.text


@pytest.mark.parametrize("data", [text_pdf_bytes()[:900], b"%PDF-1.7\nthis is no pdf", b""])
def test_it_reports_a_corrupt_pdf_without_raising(tmp_path, data):
    info = pdf_info(write(tmp_path / "kapot.pdf", data))
    assert info.corrupt and info.reason and not info.readable
    with pytest.raises(CorruptFile):
        info.check()


def test_it_stops_reading_at_the_page_and_text_caps(tmp_path):
    path = write(tmp_path / "lang.pdf", text_pdf_bytes(pages=5))
    info = pdf_info(path, max_pages=2)
    assert (info.pages, info.pages_read, len(info.text.split("\f"))) == (5, 2, 2)
    info = pdf_info(path, max_chars=50)
    assert len(info.text.replace("\f", "")) == 50 and info.text_truncated


def test_it_refuses_a_page_tree_declaring_a_billion_pages(tmp_path):
    bomb = raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    )
    info = pdf_info(write(tmp_path / "bom.pdf", bomb))
    assert info.too_large and info.pages == 1_000_000_000 and info.pages_read == 0
    with pytest.raises(TooLarge):
        info.check()


def test_it_survives_a_cyclic_page_tree(tmp_path):
    cycle = raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    )
    assert pdf_info(write(tmp_path / "kringetje.pdf", cycle)).corrupt


# --- OCR (real Tesseract; each test a single small page) --------------------------------------------


def test_it_ocrs_a_scanned_pdf(scanned_pdf):
    text = ocr_pdf(scanned_pdf)
    assert "Belastingaangifte" in text and "4711" in text


def test_it_ocrs_only_the_scanned_page_and_keeps_the_text_layer(tmp_path, scanned_pdf):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf_bytes(pages=1))))
    writer.append(PdfReader(scanned_pdf))
    writer.write(tmp_path / "gemengd.pdf")
    pages = ocr_pdf(tmp_path / "gemengd.pdf").split("\f")
    assert "Bakkerij de Vries" in pages[0] and "Belastingaangifte" in pages[1]


def test_it_does_not_ocr_a_pdf_with_a_text_layer(text_pdf, monkeypatch):
    monkeypatch.setattr(ocrmypdf, "ocr", lambda *a, **k: pytest.fail("OCR ran"))
    assert "Bakkerij de Vries" in ocr_pdf(text_pdf)


def test_it_ocrs_a_photo_turned_sideways_by_its_exif(tmp_path):
    sideways = scan_of("Kwitantie voor contante betaling").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90 degrees clockwise: only right after exif_transpose
    photo = write(tmp_path / "bon.jpg", image_bytes(sideways.convert("RGB"), "JPEG", quality=92, exif=exif))
    assert "Kwitantie" in ocr_image(photo)


def test_it_refuses_to_ocr_encrypted_or_corrupt_pdfs(encrypted_pdf, corrupt_pdf):
    with pytest.raises(EncryptedFile):
        ocr_pdf(encrypted_pdf)
    with pytest.raises(CorruptFile):
        ocr_pdf(corrupt_pdf)


def test_it_turns_an_ocrmypdf_failure_into_ocr_failed(scanned_pdf):
    with pytest.raises(OcrFailed) as raised:
        ocr_pdf(scanned_pdf, languages=("zzz",))
    assert str(raised.value.message) == "Text recognition failed for this file."


def test_it_refuses_to_ocr_what_is_not_an_image(tmp_path, text_pdf):
    with pytest.raises(UnsupportedFile):
        ocr_image(text_pdf)
    with pytest.raises(UnsupportedFile):
        ocr_image(write(tmp_path / "foto.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64))


# --- images and thumbnails --------------------------------------------------------------------------


def test_it_guards_an_ordinary_image(tmp_path):
    info = image_guard(write(tmp_path / "bon.png", image_bytes(Image.new("RGB", (640, 480)), "PNG")))
    assert (info.format, info.width, info.height) == ("PNG", 640, 480)


def test_it_refuses_a_decompression_bomb_everywhere(bomb_png):
    for attempt in (
        lambda: image_guard(bomb_png),
        lambda: thumbnail(bomb_png, "image/png"),
        lambda: ocr_image(bomb_png),
    ):
        with pytest.raises(TooLarge):
            attempt()


def test_it_refuses_images_over_50_megapixels_below_pillows_own_limit(tmp_path):
    big = write(tmp_path / "groot.png", png_bomb(8_000, 7_000))
    with pytest.raises(TooLarge):
        image_guard(big)


def test_it_respects_a_lower_pillow_pixel_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    small = write(tmp_path / "klein.png", image_bytes(Image.new("L", (40, 40)), "PNG"))
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(TooLarge):
        image_guard(small)


def test_it_refuses_a_damaged_image(tmp_path):
    data = image_bytes(scan_of("Bon"), "PNG")
    with pytest.raises(CorruptFile):
        image_guard(write(tmp_path / "kapot.png", data[: len(data) // 2]))
    jpeg = image_bytes(scan_of("Bon").convert("RGB"), "JPEG")
    with pytest.raises(CorruptFile):
        thumbnail(write(tmp_path / "kapot.jpg", jpeg[: len(jpeg) // 2]), "image/jpeg")


def test_it_refuses_image_formats_it_does_not_decode(tmp_path):
    eps = write(tmp_path / "logo.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    with pytest.raises(UnsupportedFile):
        image_guard(eps)


def test_it_thumbnails_the_first_page_of_a_pdf(text_pdf):
    data = thumbnail(text_pdf, "application/pdf")
    assert data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and image.height == 320 and 220 <= image.width <= 230


def test_it_thumbnails_a_jpeg_upright_by_its_exif(tmp_path):
    landscape = Image.new("RGB", (400, 200), "blue")
    landscape.paste("red", (0, 0, 200, 200))  # left half red: on top once turned 90 degrees clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = write(tmp_path / "foto.jpg", image_bytes(landscape, "JPEG", exif=exif))
    data = thumbnail(photo, "image/jpeg", size=160)
    assert data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (80, 160)
        pixel = image.convert("RGB").getpixel((40, 10))
        assert isinstance(pixel, tuple) and pixel[0] > 200 and pixel[2] < 60


def test_it_has_no_thumbnail_for_other_types(tmp_path):
    assert thumbnail(write(tmp_path / "a.txt", b"hallo"), "text/plain") is None
    assert thumbnail(tmp_path / "a.txt", "application/zip") is None


def test_it_refuses_thumbnails_of_encrypted_or_corrupt_pdfs(encrypted_pdf, corrupt_pdf):
    with pytest.raises(EncryptedFile):
        thumbnail(encrypted_pdf, "application/pdf")
    with pytest.raises(CorruptFile):
        thumbnail(corrupt_pdf, "application/pdf")


# --- hashes, errors, bench ----------------------------------------------------------------------------


def test_it_hashes_a_known_string():
    assert sha256_of(io.BytesIO(b"abc")) == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3)


def test_it_hashes_across_chunks_from_the_current_position():
    data = bytes(range(256)) * 10_000  # 2.5 MB: three chunks
    stream = io.BytesIO(b"skip" + data)
    stream.read(4)
    assert sha256_of(stream) == (hashlib.sha256(data).hexdigest(), len(data))


def test_it_gives_every_error_a_user_message_and_a_reason():
    for error in (EncryptedFile, CorruptFile, TooLarge, UnsupportedFile, OcrFailed):
        assert issubclass(error, FileProcessingError)
        assert str(error("why")) == "why" and str(error()) == str(error.message)


def test_it_times_our_ocr_against_bare_tesseract(scanned_pdf, text_pdf):
    ours, bare = ocr_seconds_per_page(scanned_pdf)
    assert 0 < bare < 60 and 0 < ours < 60
    with pytest.raises(ValueError):
        ocr_seconds_per_page(text_pdf)
