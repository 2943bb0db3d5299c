from django.urls import path

from accordo.approvals import views_links as views

app_name = "links"
urlpatterns = [
    path("<uuid:public_id>/<str:token>/", views.link_open, name="open"),
    path("<uuid:public_id>/<str:token>/code/", views.link_code, name="code"),
    path("<uuid:public_id>/<str:token>/approve/", views.link_approve, name="approve"),
    path("<uuid:public_id>/<str:token>/reject/", views.link_reject, name="reject"),
    path("<uuid:public_id>/<str:token>/download/", views.link_download, name="download"),
    path("<uuid:public_id>/<str:token>/documents/<uuid:document_id>/", views.link_document, name="document"),
    path(
        "<uuid:public_id>/<str:token>/documents/<uuid:document_id>/download/",
        views.link_document_download,
        name="document_download",
    ),
]
