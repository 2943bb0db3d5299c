"""The demo dossier: believable files in the demo organisations' folders (idempotent).

Everything is uploaded through the services (so events are recorded and the worker ingests the
files after the seed commits: text, OCR, thumbnails, search). The builders below make real files:
text PDFs with fpdf2, a scanned letter whose words exist only as pixels (for OCR), images.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import img2pdf
import magic
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from accordo.accounts.models import User
from accordo.clients.demo import FIRM, ORGANISATIONS
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.dossier import services
from accordo.dossier.fileproc import safe_filename
from accordo.dossier.models import Document, Folder
from accordo.dossier.uploads import SNIFF_BYTES, HashedUpload

FONTS = Path("/usr/share/fonts/truetype/dejavu")  # for the images; Pillow's own font when missing
PDF_FONT = "helvetica"
SCAN_DPI = 200
A4_PIXELS = (round(210 / 25.4 * SCAN_DPI), round(297 / 25.4 * SCAN_DPI))
BAKERY = "Bakkerij De Zon B.V."
PERSON = "J.P. de Vries"
CLUB = "Sportvereniging Oostwijk"
SCANNED_NAME = "Beschikking voorlopige aanslag 2026.pdf"
FUTURE_NAME = "Kwartaalcijfers Q3 2026.pdf"
ID_NAME = "Kopie paspoort directeur.png"

# A PDF is a list of blocks: ("h", heading), ("p", paragraph), ("r", label, amount), ("page",).
Block = tuple[str, ...]


# --- file builders (the deliveries demo uses them too) ----------------------------------------


def upload_of(data: bytes, name: str) -> HashedUpload:
    """A file as the upload handler would hand it over: hashed and sniffed from its first bytes."""
    upload = ContentFile(data, name=name)
    upload.sha256 = hashlib.sha256(data).hexdigest()  # type: ignore[attr-defined]
    upload.sniffed_mime = magic.from_buffer(data[:SNIFF_BYTES], mime=True)  # type: ignore[attr-defined]
    return cast(HashedUpload, upload)


def text_pdf(title: str, blocks: Sequence[Block], *, author: str = str(FIRM["name"])) -> bytes:
    """A PDF with a real text layer: a title, headings, paragraphs and rows of amounts.

    Set in the built-in Helvetica (Latin-1 text only): quick, and no font file needed.
    """
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_page()
    pdf.set_font(PDF_FONT, "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in blocks:
        kind = block[0]
        if kind == "page":
            pdf.add_page()
        elif kind == "h":
            pdf.ln(4)
            pdf.set_font(PDF_FONT, "B", 12)
            pdf.multi_cell(0, 7, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "p":
            pdf.set_font(PDF_FONT, "", 10)
            pdf.multi_cell(0, 5.5, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "r":
            label, amount = block[1], block[2]
            strong = label.startswith(("Totaal", "Resultaat", "Te betalen", "Terug te ontvangen", "Saldo"))
            pdf.set_font(PDF_FONT, "B" if strong else "", 10)
            pdf.cell(130, 6, label)
            pdf.cell(40, 6, amount, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _font(size: int, *, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    path = FONTS / f"{name}{'-Bold' if bold else ''}.ttf"
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def draw_lines(
    draw: ImageDraw.ImageDraw, lines: Sequence[str], x: int, y: int, size: int, *, mono: bool = False
) -> int:
    """Draw lines from (x, y); a line starting with ``#`` is bold. Returns the y below the last."""
    for line in lines:
        font = _font(size, bold=line.startswith("#"), mono=mono)
        draw.text((x, y), line.lstrip("#"), fill=20, font=font)
        y += round(size * 1.55)
    return y


def scanned_pdf(lines: Sequence[str]) -> bytes:
    """An A4 letter as a scanner makes it: one grey JPEG per page in a PDF, no text layer at all."""
    page = Image.new("L", A4_PIXELS, 255)
    draw = ImageDraw.Draw(page)
    margin = round(A4_PIXELS[0] * 0.1)
    draw_lines(draw, lines, margin, margin, 30)
    page = page.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=250)  # fed in a little askew
    scan = io.BytesIO()
    page.save(scan, format="JPEG", quality=80, dpi=(SCAN_DPI, SCAN_DPI))
    a4 = img2pdf.get_layout_fun((img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)))
    return cast(bytes, img2pdf.convert(scan.getvalue(), layout_fun=a4))


def text_image(lines: Sequence[str], size: tuple[int, int], *, fmt: str = "PNG", stamp: str = "") -> bytes:
    """A small picture with text (an ID copy placeholder), optionally stamped across."""
    image = Image.new("RGB", size, (232, 238, 244))
    draw = ImageDraw.Draw(image)
    draw_lines(draw, lines, 36, 30, 24)
    if stamp:
        layer = Image.new("L", size, 0)
        ImageDraw.Draw(layer).text((size[0] // 5, size[1] // 3), stamp, fill=150, font=_font(96, bold=True))
        layer = layer.rotate(18, resample=Image.Resampling.BICUBIC)
        image.paste((200, 30, 30), mask=layer)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def money(amount: float) -> str:
    """Dutch notation: 1.234,56 (whole euros when there are no cents)."""
    text = f"{abs(amount):,.2f}" if amount % 1 else f"{abs(amount):,.0f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if amount < 0 else text


# --- the demo's files -------------------------------------------------------------------------


def _jaarrekening(*, concept: bool) -> bytes:
    rows: list[Block] = [
        ("p", f"{BAKERY}, Oudegracht 101, 3511 AB Utrecht. KvK 30123456. Bedragen in euro's."),
        ("p", "CONCEPT - ter bespreking met de directie, nog niet vastgesteld." if concept else
         "Vastgesteld door de algemene vergadering van aandeelhouders op 12 maart 2026."),
        ("h", "Balans per 31 december 2025 (na resultaatbestemming)"),
        ("h", "Activa"),
        ("r", "Bedrijfsgebouw en -terrein", money(412_500)),
        ("r", "Machines en installaties (ovens)", money(186_300)),
        ("r", "Inventaris", money(38_900)),
        ("r", "Voorraden grondstoffen", money(21_450)),
        ("r", "Debiteuren", money(17_820)),
        ("r", "Overige vorderingen", money(6_240)),
        ("r", "Liquide middelen", money(94_615)),
        ("r", "Totaal activa", money(777_825)),
        ("h", "Passiva"),
        ("r", "Geplaatst kapitaal", money(18_000)),
        ("r", "Overige reserves", money(291_340)),
        ("r", "Resultaat boekjaar", money(78_655)),
        ("r", "Voorziening groot onderhoud", money(12_000)),
        ("r", "Hypothecaire lening Rabobank", money(265_000)),
        ("r", "Crediteuren", money(48_730)),
        ("r", "Belastingen en premies sociale verzekeringen", money(37_410)),
        ("r", "Overige schulden", money(26_690)),
        ("r", "Totaal passiva", money(777_825)),
        ("h", "Winst-en-verliesrekening over 2025"),
        ("r", "Netto-omzet", money(1_248_600)),
        ("r", "Kostprijs van de omzet (grondstoffen)", money(-412_030)),
        ("r", "Brutomarge", money(836_570)),
        ("r", "Personeelskosten", money(-551_515)),
        ("r", "Afschrijvingen", money(-61_480)),
        ("r", "Huisvestingskosten", money(-42_910)),
        ("r", "Verkoopkosten", money(-18_640)),
        ("r", "Overige bedrijfskosten", money(-54_320)),
        ("r", "Bedrijfsresultaat", money(107_705)),
        ("r", "Rentelasten", money(-10_600)),
        ("r", "Resultaat voor belastingen", money(97_105)),
        ("r", "Vennootschapsbelasting", money(-18_450)),
        ("r", "Resultaat na belastingen", money(78_655)),
        ("h", "Toelichting"),
        ("p", "De netto-omzet steeg met 6,8% ten opzichte van 2024, vooral door de zaterdagmarkt en de "
         "levering aan twee hotels in de binnenstad. In 2025 is een nieuwe steenoven in gebruik genomen "
         "(investering 74.000 euro, afschrijving in tien jaar). De grondstofprijzen van meel en boter "
         "lagen gemiddeld 4% hoger dan vorig jaar."),
        ("h", "Samenstellingsverklaring"),
        ("p", "Wij hebben de jaarrekening 2025 van Bakkerij De Zon B.V. samengesteld op basis van de door u "
         "verstrekte gegevens, in overeenstemming met Standaard 4410. Van Dijk & De Boer Accountants, Utrecht."),
    ]  # fmt: skip
    return text_pdf(f"Jaarrekening 2025 {'(concept) ' if concept else ''}- {BAKERY}", rows)


def _kwartaal(quarter: int) -> bytes:
    turnover = {2: 318_400, 3: 334_950}[quarter]
    costs = {2: 289_120, 3: 301_770}[quarter]
    return text_pdf(
        f"Tussentijdse cijfers Q{quarter} 2026 - {BAKERY}",
        [
            ("p", "Voorlopige cijfers, niet gecontroleerd. Bedragen in euro's."),
            ("r", "Netto-omzet", money(turnover)),
            ("r", "Bedrijfskosten", money(-costs)),
            ("r", "Resultaat voor belastingen", money(turnover - costs)),
            ("p", "Wij bespreken deze cijfers graag met u tijdens het kwartaaloverleg."),
        ],
    )


def _beschikking() -> bytes:
    return scanned_pdf(
        [
            "#Belastingdienst",
            "Postbus 9050, 7300 GM Apeldoorn",
            "",
            "Bakkerij De Zon B.V.",
            "Oudegracht 101",
            "3511 AB Utrecht",
            "",
            "Datum: 14 februari 2026",
            "Aanslagnummer: 0044.95.445.V.66.0001",
            "",
            "#Beschikking voorlopige aanslag Vennootschapsbelasting 2026",
            "",
            "Wij hebben voor u een voorlopige aanslag Vennootschapsbelasting",
            "over het jaar 2026 vastgesteld. Het belastbaar bedrag is geschat",
            "op 95.000 euro; de verschuldigde belasting bedraagt 18.050 euro.",
            "",
            "U kunt dit bedrag in elf maandelijkse termijnen betalen.",
            "Over dit bedrag kunt u geen kwijtschelding krijgen:",
            "Vennootschapsbelasting is uitgesloten van kwijtschelding.",
            "",
            "Bent u het niet eens met deze aanslag? Dan kunt u binnen",
            "zes weken na de datum van deze beschikking bezwaar maken.",
            "",
            "Met vriendelijke groet,",
            "de inspecteur",
        ]
    )


def _paspoort() -> bytes:
    lines = ["#KONINKRIJK DER NEDERLANDEN", "PASPOORT / PASSPORT", "", "Naam: DE ZON", "Voornamen: MARIEKE",
             "Geboortedatum: 01 JAN 1980", "Documentnummer: SPECI2026"]  # fmt: skip
    return text_image(lines, (860, 540), stamp="VOORBEELD")


def _aangifte_ib() -> bytes:
    return text_pdf(
        "Aangifte inkomstenbelasting 2025 - J.P. de Vries",
        [
            ("p", "Belastingplichtige: J.P. de Vries, Lindelaan 8, 3581 KH Utrecht. Ingediend op 28 april 2026."),
            ("h", "Box 1: inkomen uit werk en woning"),
            ("r", "Loon uit dienstbetrekking", money(58_400)),
            ("r", "Eigenwoningforfait", money(3_150)),
            ("r", "Aftrekbare hypotheekrente", money(-8_920)),
            ("r", "Belastbaar inkomen uit werk en woning", money(52_630)),
            ("h", "Box 3: inkomen uit sparen en beleggen"),
            ("r", "Spaargeld en beleggingen op 1 januari 2025", money(38_500)),
            ("r", "Belastbaar inkomen uit sparen en beleggen", money(0)),
            ("h", "Uitkomst"),
            ("r", "Verschuldigde inkomstenbelasting en premie volksverzekeringen", money(15_894)),
            ("r", "Ingehouden loonheffing", money(-17_130)),
            ("r", "Terug te ontvangen", money(1_236)),
        ],
    )


def _jaarrekening_club() -> bytes:
    return text_pdf(
        f"Jaarrekening 2025 - {CLUB}",
        [
            ("h", "Staat van baten en lasten 2025"),
            ("r", "Contributies", money(84_200)),
            ("r", "Sponsoring", money(12_500)),
            ("r", "Kantine-omzet", money(31_750)),
            ("r", "Subsidie gemeente Utrecht", money(8_000)),
            ("r", "Totaal baten", money(136_450)),
            ("r", "Huur velden en kleedkamers", money(-46_300)),
            ("r", "Trainers en scheidsrechters", money(-28_900)),
            ("r", "Inkoop kantine", money(-17_620)),
            ("r", "Afdrachten KNVB", money(-11_480)),
            ("r", "Overige lasten", money(-7_350)),
            ("r", "Resultaat", money(24_800)),
            ("p", "Het resultaat wordt toegevoegd aan de reserve voor de renovatie van het clubhuis."),
        ],
    )


@dataclass(frozen=True)
class Item:
    """One document of the demo; ``versions`` are built one by one, only when missing."""

    organisation: str
    folder: str
    name: str
    versions: tuple[Callable[[], bytes], ...]
    visible_in_days: int | None = None


ITEMS = [
    Item(BAKERY, "Jaarrapporten", "Jaarrekening 2025 Bakkerij De Zon.pdf",
         (lambda: _jaarrekening(concept=True), lambda: _jaarrekening(concept=False))),
    Item(BAKERY, "Tussentijdse cijfers", "Kwartaalcijfers Q2 2026.pdf", (lambda: _kwartaal(2),)),
    Item(BAKERY, "Tussentijdse cijfers", FUTURE_NAME, (lambda: _kwartaal(3),), visible_in_days=14),
    Item(BAKERY, "Correspondentie", SCANNED_NAME, (_beschikking,)),
    Item(BAKERY, "ID-bewijzen", ID_NAME, (_paspoort,)),
    Item(PERSON, "Aangiften", "Aangifte IB 2025.pdf", (_aangifte_ib,)),
    Item(CLUB, "Jaarrapporten", "Jaarrekening 2025 Sportvereniging Oostwijk.pdf", (_jaarrekening_club,)),
]  # fmt: skip
# Where a folder is missing (the firm changed its template), it is made with this visibility.
OPEN_FOLDERS = {"Jaarrapporten", "Tussentijdse cijfers", "Correspondentie", "Aangiften"}


# --- seeding ----------------------------------------------------------------------------------


def seed(*, admin: User, accountant: User, client: User, ctx: RequestContext) -> None:
    """Upload the demo's documents that are not there yet; a second run changes nothing."""
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[str(row["name"]) for row in ORGANISATIONS])
    }
    for organisation in organisations.values():
        if not Folder.objects.filter(organisation=organisation).exists():
            with transaction.atomic():  # made before the folder template existed
                services.folders_from_template(organisation)
    for item in ITEMS:
        owner = organisations.get(item.organisation)
        if owner is not None:
            _item_seed(item, owner, admin=admin, accountant=accountant, ctx=ctx)


def root_folder(organisation: Organisation, name: str, *, admin: User, ctx: RequestContext) -> Folder:
    """The organisation's top folder ``name``, made through the service when the template lacks it."""
    folder = Folder.objects.filter(organisation=organisation, parent=None, name__iexact=name, deleted_at=None).first()
    if folder is not None:
        return folder
    return services.folder_create(
        actor=admin, ctx=ctx, organisation=organisation, parent=None, name=name, open_to_client=name in OPEN_FOLDERS
    )


def _item_seed(item: Item, organisation: Organisation, *, admin: User, accountant: User, ctx: RequestContext) -> None:
    folder = root_folder(organisation, item.folder, admin=admin, ctx=ctx)
    name = safe_filename(item.name)
    documents = Document.objects.filter(folder=folder, name__iexact=name)
    document = documents.filter(deleted_at=None).first()
    if document is None and documents.exists():
        return  # someone put it in the bin: leave it there
    have = document.versions.count() if document is not None else 0
    visible_from = None
    if item.visible_in_days is not None:
        visible_from = timezone.now() + datetime.timedelta(days=item.visible_in_days)
    for build in item.versions[have:]:
        services.document_upload(
            actor=accountant, ctx=ctx, folder=folder, upload=upload_of(build(), name), visible_from=visible_from
        )
