"""What the dossier's staff and client views share: receiving uploads and sending files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accordo.dossier.fileproc import safe_filename
from accordo.dossier.models import MAX_FILE_BYTES, DocumentVersion
from accordo.dossier.uploads import HashedUpload

INLINE_MIMES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def upload_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refused upload: JSON for the upload widget, a short page otherwise."""
    if wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def received_files(request: HttpRequest) -> tuple[list[HashedUpload], HttpResponse | None]:
    """The uploaded files of a POST (field ``file`` or ``files``), or the answer refusing them.

    The upload handler has already streamed, hashed and sniffed every file. Refused: a file over
    the limit (413), a body cut off before its end (the widget sends each file's ``size`` first),
    no file at all, an empty file.
    """
    files = request.FILES.getlist("file") + request.FILES.getlist("files")
    rejected = getattr(request, "upload_rejected", None)
    if rejected is not None:
        for upload in files:
            upload.close()
        message = _("“%(name)s” is larger than %(limit)s and was not accepted.") % {
            "name": safe_filename(rejected),
            "limit": filesizeformat(MAX_FILE_BYTES),
        }
        return [], upload_error(request, message, 413)
    if not files:
        return [], upload_error(request, _("Choose at least one file."), 400)
    declared = request.POST.get("size")
    if declared is not None and len(files) == 1 and declared != str(files[0].size):
        files[0].close()
        return [], upload_error(request, _("The upload was interrupted. Please try again."), 400)
    for upload in files:
        if not upload.size:
            message = _("The file “%(name)s” is empty.") % {"name": safe_filename(upload.name or "")}
            return [], upload_error(request, message, 400)
    return files, None  # type: ignore[return-value]


def first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("That did not work.")


class Stored(Protocol):
    file: FieldFile
    mime: str


def send_version(version: DocumentVersion | Stored, *, inline: bool, name: str) -> FileResponse:
    """Stream a stored file; inline only for PDFs and pictures, anything else as a download."""
    inline = inline and version.mime in INLINE_MIMES
    response = FileResponse(version.file.open("rb"), as_attachment=not inline, filename=name, content_type=version.mime)
    response["Cache-Control"] = "private, no-store"
    if inline:
        # Shown in a frame of our own page; the file itself may run nothing.
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def each_upload(files: list[HashedUpload], store: Callable[[HashedUpload], object]) -> tuple[list[object], list[str]]:
    """Store each file through ``store``; (stored, error messages) — one bad file does not stop the rest."""
    stored, errors = [], []
    for upload in files:
        try:
            stored.append(store(upload))
        except ValidationError as error:
            errors.append(first_error(error))
        finally:
            upload.close()
    return stored, errors
