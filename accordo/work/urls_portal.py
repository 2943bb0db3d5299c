from django.urls import path

from accordo.work import views_portal

app_name = "work_portal"

urlpatterns = [
    path("<uuid:public_id>/tasks/", views_portal.tasks_page, name="tasks"),
    path("tasks/<uuid:public_id>/done/", views_portal.task_done, name="task_done"),
]
