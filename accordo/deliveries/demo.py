"""The demo deliveries of Bakkerij De Zon B.V.: one in every status (idempotent).

The client delivers through the service like the portal does; staff start, process, return and the
client answers through the services, so every step is an event. Reading the files (UBL exactly,
OCR of the receipt photo) is a worker job queued when the seed commits; only the invoice that is
processed here is read first, in the seed itself, as staff would have checked its data.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageDraw

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.deliveries import services
from accordo.deliveries.models import Delivery, Tray
from accordo.deliveries.tasks import extract_delivery
from accordo.dossier.demo import BAKERY, Block, draw_lines, money, text_pdf, upload_of
from accordo.dossier.fileproc import safe_filename

FILES = Path(__file__).resolve().parent / "demo_files"
UBL_INVOICE = FILES / "en16931_ubl-tc434-example1.xml"
QUESTION = "Is dit een zakelijke uitgave?"


@dataclass(frozen=True)
class Actors:
    accountant: User
    client: User
    ctx: RequestContext


def _day(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).strftime("%d-%m-%Y")


def _invoice(supplier: str, address: str, vat: str, iban: str, number: str, days_ago: int,
             lines: Sequence[tuple[str, float]], rate: int = 9) -> bytes:  # fmt: skip
    """A supplier's invoice to the bakery with a text layer the worker can make suggestions from."""
    net = round(sum(amount for _label, amount in lines), 2)
    vat_amount = round(net * rate / 100, 2)
    blocks: list[Block] = [
        ("p", f"{supplier}, {address}"),
        ("p", f"BTW-nummer: {vat}   IBAN: {iban}"),
        ("p", f"Aan: {BAKERY}, Oudegracht 101, 3511 AB Utrecht"),
        ("p", f"Factuurnummer: {number}"),
        ("p", f"Factuurdatum: {_day(days_ago)}"),
        ("p", f"Vervaldatum: {_day(days_ago - 14)}"),
        ("h", "Omschrijving"),
        *[("r", label, money(amount)) for label, amount in lines],
        ("r", "Subtotaal excl. BTW", money(net)),
        ("r", f"BTW {rate}%", money(vat_amount)),
        ("r", "Te betalen EUR", money(round(net + vat_amount, 2))),
        ("p", "Wij verzoeken u het bedrag binnen 14 dagen over te maken onder vermelding van het factuurnummer."),
    ]
    return text_pdf(f"Factuur {supplier}", blocks, author=supplier)


def _bank_statement(*, complete: bool) -> bytes:
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%m-%Y")
    pages = "2" if complete else "2 (alleen pagina 1 bijgevoegd)"
    blocks: list[Block] = [
        ("p", f"Rekeninghouder: {BAKERY}   Rekening: NL91ABNA0417164300   Periode: {month}"),
        ("p", f"Pagina 1 van {pages}"),
        ("r", "Beginsaldo", money(81_204.17)),
        ("r", "Pinbetalingen winkel", money(38_412.50)),
        ("r", "Meelhandel Van der Molen", money(-6_318.40)),
        ("r", "Huur Oudegracht 101", money(-3_250.00)),
    ]
    if complete:
        blocks += [
            ("page",),
            ("p", "Pagina 2 van 2"),
            ("r", "Salarissen", money(-41_870.00)),
            ("r", "Belastingdienst loonheffing", money(-11_204.00)),
            ("r", "Saldo einde periode", money(56_974.27)),
        ]
    return text_pdf("Rekeningafschrift ABN AMRO", blocks, author="ABN AMRO")


def _receipt_photo() -> bytes:
    """A photo of a till receipt on a wooden table: slightly turned, for OCR by the worker."""
    receipt = Image.new("L", (560, 760), 246)
    lines = ["#    MAKRO UTRECHT", "  Kassabon 0412-77-3051", f"  Datum: {_day(3)}", "", "Roomboter 10 kg    79,90",
             "Eieren 180 st      38,70", "Suiker 25 kg       24,95", "", "#TOTAAL EUR        143,55",
             "BTW 9%             11,85", "Betaald met PIN", "", "  Bedankt en tot ziens!"]  # fmt: skip
    draw_lines(ImageDraw.Draw(receipt), lines, 28, 40, 26, mono=True)
    photo = Image.new("RGB", (800, 1000), (121, 92, 64))
    turned = receipt.rotate(2.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    mask = Image.new("L", receipt.size, 255).rotate(2.5, expand=True)
    photo.paste(turned.convert("RGB"), (110, 110), mask)
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=82)
    return out.getvalue()


# --- the scenarios: one delivery each, taken to its status --------------------------------------


def _read_confirm_process(delivery: Delivery, who: Actors) -> None:
    extract_delivery.call_local(delivery.pk)  # as the worker would have, before staff checked it
    delivery.refresh_from_db()
    data = {**delivery.extracted, **delivery.confirmed, "supplier_name": "Zuivelhandel Utrecht"}
    services.delivery_confirm(actor=who.accountant, ctx=who.ctx, delivery=delivery, data=data)
    services.delivery_process(actor=who.accountant, ctx=who.ctx, delivery=delivery)


def _start(delivery: Delivery, who: Actors) -> None:
    services.delivery_start(actor=who.accountant, ctx=who.ctx, delivery=delivery)


def _return(delivery: Delivery, who: Actors) -> None:
    services.delivery_start(actor=who.accountant, ctx=who.ctx, delivery=delivery)
    services.delivery_return(actor=who.accountant, ctx=who.ctx, delivery=delivery, question=QUESTION)


def _return_and_answer(delivery: Delivery, who: Actors) -> None:
    question = "Zijn deze flyers voor de opening van de nieuwe winkel in Zeist?"
    services.delivery_return(actor=who.accountant, ctx=who.ctx, delivery=delivery, question=question)
    answer = "Ja, voor de opening in Zeist op 1 december. De posters op dezelfde factuur ook."
    services.delivery_answer(actor=who.client, ctx=who.ctx, delivery=delivery, answer=answer)


def _return_and_replace(delivery: Delivery, who: Actors) -> None:
    question = "Pagina 2 van het afschrift ontbreekt. Kunt u het volledige afschrift sturen?"
    services.delivery_return(actor=who.accountant, ctx=who.ctx, delivery=delivery, question=question)
    name = delivery.original_name.replace(".pdf", " volledig.pdf")
    _receive(delivery.organisation, delivery.tray, name, _bank_statement(complete=True), who, replaces=delivery)


@dataclass(frozen=True)
class Scenario:
    tray: str
    name: str
    build: Callable[[], bytes]
    note: str = ""
    then: Callable[[Delivery, Actors], None] | None = None


SCENARIOS = [
    Scenario("inkoop", "Factuur 12115118 De Koksmaat.xml", UBL_INVOICE.read_bytes,
             note="E-factuur van De Koksmaat, graag voor vrijdag verwerken."),
    Scenario("inkoop", "Factuur Meelhandel Van der Molen 2026-0318.pdf", lambda: _invoice(
        "Meelhandel Van der Molen", "Molenweg 4, 3454 PL De Meern", "NL131860914B01", "NL69INGB0123456789",
        "2026-0318", 12, [("Tarwebloem type 405, 40 zakken", 1_124.00), ("Volkorenmeel, 15 zakken", 418.50)]),
        then=_start),
    Scenario("inkoop", "Factuur Zuivelhandel Utrecht F26-1042.pdf", lambda: _invoice(
        "Zuivelhandel Utrecht", "Kanaalweg 30, 3526 KM Utrecht", "NL908301662B01", "NL44RABO0123456789",
        "F26-1042", 20, [("Roomboter 50 kg", 412.50), ("Slagroom 40 liter", 156.00)]), then=_read_confirm_process),
    Scenario("inkoop", "Factuur Tuincentrum De Linde.pdf", lambda: _invoice(
        "Tuincentrum De Linde", "Lindeweg 2, 3737 MA Groenekan", "NL390996038B01", "NL18RABO0123459876",
        "TL-88213", 9, [("Loungeset teak, 4-delig", 1_032.23)], rate=21), then=_return),
    Scenario("inkoop", "Factuur Drukkerij Het Anker.pdf", lambda: _invoice(
        "Drukkerij Het Anker", "Havenstraat 9, 3511 EZ Utrecht", "NL082462811B01", "NL86INGB0002445588",
        "A-5527", 6, [("Flyers A5, 2.500 stuks", 189.00), ("Posters A2, 20 stuks", 96.00)], rate=21),
        note="Drukwerk voor de nieuwe winkel.", then=_return_and_answer),
    Scenario("bank", "Bankafschrift ABN AMRO.pdf", lambda: _bank_statement(complete=False),
             then=_return_and_replace),
    Scenario("bonnen", "Kassabon Makro.jpg", _receipt_photo, note="Boter en eieren, betaald met de pinpas."),
]  # fmt: skip


def _receive(
    organisation: Organisation, tray: Tray, name: str, data: bytes, who: Actors, *, note: str = "",
    replaces: Delivery | None = None,
) -> Delivery:  # fmt: skip
    upload = upload_of(data, name)
    return services.delivery_receive(
        actor=who.client, ctx=who.ctx, organisation=organisation, tray=tray, file=upload, name=name,
        size=len(data), mime=upload.sniffed_mime, sha256=upload.sha256, note=note, replaces=replaces,
    )  # fmt: skip


def seed(*, admin: User, accountant: User, client: User, ctx: RequestContext) -> None:
    """Deliver and move on the demo's deliveries that are not there yet; a second run changes nothing."""
    bakery = Organisation.objects.filter(name=BAKERY).first()
    if bakery is None:
        return
    who = Actors(accountant=accountant, client=client, ctx=ctx)
    trays = {tray.slug: tray for tray in Tray.objects.filter(active=True)}
    for scenario in SCENARIOS:
        tray = trays.get(scenario.tray)
        name = safe_filename(scenario.name)
        if tray is None or Delivery.objects.filter(organisation=bakery, original_name=name).exists():
            continue
        delivery = _receive(bakery, tray, name, scenario.build(), who, note=scenario.note)
        if scenario.then is not None:
            scenario.then(delivery, who)
