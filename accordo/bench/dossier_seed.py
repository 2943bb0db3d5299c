"""The bench's dossier: one open folder of the measured organisation holding 1,000 documents."""

from __future__ import annotations

import hashlib
import random

from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.dossier.models import Document, DocumentVersion, Folder

FOLDER = "Administratie 2025"
DOCUMENTS = 1000
KINDS = ["Inkoopfactuur", "Verkoopfactuur", "Bankafschrift", "Kassabon", "Contract", "Brief"]


def seed(rng: random.Random, organisation: Organisation, staff: User) -> Folder:
    """Bulk rows only: the folder page reads rows, never the files."""
    parent = Folder.objects.create(organisation=organisation, name="Administratie", open_to_client=True)
    folder = Folder.objects.create(organisation=organisation, parent=parent, name=FOLDER, open_to_client=True)
    now = timezone.now()
    documents = Document.objects.bulk_create(
        [
            Document(
                organisation=organisation,
                folder=folder,
                name=f"{rng.choice(KINDS)} {n:04d}.pdf",
                created_by=staff,
            )
            for n in range(DOCUMENTS)
        ],
        batch_size=500,
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=d,
                number=1,
                file=f"dossier/{organisation.public_id}/bench-{d.pk}",
                original_name=d.name,
                size=rng.randint(20_000, 2_000_000),
                mime="application/pdf",
                sha256=hashlib.sha256(d.name.encode()).hexdigest(),
                uploaded_by=staff,
                status=DocumentVersion.Status.DONE,
                created_at=now,
            )
            for d in documents
        ],
        batch_size=500,
    )
    for document, version in zip(documents, versions, strict=True):
        document.current = version
    Document.objects.bulk_update(documents, ["current"], batch_size=500)
    return folder


DELIVERIES = 5000


def seed_deliveries(rng: random.Random, organisations: list[Organisation], client: User) -> int:
    """Deliveries across the organisations in every status, for the processing queue."""
    from accordo.deliveries.models import Delivery, Tray

    trays = list(Tray.objects.all())
    statuses = (
        [Delivery.Status.RECEIVED] * 5
        + [Delivery.Status.PROCESSING, Delivery.Status.RETURNED]
        + [Delivery.Status.PROCESSED] * 3
    )
    rows = []
    for n in range(DELIVERIES):
        organisation = rng.choice(organisations)
        amount = f"{rng.randint(5, 5000)}.{rng.randint(0, 99):02d}"
        rows.append(
            Delivery(
                organisation=organisation,
                tray=rng.choice(trays),
                status=rng.choice(statuses),
                delivered_by=client,
                file=f"deliveries/{organisation.public_id}/bench-{n}",
                original_name=f"factuur-{n:05d}.pdf",
                size=rng.randint(20_000, 900_000),
                mime="application/pdf",
                sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                extraction=Delivery.Extraction.DONE,
                extracted={"payable_total": amount, "currency": "EUR"},
                extracted_source="text",
            )
        )
    Delivery.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
