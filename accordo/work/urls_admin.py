from django.urls import URLPattern

app_name = "work_admin"

urlpatterns: list[URLPattern] = []
