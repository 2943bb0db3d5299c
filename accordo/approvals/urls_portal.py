from django.urls import path

from accordo.approvals import views_portal as views

app_name = "approvals_portal"
urlpatterns = [
    path("organisations/<uuid:public_id>/", views.approvals_page, name="list"),
    path("<uuid:public_id>/", views.approval_page, name="approval"),
    path("<uuid:public_id>/approve/", views.approval_approve, name="approve"),
    path("<uuid:public_id>/reject/", views.approval_reject, name="reject"),
    path("documents/<uuid:public_id>/", views.document_view, name="document"),
    path("documents/<uuid:public_id>/download/", views.document_download, name="document_download"),
]
