"""Writes of the dossier: folders, documents, versions. Each records an event (STYLE.md)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.dossier.fileproc import safe_filename
from accordo.dossier.models import NAME_MAX, Document, DocumentVersion, Folder, TemplateFolder
from accordo.dossier.uploads import HashedUpload

TEXT_MAX = 2 * 1024 * 1024  # characters of text kept per version


def _require_staff(actor: User) -> None:
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff may change the dossier")


def _clean_name(name: str) -> str:
    if not name or not name.strip():
        raise ValidationError(_("Give a name."), code="required")
    return " ".join(safe_filename(name).split())[:NAME_MAX]


def _folder_name_free(
    organisation: Organisation, parent: Folder | None, name: str, *, exclude: Folder | None = None
) -> None:
    clash = Folder.objects.filter(organisation=organisation, parent=parent, name__iexact=name, deleted_at=None)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(_("A folder with this name already exists here."), code="exists")


def _descendant_ids(folder: Folder) -> list[int]:
    """The folder and every folder below it (folders of one organisation are few: read them once)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Folder.objects.filter(organisation_id=folder.organisation_id).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [folder.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


# --- folders ----------------------------------------------------------------------------------


def folders_from_template(organisation: Organisation) -> list[Folder]:
    """Create the firm's template folders in a new organisation (part of the caller's transaction)."""
    made: dict[str, Folder] = {
        f.name: f for f in Folder.objects.filter(organisation=organisation, parent=None, deleted_at=None)
    }
    created = []
    for entry in TemplateFolder.objects.all():
        parent: Folder | None = None
        path = ""
        for part in [p.strip() for p in entry.path.split("/") if p.strip()]:
            path = f"{path}/{part}" if path else part
            folder = made.get(path)
            if folder is None:
                folder = Folder.objects.create(
                    organisation=organisation, parent=parent, name=part[:NAME_MAX], open_to_client=entry.open_to_client
                )
                made[path] = folder
                created.append(folder)
            parent = folder
    return created


def folder_path_ensure(*, organisation: Organisation, path: str, open_to_client: bool = False) -> Folder:
    """The folder at ``a/b/c``, made where missing (archiving into ``Administratie/2026/Inkoop``)."""
    parent: Folder | None = None
    for part in [p.strip() for p in path.split("/") if p.strip()]:
        folder = Folder.objects.filter(
            organisation=organisation, parent=parent, name__iexact=part[:NAME_MAX], deleted_at=None
        ).first()
        if folder is None:
            folder = Folder.objects.create(
                organisation=organisation, parent=parent, name=part[:NAME_MAX], open_to_client=open_to_client
            )
        parent = folder
    if parent is None:
        raise ValidationError(_("Give a folder."), code="required")
    return parent


@transaction.atomic
def folder_create(
    *,
    actor: User,
    ctx: RequestContext,
    organisation: Organisation,
    parent: Folder | None,
    name: str,
    open_to_client: bool,
) -> Folder:
    """A new folder in an organisation's dossier (staff)."""
    _require_staff(actor)
    name = _clean_name(name)
    if parent is not None and (parent.organisation_id != organisation.pk or parent.deleted_at):
        raise ValidationError(_("That folder does not exist."), code="parent")
    _folder_name_free(organisation, parent, name)
    folder = Folder.objects.create(organisation=organisation, parent=parent, name=name, open_to_client=open_to_client)
    event_record(
        actor=actor,
        ctx=ctx,
        verb="folder.created",
        target=folder,
        organisation=organisation,
        data={"name": name, "open_to_client": open_to_client, "parent": str(parent.public_id) if parent else None},
    )
    return folder


@transaction.atomic
def folder_update(
    *, actor: User, ctx: RequestContext, folder: Folder, name: str, open_to_client: bool, parent: Folder | None
) -> dict[str, dict[str, object]]:
    """Rename, move or open/close a folder (staff); returns the changes."""
    _require_staff(actor)
    folder = Folder.objects.select_for_update().get(pk=folder.pk, deleted_at=None)
    name = _clean_name(name)
    changes: dict[str, dict[str, object]] = {}
    if parent is not None and (parent.organisation_id != folder.organisation_id or parent.deleted_at):
        raise ValidationError(_("That folder does not exist."), code="parent")
    if parent is not None and parent.pk in _descendant_ids(folder):
        raise ValidationError(_("A folder cannot be moved into itself."), code="cycle")
    if parent != folder.parent or name.lower() != folder.name.lower():
        _folder_name_free(folder.organisation, parent, name, exclude=folder)
    if name != folder.name:
        changes["name"] = {"old": folder.name, "new": name}
    if parent != folder.parent:
        changes["parent"] = {
            "old": folder.parent.name if folder.parent else None,
            "new": parent.name if parent else None,
        }
    if open_to_client != folder.open_to_client:
        changes["open_to_client"] = {"old": folder.open_to_client, "new": open_to_client}
    if not changes:
        return changes
    folder.name, folder.parent, folder.open_to_client = name, parent, open_to_client
    folder.save(update_fields=["name", "parent", "open_to_client", "updated_at"])
    event_record(
        actor=actor, ctx=ctx, verb="folder.changed", target=folder, organisation=folder.organisation,
        data={"changes": changes},
    )  # fmt: skip
    return changes


@transaction.atomic
def folder_delete(*, actor: User, ctx: RequestContext, folder: Folder) -> int:
    """Move a folder with everything in it to the bin (staff); nothing is lost, all can be restored."""
    _require_staff(actor)
    ids = _descendant_ids(folder)
    now = timezone.now()
    Folder.objects.filter(pk__in=ids, deleted_at=None).update(deleted_at=now)
    documents = Document.objects.filter(folder_id__in=ids, deleted_at=None).update(deleted_at=now, deleted_by=actor)
    event_record(
        actor=actor, ctx=ctx, verb="folder.deleted", target=folder, organisation=folder.organisation,
        data={"name": folder.name, "folders": len(ids), "documents": documents},
    )  # fmt: skip
    return documents


@transaction.atomic
def folder_restore(*, actor: User, ctx: RequestContext, folder: Folder) -> None:
    """Bring a deleted folder back with what was deleted along with it (staff)."""
    _require_staff(actor)
    folder = Folder.objects.select_for_update().get(pk=folder.pk)
    if folder.deleted_at is None:
        return
    if folder.parent is not None and folder.parent.deleted_at is not None:
        raise ValidationError(_("Restore the folder above it first."), code="parent_deleted")
    _folder_name_free(folder.organisation, folder.parent, folder.name, exclude=folder)
    ids = _descendant_ids(folder)
    when = folder.deleted_at
    Folder.objects.filter(pk__in=ids, deleted_at=when).update(deleted_at=None)
    Document.objects.filter(folder_id__in=ids, deleted_at=when).update(deleted_at=None, deleted_by=None)
    event_record(
        actor=actor, ctx=ctx, verb="folder.restored", target=folder, organisation=folder.organisation,
        data={"name": folder.name},
    )  # fmt: skip


# --- documents --------------------------------------------------------------------------------


def document_upload(
    *,
    actor: User,
    ctx: RequestContext,
    folder: Folder,
    upload: HashedUpload,
    name: str | None = None,
    visible_from: datetime.datetime | None = None,
) -> DocumentVersion:
    """Add a file to a folder; the same name in the same folder makes a new version.

    The file is stored first (a rename on local disk, a stream to S3), outside any transaction;
    then the rows and the event are written in one. If that fails the stored file is removed
    again, so nothing is half-written. The same bytes under the same name add no version: the
    current one comes back with ``unchanged`` set.
    """
    _require_staff(actor)
    display = safe_filename(name or upload.name or "")
    if upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": display}, code="empty")
    stored = default_storage.save(f"dossier/{folder.organisation.public_id}/{uuid.uuid4().hex}", upload)
    try:
        with transaction.atomic():
            folder = Folder.objects.select_for_update().get(pk=folder.pk)
            if folder.deleted_at is not None:
                raise ValidationError(_("That folder does not exist."), code="parent")
            document = (
                Document.objects.select_for_update(of=("self",))
                .select_related("current")
                .filter(folder=folder, name__iexact=display, deleted_at=None)
                .first()
            )
            if document is not None and document.current is not None and document.current.sha256 == upload.sha256:
                default_storage.delete(stored)
                current = document.current
                current.unchanged = True  # type: ignore[attr-defined]
                return current
            if document is None:
                document = Document.objects.create(
                    organisation=folder.organisation,
                    folder=folder,
                    name=display,
                    created_by=actor,
                    visible_from=visible_from,
                )
                number = 1
            else:
                number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = DocumentVersion(
                document=document,
                number=number,
                original_name=display,
                size=upload.size or 0,
                mime=upload.sniffed_mime,
                sha256=upload.sha256,
                uploaded_by=actor,
            )
            version.file.name = stored
            version.save()
            Document.objects.filter(pk=document.pk).update(current=version, updated_at=timezone.now())
            document.current = version
            event_record(
                actor=actor,
                ctx=ctx,
                verb="document.uploaded" if number == 1 else "document.version_added",
                target=document,
                organisation=folder.organisation,
                data={
                    "name": display,
                    "folder": folder.name,
                    "version": number,
                    "sha256": upload.sha256,
                    "size": version.size,
                    "mime": version.mime,
                },
            )
            transaction.on_commit(lambda: _enqueue_ingest(version.pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return version


def _enqueue_ingest(version_id: int) -> None:
    from accordo.dossier.tasks import ingest_version

    ingest_version(version_id)


@transaction.atomic
def document_update(
    *,
    actor: User,
    ctx: RequestContext,
    document: Document,
    name: str,
    folder: Folder,
    visible_from: datetime.datetime | None,
) -> dict[str, dict[str, object]]:
    """Rename, move or (re)schedule a document (staff); returns the changes."""
    _require_staff(actor)
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("folder").get(pk=document.pk, deleted_at=None)
    )
    name = _clean_name(name)
    if folder.organisation_id != document.organisation_id or folder.deleted_at is not None:
        raise ValidationError(_("That folder does not exist."), code="folder")
    if (folder.pk != document.folder_id or name.lower() != document.name.lower()) and Document.objects.filter(
        folder=folder, name__iexact=name, deleted_at=None
    ).exclude(pk=document.pk).exists():
        raise ValidationError(_("A document with this name already exists in that folder."), code="exists")
    changes: dict[str, dict[str, object]] = {}
    if name != document.name:
        changes["name"] = {"old": document.name, "new": name}
    if folder.pk != document.folder_id:
        changes["folder"] = {"old": document.folder.name, "new": folder.name}
    if visible_from != document.visible_from:
        changes["visible_from"] = {
            "old": document.visible_from.isoformat() if document.visible_from else None,
            "new": visible_from.isoformat() if visible_from else None,
        }
    if not changes:
        return changes
    document.name, document.folder, document.visible_from = name, folder, visible_from
    document.save(update_fields=["name", "folder", "visible_from", "updated_at"])
    event_record(
        actor=actor, ctx=ctx, verb="document.changed", target=document, organisation=document.organisation,
        data={"changes": changes},
    )  # fmt: skip
    return changes


@transaction.atomic
def document_delete(*, actor: User, ctx: RequestContext, document: Document) -> None:
    """Move a document to the bin (staff); its files stay until retention allows removal."""
    _require_staff(actor)
    updated = Document.objects.filter(pk=document.pk, deleted_at=None).update(
        deleted_at=timezone.now(), deleted_by=actor
    )
    if updated:
        event_record(
            actor=actor, ctx=ctx, verb="document.deleted", target=document, organisation=document.organisation,
            data={"name": document.name},
        )  # fmt: skip


@transaction.atomic
def document_restore(*, actor: User, ctx: RequestContext, document: Document) -> None:
    """Take a document out of the bin (staff), back into its folder."""
    _require_staff(actor)
    document = Document.objects.select_for_update(of=("self",)).select_related("folder").get(pk=document.pk)
    if document.deleted_at is None:
        return
    if document.folder.deleted_at is not None:
        raise ValidationError(_("Restore its folder first."), code="folder_deleted")
    if Document.objects.filter(folder=document.folder, name__iexact=document.name, deleted_at=None).exists():
        raise ValidationError(_("A document with this name already exists in that folder."), code="exists")
    Document.objects.filter(pk=document.pk).update(deleted_at=None, deleted_by=None)
    event_record(
        actor=actor, ctx=ctx, verb="document.restored", target=document, organisation=document.organisation,
        data={"name": document.name},
    )  # fmt: skip


@transaction.atomic
def document_opened(*, actor: User, ctx: RequestContext, version: DocumentVersion, how: str) -> None:
    """Log a view (``preview``) or download of a file (SPEC §3: every client view is logged)."""
    document = version.document
    event_record(
        actor=actor,
        ctx=ctx,
        verb="document.viewed" if how == "preview" else "document.downloaded",
        target=document,
        organisation=document.organisation,
        data={"name": document.name, "version": version.number, "sha256": version.sha256},
    )


# --- the firm's template ----------------------------------------------------------------------


@transaction.atomic
def template_folders_set(*, actor: User, ctx: RequestContext, entries: Iterable[tuple[str, bool]]) -> list[str]:
    """Replace the firm's folder template (staff admins); applies to organisations made later."""
    if not actor.is_firm_admin:
        raise PermissionError("only a staff administrator may change the folder template")
    cleaned: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for path, open_to_client in entries:
        parts = [_clean_name(p) for p in path.split("/") if p.strip()]
        if not parts:
            continue
        joined = "/".join(parts)
        if joined.lower() in seen:
            raise ValidationError(_("“%(path)s” is listed twice.") % {"path": joined}, code="duplicate")
        seen.add(joined.lower())
        cleaned.append((joined, open_to_client))
    old = [f"{t.path}{' (open)' if t.open_to_client else ''}" for t in TemplateFolder.objects.all()]
    TemplateFolder.objects.all().delete()
    TemplateFolder.objects.bulk_create(
        [TemplateFolder(path=path, open_to_client=flag, position=i) for i, (path, flag) in enumerate(cleaned)]
    )
    new = [f"{p}{' (open)' if o else ''}" for p, o in cleaned]
    if old != new:
        event_record(actor=actor, ctx=ctx, verb="dossier.template_changed", data={"old": old, "new": new})
    return new


# --- ingestion (the worker) -------------------------------------------------------------------


def version_step(version: DocumentVersion, step: str) -> None:
    """Show which step the worker is on (a progress row, not a change of the document: no event)."""
    DocumentVersion.objects.filter(pk=version.pk).update(
        status=DocumentVersion.Status.PROCESSING, step=step, updated_at=timezone.now()
    )
    version.status, version.step = DocumentVersion.Status.PROCESSING, step


@transaction.atomic
def version_finish(
    version: DocumentVersion,
    *,
    text: str,
    source: str,
    pages: int | None,
    thumbnail: File[bytes] | None,
    error: str,
) -> None:
    """Store what the worker learned of a file and record ``document.processed`` (or ``…_failed``)."""
    status = DocumentVersion.Status.FAILED if error else DocumentVersion.Status.DONE
    fields: dict[str, object] = {
        "status": status,
        "step": "",
        "error": error[:500],
        "text": text[:TEXT_MAX],
        "text_source": source,
    }
    if pages is not None:
        fields["pages"] = pages
    if thumbnail is not None:
        version.thumbnail.save(thumbnail.name or "thumb.webp", thumbnail, save=False)
        fields["thumbnail"] = version.thumbnail.name
    updated = (
        DocumentVersion.objects.filter(pk=version.pk)
        .exclude(status=DocumentVersion.Status.DONE)
        .update(updated_at=timezone.now(), **fields)
    )
    if not updated:
        return
    document = version.document
    event_record(
        actor=None,
        ctx=RequestContext.system("worker"),
        verb="document.processing_failed" if error else "document.processed",
        target=document,
        organisation=document.organisation,
        data={"name": document.name, "version": version.number, "text_source": source, "error": error[:500]},
    )


def document_add_stored(
    *,
    actor: User | None,
    ctx: RequestContext,
    folder: Folder,
    name: str,
    stored_name: str,
    size: int,
    mime: str,
    sha256: str,
    uploaded_by: User | None,
    text: str = "",
    text_source: str = "",
    verb: str = "document.archived",
    data: dict[str, object] | None = None,
) -> DocumentVersion:
    """File an already stored file into a folder (archiving a delivery, a certificate): no copy.

    The same name in the folder makes a new version. Text the caller already read (e.g. OCR of a
    delivery) is kept and the document indexed at once; otherwise the worker ingests it.
    Must run inside the caller's transaction.
    """
    display = safe_filename(name)
    document = Document.objects.select_for_update().filter(folder=folder, name__iexact=display, deleted_at=None).first()
    if document is None:
        document = Document.objects.create(
            organisation=folder.organisation, folder=folder, name=display, created_by=uploaded_by
        )
        number = 1
    else:
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=display,
        size=size,
        mime=mime,
        sha256=sha256,
        uploaded_by=uploaded_by,
        text=text[:TEXT_MAX],
        text_source=text_source,
    )
    version.file.name = stored_name
    version.save()
    Document.objects.filter(pk=document.pk).update(current=version, updated_at=timezone.now())
    document.current = version
    event_record(
        actor=actor,
        ctx=ctx,
        verb=verb,
        target=document,
        organisation=folder.organisation,
        data={"name": display, "folder": folder.name, "version": number, "sha256": sha256, **(data or {})},
    )
    transaction.on_commit(lambda: _enqueue_ingest(version.pk))
    return version
