from django.urls import path

from accordo.approvals import views_outbox, views_overview, views_staff

app_name = "approvals_staff"

urlpatterns = [
    path("", views_overview.overview, name="overview"),
    path("export.csv", views_overview.export, name="export"),
    path("bulk/", views_staff.bulk, name="bulk"),
    path("offer/<uuid:public_id>/", views_staff.offer, name="offer"),
    path("outbox/", views_outbox.outbox_page, name="outbox"),
    path("outbox/<uuid:public_id>/advance/", views_outbox.submission_advance, name="submission_advance"),
    path("documents/<uuid:public_id>/", views_staff.document_file, name="document"),
    path("links/<uuid:public_id>/revoke/", views_staff.link_revoke, name="link_revoke"),
    path("<uuid:public_id>/", views_staff.approval_page, name="approval"),
    path("<uuid:public_id>/remind/", views_staff.remind, name="remind"),
    path("<uuid:public_id>/withdraw/", views_staff.withdraw, name="withdraw"),
    path("<uuid:public_id>/reoffer/", views_staff.reoffer, name="reoffer"),
]
