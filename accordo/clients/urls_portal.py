from django.urls import path

from accordo.clients.views import portal as views

app_name = "portal"
urlpatterns = [
    path("", views.client_home, name="home"),
    path("<uuid:public_id>/", views.organisation_home, name="organisation_home"),
    path("<uuid:public_id>/company/", views.company_data, name="company_data"),
    path("<uuid:public_id>/company/edit/", views.company_edit, name="company_edit"),
]
