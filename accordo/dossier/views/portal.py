"""Client pages of the dossier: open folders, published documents, preview, download, search.

Every preview and download is an event (SPEC §3). Clients only read: nothing here writes to the
dossier itself.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accordo.clients.access import access_client_organisation
from accordo.clients.selectors import memberships_of
from accordo.core.access import AuthedRequest, login_required
from accordo.core.context import ctx_from_request
from accordo.dossier import search, services
from accordo.dossier.access import access_client_document, access_client_folder
from accordo.dossier.forms import search_query
from accordo.dossier.models import Document
from accordo.dossier.selectors import Tree, client_visible_folder_ids, documents_in
from accordo.dossier.views.common import send_version

PAGE_SIZE = 100


@require_GET
@login_required
def dossier_root(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation, membership = access_client_organisation(request.user, public_id)
    tree = Tree.of(organisation)
    visible = tree.client_visible_ids()
    return render(
        request,
        "dossier/portal/root.html",
        {
            "organisation": organisation,
            "membership": membership,
            "memberships": list(memberships_of(request.user)),
            "folders": [f for f in tree.children.get(None, []) if f.pk in visible],
        },
    )


@require_GET
@login_required
def folder_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder, tree = access_client_folder(request.user, public_id)
    visible = tree.client_visible_ids()
    return render(
        request,
        "dossier/portal/folder.html",
        {
            "organisation": folder.organisation,
            "memberships": list(memberships_of(request.user)),
            "folder": folder,
            "path": tree.path(folder),
            "subfolders": [f for f in tree.children.get(folder.pk, []) if f.pk in visible],
            "page": Paginator(documents_in(folder, client=True), PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


@require_GET
@login_required
def document_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    document = access_client_document(request.user, public_id)
    tree = Tree.of(document.organisation_id)
    return render(
        request,
        "dossier/portal/document.html",
        {
            "organisation": document.organisation,
            "memberships": list(memberships_of(request.user)),
            "document": document,
            "version": document.current,
            "path": tree.path(tree.folders[document.folder_id]),
        },
    )


@require_GET
@login_required
@xframe_options_sameorigin
def document_preview(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    document = access_client_document(request.user, public_id)
    version = document.current
    assert version is not None  # the access check refuses documents without a file
    services.document_opened(actor=request.user, ctx=ctx_from_request(request), version=version, how="preview")
    return send_version(version, inline=True, name=document.name)


@require_GET
@login_required
def document_download(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    document = access_client_document(request.user, public_id)
    version = document.current
    assert version is not None
    services.document_opened(actor=request.user, ctx=ctx_from_request(request), version=version, how="download")
    return send_version(version, inline=False, name=document.name)


@require_GET
@login_required
def client_search(request: AuthedRequest) -> HttpResponse:
    """Search the open, published documents of every organisation the client belongs to."""
    query = search_query(request.GET)
    memberships = list(memberships_of(request.user))
    organisation_ids = [m.organisation_id for m in memberships]
    results = []
    if query and organisation_ids:
        scope = search.Scope.client(organisation_ids, client_visible_folder_ids(organisation_ids), timezone.now())
        hits = search.search_documents(query, scope, limit=50)
        by_id = Document.objects.select_related("organisation", "folder").in_bulk([h.document_id for h in hits])
        results = [(by_id[h.document_id], h.snippet) for h in hits if h.document_id in by_id]
    return render(
        request,
        "dossier/portal/search.html",
        {"query": query, "results": results, "memberships": memberships, "organisation": None},
    )
