"""Staff pages of the dossier: folders, documents, versions, upload, the bin, search, the template."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accordo.clients.access import access_staff_organisation
from accordo.clients.models import Membership, Organisation
from accordo.core.access import AuthedRequest, firm_admin_required, staff_required
from accordo.core.context import ctx_from_request
from accordo.dossier import fileproc, search, services
from accordo.dossier.access import (
    access_staff_document,
    access_staff_folder,
    access_staff_version,
)
from accordo.dossier.forms import DocumentForm, FolderForm, TemplateForm, search_query
from accordo.dossier.models import Document, DocumentVersion, Folder, TemplateFolder
from accordo.dossier.selectors import Tree, deleted_in, documents_in, versions_of
from accordo.dossier.views.common import each_upload, first_error, received_files, send_version, wants_json

PAGE_SIZE = 100


def _folder_url(folder: Folder) -> str:
    return reverse("dossier:staff_folder", args=[folder.public_id])


@require_GET
@staff_required
def dossier_root(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    tree = Tree.of(organisation)
    return render(
        request,
        "dossier/staff/root.html",
        {
            "organisation": organisation,
            "folders": tree.children.get(None, []),
            "visible_ids": tree.client_visible_ids(),
            "form": FolderForm(),
        },
    )


@require_GET
@staff_required
def folder_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder = access_staff_folder(request.user, public_id)
    tree = Tree.of(folder.organisation_id)
    return render(
        request,
        "dossier/staff/folder.html",
        {
            "organisation": folder.organisation,
            "folder": folder,
            "path": tree.path(folder),
            "subfolders": tree.children.get(folder.pk, []),
            "page": Paginator(documents_in(folder), PAGE_SIZE).get_page(request.GET.get("page")),
            "visible_ids": tree.client_visible_ids(),
            "new_form": FolderForm(),
            "edit_form": FolderForm(
                initial={
                    "name": folder.name,
                    "open_to_client": folder.open_to_client,
                    "parent": str(folder.parent.public_id) if folder.parent else "",
                },
                tree=tree,
                folder=folder,
            ),
        },
    )


@require_POST
@staff_required
def folder_create(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A new folder: ``public_id`` is the organisation (top level) or the parent folder."""
    parent: Folder | None = Folder.objects.filter(public_id=public_id, deleted_at=None).first()
    if parent is not None:
        parent = access_staff_folder(request.user, public_id)
        organisation: Organisation = parent.organisation
    else:
        organisation = access_staff_organisation(request.user, public_id)
    back = _folder_url(parent) if parent else reverse("dossier:staff_root", args=[organisation.public_id])
    form = FolderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the folder a name."))
        return redirect(back)
    try:
        folder = services.folder_create(
            actor=request.user,
            ctx=ctx_from_request(request),
            organisation=organisation,
            parent=parent,
            name=form.cleaned_data["name"],
            open_to_client=form.cleaned_data["open_to_client"],
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect(back)
    messages.success(request, _("Folder created."))
    return redirect(_folder_url(folder))


@require_POST
@staff_required
def folder_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder = access_staff_folder(request.user, public_id)
    form = FolderForm(request.POST, tree=Tree.of(folder.organisation_id), folder=folder)
    if not form.is_valid():
        messages.error(request, _("Check the folder's name and place."))
        return redirect(_folder_url(folder))
    try:
        changes = services.folder_update(
            actor=request.user,
            ctx=ctx_from_request(request),
            folder=folder,
            name=form.cleaned_data["name"],
            open_to_client=form.cleaned_data["open_to_client"],
            parent=form.cleaned_data["parent"],
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect(_folder_url(folder))
    messages.success(request, _("Changes saved.") if changes else _("Nothing was changed."))
    return redirect(_folder_url(folder))


@require_POST
@staff_required
def folder_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder = access_staff_folder(request.user, public_id)
    services.folder_delete(actor=request.user, ctx=ctx_from_request(request), folder=folder)
    messages.success(request, _("The folder is in the bin; it can be restored from there."))
    if folder.parent is not None:
        return redirect(_folder_url(folder.parent))
    return redirect("dossier:staff_root", folder.organisation.public_id)


@require_POST
@staff_required
def folder_restore(request: AuthedRequest, public_id: str) -> HttpResponse:
    folder = access_staff_folder(request.user, public_id, deleted=True)
    try:
        services.folder_restore(actor=request.user, ctx=ctx_from_request(request), folder=folder)
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect("dossier:staff_bin", folder.organisation.public_id)
    messages.success(request, _("Folder restored."))
    return redirect(_folder_url(folder))


@require_POST
@staff_required
def folder_upload(request: AuthedRequest, public_id: str) -> HttpResponse:
    """One or more files into a folder; the widget sends one file a request and shows progress."""
    folder = access_staff_folder(request.user, public_id)
    files, refused = received_files(request)
    if refused is not None:
        return refused
    ctx = ctx_from_request(request)
    stored, errors = each_upload(
        files, lambda upload: services.document_upload(actor=request.user, ctx=ctx, folder=folder, upload=upload)
    )
    versions: list[DocumentVersion] = stored  # type: ignore[assignment]
    if wants_json(request):
        status = 400 if errors and not versions else 200
        return JsonResponse(
            {
                "ok": not errors,
                "error": " ".join(errors),
                "files": [
                    {
                        "name": v.document.name,
                        "version": v.number,
                        "unchanged": getattr(v, "unchanged", False),
                        "status_url": reverse("dossier:staff_version_status", args=[v.public_id]),
                    }
                    for v in versions
                ],
            },
            status=status,
        )
    for error in errors:
        messages.error(request, error)
    if versions:
        messages.success(request, _("%(count)d file(s) added.") % {"count": len(versions)})
    return redirect(_folder_url(folder))


@require_GET
@staff_required
def version_status(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The ingestion status row of a version (the page polls it while the worker runs)."""
    version = access_staff_version(request.user, public_id)
    return render(request, "dossier/_status.html", {"version": version, "poll": True})


@require_GET
@staff_required
def document_page(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _document_render(request, access_staff_document(request.user, public_id))


def _document_render(request: AuthedRequest, document: Document, status: int = 200) -> HttpResponse:
    tree = Tree.of(document.organisation_id)
    folder = tree.folders.get(document.folder_id, document.folder)
    form = DocumentForm(
        initial={
            "name": document.name,
            "folder": str(folder.public_id),
            "visible_from": document.visible_from,
        },
        tree=tree,
    )
    return render(
        request,
        "dossier/staff/document.html",
        {
            "organisation": document.organisation,
            "document": document,
            "path": tree.path(folder),
            "versions": versions_of(document),
            "client_can_see": folder.pk in tree.client_visible_ids() and document.published,
            "form": form,
            "members": _members(document.organisation),
            "links": list(document.temporary_links.select_related("recipient").order_by("-created_at")[:LINKS_SHOWN]),
            "now": timezone.now(),
        },
        status=status,
    )


LINKS_SHOWN = 20


def _members(organisation: Organisation) -> list[Membership]:
    return list(Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__email"))


@require_POST
@staff_required
def document_send_link(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Send the document to one member as a temporary download link (how Standard-tier clients get
    their reports, SPEC §14); the worker mails it."""
    from accordo.approvals import links

    document = access_staff_document(request.user, public_id)
    back = reverse("dossier:staff_document", args=[document.public_id])
    try:
        recipient = uuid.UUID(request.POST.get("recipient", ""))
    except ValueError:
        membership = None
    else:
        membership = (
            Membership.objects.filter(organisation=document.organisation, public_id=recipient)
            .select_related("user")
            .first()
        )
    if membership is None or document.current is None:
        messages.error(request, _("Choose who receives the link."))
        return _document_render(request, document, status=400)
    try:
        links.link_create(
            actor=request.user,
            ctx=ctx_from_request(request),
            organisation=document.organisation,
            recipient=membership.user,
            document=document,
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return _document_render(request, document, status=400)
    messages.success(
        request,
        _("A temporary link to this document is being e-mailed to %(email)s.") % {"email": membership.user.email},
    )
    return redirect(back)


@require_POST
@staff_required
def document_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    document = access_staff_document(request.user, public_id)
    form = DocumentForm(request.POST, tree=Tree.of(document.organisation_id))
    back = reverse("dossier:staff_document", args=[document.public_id])
    if not form.is_valid():
        for field_errors in form.errors.values():
            messages.error(request, str(field_errors[0]))
        return redirect(back)
    try:
        changes = services.document_update(
            actor=request.user,
            ctx=ctx_from_request(request),
            document=document,
            name=form.cleaned_data["name"],
            folder=form.cleaned_data["folder"],
            visible_from=form.cleaned_data["visible_from"],
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect(back)
    messages.success(request, _("Changes saved.") if changes else _("Nothing was changed."))
    return redirect(back)


@require_POST
@staff_required
def document_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    document = access_staff_document(request.user, public_id)
    services.document_delete(actor=request.user, ctx=ctx_from_request(request), document=document)
    messages.success(request, _("The document is in the bin; it can be restored from there."))
    return redirect(_folder_url(document.folder))


@require_POST
@staff_required
def document_restore(request: AuthedRequest, public_id: str) -> HttpResponse:
    document = access_staff_document(request.user, public_id, deleted=True)
    try:
        services.document_restore(actor=request.user, ctx=ctx_from_request(request), document=document)
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect("dossier:staff_bin", document.organisation.public_id)
    messages.success(request, _("Document restored."))
    return redirect("dossier:staff_document", document.public_id)


@require_GET
@staff_required
def version_download(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    version = access_staff_version(request.user, public_id)
    return send_version(version, inline=False, name=version.original_name)


@require_GET
@staff_required
@xframe_options_sameorigin
def version_preview(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    version = access_staff_version(request.user, public_id)
    return send_version(version, inline=True, name=version.original_name)


@require_GET
@staff_required
def version_thumbnail(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    version = access_staff_version(request.user, public_id)
    if not version.thumbnail:
        raise Http404
    response = FileResponse(version.thumbnail.open("rb"), content_type=fileproc.THUMBNAIL_MIME)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@staff_required
def dossier_bin(request: AuthedRequest, public_id: str) -> HttpResponse:
    organisation = access_staff_organisation(request.user, public_id)
    folders, documents = deleted_in(organisation)
    return render(
        request,
        "dossier/staff/bin.html",
        {"organisation": organisation, "folders": folders[:200], "documents": documents[:500]},
    )


@require_GET
@staff_required
def staff_search(request: AuthedRequest) -> HttpResponse:
    """Search every organisation's dossier, or one (``?organisation=<public id>``)."""
    query = search_query(request.GET)
    organisation = None
    if request.GET.get("organisation"):
        organisation = access_staff_organisation(request.user, request.GET["organisation"])
    scope = search.Scope.staff([organisation.pk] if organisation else None)
    hits = search.search_documents(query, scope, limit=50) if query else []
    by_id = Document.objects.select_related("organisation", "folder").in_bulk([h.document_id for h in hits])
    results = [(by_id[h.document_id], h.snippet) for h in hits if h.document_id in by_id]
    return render(
        request,
        "dossier/staff/search.html",
        {"query": query, "organisation": organisation, "results": results},
    )


@require_http_methods(["GET", "POST"])
@firm_admin_required
def template_edit(request: AuthedRequest) -> HttpResponse:
    """The firm's folder template: folders every new organisation starts with."""
    lines = "\n".join(f"{'+' if t.open_to_client else ''}{t.path}" for t in TemplateFolder.objects.all())
    form = TemplateForm(request.POST or None, initial={"lines": lines})
    if request.method == "POST" and form.is_valid():
        try:
            services.template_folders_set(actor=request.user, ctx=ctx_from_request(request), entries=form.entries())
        except ValidationError as error:
            form.add_error("lines", error)
        else:
            messages.success(request, _("Folder template saved."))
            return redirect("dossier:template")
    return render(request, "dossier/staff/template.html", {"form": form}, status=400 if form.errors else 200)
