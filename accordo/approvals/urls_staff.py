from django.urls import path  # noqa: F401

app_name = "approvals_staff"

urlpatterns: list = []
