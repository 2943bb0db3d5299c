"""Object access checks of the dossier: missing and forbidden both raise Http404 (STYLE.md rule 1).

Staff see every folder and document that is not deleted (and, in the bin, deleted ones). A client
sees a folder only when it and every folder above it are open to clients, in an organisation it is
a member of, and a document only when, besides, it is published and not deleted. Clients only
ever get the current version of a file.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils import timezone

from accordo.accounts.models import User
from accordo.clients.models import Membership
from accordo.core.access import public_id_or_404
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.dossier.selectors import Tree


def _staff(user: User) -> None:
    if not user.is_authenticated or not user.is_firm_staff:
        raise Http404


def access_staff_folder(user: User, public_id: uuid.UUID | str, *, deleted: bool = False) -> Folder:
    """A folder, for firm staff; ``deleted`` also finds folders in the bin."""
    _staff(user)
    folders = Folder.objects.select_related("organisation", "parent")
    if not deleted:
        folders = folders.filter(deleted_at=None)
    folder = folders.filter(public_id=public_id_or_404(public_id)).first()
    if folder is None:
        raise Http404
    return folder


def access_staff_document(user: User, public_id: uuid.UUID | str, *, deleted: bool = False) -> Document:
    """A document, for firm staff; ``deleted`` also finds documents in the bin."""
    _staff(user)
    documents = Document.objects.select_related("organisation", "folder", "current")
    if not deleted:
        documents = documents.filter(deleted_at=None)
    document = documents.filter(public_id=public_id_or_404(public_id)).first()
    if document is None:
        raise Http404
    return document


def access_staff_version(user: User, public_id: uuid.UUID | str) -> DocumentVersion:
    """Any version of any document (old versions stay downloadable by staff)."""
    _staff(user)
    version = (
        DocumentVersion.objects.select_related("document", "document__organisation")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if version is None:
        raise Http404
    return version


def _client_membership(user: User, organisation_id: int) -> Membership:
    if not user.is_authenticated:
        raise Http404
    membership = Membership.objects.portal().filter(user=user, organisation_id=organisation_id).first()
    if membership is None:
        raise Http404
    return membership


def access_client_folder(user: User, public_id: uuid.UUID | str) -> tuple[Folder, Tree]:
    """A folder open to this client, with its organisation's tree (for the path and subfolders)."""
    if not user.is_authenticated:
        raise Http404
    folder = (
        Folder.objects.select_related("organisation")
        .filter(public_id=public_id_or_404(public_id), deleted_at=None)
        .first()
    )
    if folder is None:
        raise Http404
    _client_membership(user, folder.organisation_id)
    tree = Tree.of(folder.organisation_id)
    if folder.pk not in tree.client_visible_ids():
        raise Http404
    return folder, tree


def access_client_document(user: User, public_id: uuid.UUID | str) -> Document:
    """A published document in a folder open to this client, with its current version."""
    if not user.is_authenticated:
        raise Http404
    document = (
        Document.objects.select_related("organisation", "folder", "current")
        .filter(public_id=public_id_or_404(public_id), deleted_at=None)
        .first()
    )
    if document is None or document.current is None:
        raise Http404
    if document.visible_from is not None and document.visible_from > timezone.now():
        raise Http404
    _client_membership(user, document.organisation_id)
    if document.folder_id not in Tree.of(document.organisation_id).client_visible_ids():
        raise Http404
    return document
