from django.urls import path

from accordo.deliveries import views_mail as views

app_name = "mailin"
urlpatterns = [
    path("staff/deliveries/quarantine/", views.quarantine_list, name="quarantine_list"),
    path("staff/deliveries/quarantine/<uuid:public_id>/", views.quarantine_detail, name="quarantine_detail"),
    path(
        "staff/deliveries/quarantine/<uuid:public_id>/release/",
        views.quarantine_release_view,
        name="quarantine_release",
    ),
    path(
        "staff/deliveries/quarantine/<uuid:public_id>/discard/",
        views.quarantine_discard_view,
        name="quarantine_discard",
    ),
    path(
        "staff/deliveries/quarantine/<uuid:public_id>/message.eml",
        views.quarantine_message,
        name="quarantine_message",
    ),
]
