from django.urls import path

from accordo.work import views_reminders as views

app_name = "reminders"

urlpatterns = [
    path("", views.schedules, name="schedules"),
    path("<uuid:public_id>/", views.schedule_edit, name="schedule"),
]
