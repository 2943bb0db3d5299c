"""Tax returns and assessments (SPEC §6)."""

from django.urls import path

from accordo.filings import views_portal

app_name = "filings_portal"

urlpatterns = [
    path("<uuid:public_id>/", views_portal.organisation, name="organisation"),
]
