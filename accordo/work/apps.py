from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "accordo.work"
    label = "work"
