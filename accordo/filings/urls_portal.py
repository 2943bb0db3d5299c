from django.urls import URLPattern

app_name = "filings_portal"

urlpatterns: list[URLPattern] = []
