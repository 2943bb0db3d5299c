from django.urls import include, path

from accordo.accounts import views as account_views
from accordo.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("branding/style.css", core_views.branding_css, name="branding_css"),
    path("branding/logo", core_views.branding_logo, name="branding_logo"),
    path("language/", account_views.set_language, name="set_language"),
    path("profile/", account_views.profile, name="profile"),
    path("invitation/<uuid:public_id>/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("accounts/", include("allauth.urls")),
    path("", include("accordo.dossier.urls")),
    path("", include("accordo.deliveries.urls")),
    path("", include("accordo.deliveries.urls_mail")),
    path("", include("accordo.deadlines.urls")),
    path("staff/approvals/", include("accordo.approvals.urls_staff")),
    path("portal/approvals/", include("accordo.approvals.urls_portal")),
    path("l/", include("accordo.approvals.urls_links")),
    path("staff/work/", include("accordo.work.urls")),
    path("staff/work/admin/", include("accordo.work.urls_admin")),
    path("staff/reminders/", include("accordo.work.urls_reminders")),
    path("staff/filings/", include("accordo.filings.urls_staff")),
    path("portal/filings/", include("accordo.filings.urls_portal")),
    path("portal/work/", include("accordo.work.urls_portal")),
    path("staff/", include("accordo.clients.urls_staff")),
    path("portal/", include("accordo.clients.urls_portal")),
]
