from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "accordo.approvals"
    label = "approvals"
