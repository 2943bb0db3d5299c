from django.urls import path

from accordo.accounts import views_team
from accordo.clients.views import staff as views

app_name = "staff"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/tier/", views.organisation_bulk_tier, name="organisation_bulk_tier"),
    path("organisations/<uuid:public_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:public_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<uuid:public_id>/bsn/", views.organisation_bsn, name="organisation_bsn"),
    path("organisations/<uuid:public_id>/timeline/", views.organisation_timeline, name="organisation_timeline"),
    path("organisations/<uuid:public_id>/invite/", views.invitation_create, name="invitation_create"),
    path("invitations/<uuid:public_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<uuid:public_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("memberships/<uuid:public_id>/role/", views.membership_role, name="membership_role"),
    path("memberships/<uuid:public_id>/remove/", views.membership_remove, name="membership_remove"),
    path("firm/", views.firm_settings, name="firm_settings"),
    path("team/", views_team.team, name="team"),
    path("team/<uuid:public_id>/role/", views_team.team_role, name="team_role"),
    path("team/<uuid:public_id>/active/", views_team.team_active, name="team_active"),
    path("labels/", views.label_create, name="label_create"),
    path("labels/<uuid:public_id>/delete/", views.label_delete, name="label_delete"),
]
