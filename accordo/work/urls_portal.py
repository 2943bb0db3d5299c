from django.urls import URLPattern

app_name = "work_portal"

urlpatterns: list[URLPattern] = []
