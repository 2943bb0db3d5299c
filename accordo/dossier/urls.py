from django.urls import path

from accordo.dossier.views import portal, staff

app_name = "dossier"
urlpatterns = [
    # staff
    path("staff/organisations/<uuid:public_id>/dossier/", staff.dossier_root, name="staff_root"),
    path("staff/organisations/<uuid:public_id>/dossier/bin/", staff.dossier_bin, name="staff_bin"),
    path("staff/dossier/<uuid:public_id>/folders/new/", staff.folder_create, name="staff_folder_create"),
    path("staff/dossier/folders/<uuid:public_id>/", staff.folder_page, name="staff_folder"),
    path("staff/dossier/folders/<uuid:public_id>/edit/", staff.folder_edit, name="staff_folder_edit"),
    path("staff/dossier/folders/<uuid:public_id>/delete/", staff.folder_delete, name="staff_folder_delete"),
    path("staff/dossier/folders/<uuid:public_id>/restore/", staff.folder_restore, name="staff_folder_restore"),
    path("staff/dossier/folders/<uuid:public_id>/upload/", staff.folder_upload, name="staff_folder_upload"),
    path("staff/dossier/documents/<uuid:public_id>/", staff.document_page, name="staff_document"),
    path("staff/dossier/documents/<uuid:public_id>/edit/", staff.document_edit, name="staff_document_edit"),
    path("staff/dossier/documents/<uuid:public_id>/delete/", staff.document_delete, name="staff_document_delete"),
    path("staff/dossier/documents/<uuid:public_id>/restore/", staff.document_restore, name="staff_document_restore"),
    path("staff/dossier/documents/<uuid:public_id>/send-link/", staff.document_send_link, name="staff_document_link"),
    path("staff/dossier/versions/<uuid:public_id>/download/", staff.version_download, name="staff_version_download"),
    path("staff/dossier/versions/<uuid:public_id>/preview/", staff.version_preview, name="staff_version_preview"),
    path("staff/dossier/versions/<uuid:public_id>/thumbnail/", staff.version_thumbnail, name="staff_version_thumbnail"),
    path("staff/dossier/versions/<uuid:public_id>/status/", staff.version_status, name="staff_version_status"),
    path("staff/dossier/search/", staff.staff_search, name="staff_search"),
    path("staff/dossier/template/", staff.template_edit, name="template"),
    # clients
    path("portal/<uuid:public_id>/dossier/", portal.dossier_root, name="client_root"),
    path("portal/dossier/folders/<uuid:public_id>/", portal.folder_page, name="client_folder"),
    path("portal/dossier/documents/<uuid:public_id>/", portal.document_page, name="client_document"),
    path("portal/dossier/documents/<uuid:public_id>/preview/", portal.document_preview, name="client_preview"),
    path("portal/dossier/documents/<uuid:public_id>/download/", portal.document_download, name="client_download"),
    path("portal/dossier/search/", portal.client_search, name="client_search"),
]
