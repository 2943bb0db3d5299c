"""Reading deliveries in the worker: e-invoices exactly, other files' text (OCR) for suggestions."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.conf import settings
from django.utils import translation
from huey.contrib.djhuey import db_task

from accordo.core.context import RequestContext
from accordo.deliveries import extraction
from accordo.deliveries.models import Delivery
from accordo.deliveries.services import DeliveryStateError, delivery_process, delivery_read
from accordo.dossier import fileproc
from accordo.dossier.tasks import IMAGE_MIMES, local_copy

log = logging.getLogger(__name__)
RETRIES = 2


def read(delivery: Delivery) -> tuple[dict[str, Any], str, str]:
    """(fields as JSON, source, text) of a delivered file."""
    with local_copy(delivery.file.name) as path:
        with path.open("rb") as head:
            kind = extraction.sniff(head.read(extraction.SNIFF_BYTES))
        if kind == "xml":
            with path.open("rb") as xml:  # one byte over the limit is enough for it to refuse
                data = extraction.extract_from_xml(xml.read(extraction.MAX_XML_BYTES + 1))
            return data.as_json(), data.source, ""
        if kind == "pdf":
            embedded = extraction.extract_from_pdf(path)
            info = fileproc.pdf_info(path)
            if info.encrypted:
                raise fileproc.EncryptedFile()
            text = fileproc.ocr_pdf(path) if fileproc.needs_ocr(info) else info.text
            if embedded is not None:
                return embedded.as_json(), embedded.source, text
            data = extraction.suggest_from_text(text)
            return data.as_json(), data.source, text
        if delivery.mime in IMAGE_MIMES:
            fileproc.image_guard(path)
            text = fileproc.ocr_image(path)
            data = extraction.suggest_from_text(text)
            return data.as_json(), data.source, text
    return {}, "", ""


@db_task(retries=RETRIES, retry_delay=20)
def extract_delivery(delivery_id: int) -> None:
    """Worker job: read one delivery; a file that cannot be read says why, the rest is retried."""
    delivery = Delivery.objects.select_related("organisation").filter(pk=delivery_id).first()
    if delivery is None or delivery.extraction == Delivery.Extraction.DONE:
        return
    Delivery.objects.filter(pk=delivery_id).update(extraction=Delivery.Extraction.RUNNING)
    try:
        fields, source, text = read(delivery)
    except (extraction.ExtractionError, fileproc.FileProcessingError) as error:
        with translation.override(settings.LANGUAGE_CODE):  # the firm's language; the reason has values in it
            reason = str(getattr(error, "message", error))
        delivery_read(delivery, extracted={}, source="", text="", error=reason)
        file_if_no_processing(delivery_id)
        return
    except Exception:
        log.exception("reading delivery %s failed", delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(extraction=Delivery.Extraction.QUEUED)
        raise
    delivery_read(delivery, extracted=fields, source=source, text=text, error="")
    file_if_no_processing(delivery_id)


def file_if_no_processing(delivery_id: int) -> None:
    """A tray that needs no processing files its deliveries in the dossier at once (by the system)."""
    delivery = Delivery.objects.select_related("tray").get(pk=delivery_id)
    if delivery.tray.needs_processing or delivery.status != Delivery.Status.RECEIVED:
        return
    with contextlib.suppress(DeliveryStateError):  # staff acted first
        delivery_process(actor=None, ctx=RequestContext.system("worker"), delivery=delivery)


from accordo.deliveries import tasks_mail  # noqa: E402, F401  (huey finds periodic tasks in modules named tasks)
