from django.urls import URLPattern

app_name = "filings_staff"

urlpatterns: list[URLPattern] = []
