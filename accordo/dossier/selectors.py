"""Reads of the dossier with the visibility rules: what staff see, and the smaller part clients see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from accordo.clients.models import Organisation
from accordo.dossier.models import Document, DocumentVersion, Folder


@dataclass
class Tree:
    """The live folders of one organisation, read in one query, with their paths."""

    folders: dict[int, Folder]
    children: dict[int | None, list[Folder]]

    @classmethod
    def of(cls, organisation: Organisation | int) -> Tree:
        pk = organisation if isinstance(organisation, int) else organisation.pk
        folders = {f.pk: f for f in Folder.objects.filter(organisation_id=pk, deleted_at=None).order_by("name")}
        children: dict[int | None, list[Folder]] = {}
        for folder in folders.values():
            children.setdefault(folder.parent_id, []).append(folder)
        return cls(folders, children)

    def path(self, folder: Folder) -> list[Folder]:
        """From the top folder down to ``folder``."""
        trail = []
        current: Folder | None = folder
        while current is not None:
            trail.append(current)
            current = self.folders.get(current.parent_id) if current.parent_id else None
        return list(reversed(trail))

    def client_visible_ids(self) -> set[int]:
        """Folders open to the client, and whose every parent is open too."""
        visible: set[int] = set()
        todo = [f for f in self.children.get(None, []) if f.open_to_client]
        while todo:
            folder = todo.pop()
            visible.add(folder.pk)
            todo.extend(c for c in self.children.get(folder.pk, []) if c.open_to_client)
        return visible

    def choices(self, *, exclude_below: Folder | None = None) -> list[tuple[Folder, str]]:
        """Every folder as (folder, "a / b / c"), depth first; a folder and its subfolders left out."""
        out: list[tuple[Folder, str]] = []

        def walk(parent_id: int | None, prefix: str) -> None:
            for folder in self.children.get(parent_id, []):
                if exclude_below is not None and folder.pk == exclude_below.pk:
                    continue
                label = f"{prefix}{folder.name}"
                out.append((folder, label))
                walk(folder.pk, label + " / ")

        walk(None, "")
        return out


def client_visible_folder_ids(organisation_ids: list[int]) -> list[int]:
    """All folders a client of these organisations may see (one query)."""
    folders = Folder.objects.filter(organisation_id__in=organisation_ids, deleted_at=None).only(
        "pk", "parent_id", "open_to_client", "organisation_id", "name"
    )
    trees: dict[int, Tree] = {}
    for folder in folders:
        tree = trees.setdefault(folder.organisation_id, Tree({}, {}))
        tree.folders[folder.pk] = folder
        tree.children.setdefault(folder.parent_id, []).append(folder)
    return sorted(pk for tree in trees.values() for pk in tree.client_visible_ids())


def documents_in(folder: Folder, *, client: bool = False) -> QuerySet[Document]:
    """The live documents of a folder with their current version; for clients only published ones."""
    documents = (
        Document.objects.filter(folder=folder, deleted_at=None)
        .select_related("current", "current__uploaded_by")
        .order_by("name")
    )
    if client:
        documents = documents.filter(Q(visible_from=None) | Q(visible_from__lte=timezone.now()))
    return documents


def versions_of(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def deleted_in(organisation: Organisation) -> tuple[QuerySet[Folder], QuerySet[Document]]:
    """The bin: deleted folders and documents of an organisation, newest first."""
    folders = Folder.objects.filter(organisation=organisation).exclude(deleted_at=None).order_by("-deleted_at")
    documents = (
        Document.objects.filter(organisation=organisation)
        .exclude(deleted_at=None)
        .select_related("folder", "deleted_by", "current")
        .order_by("-deleted_at")
    )
    return folders, documents
