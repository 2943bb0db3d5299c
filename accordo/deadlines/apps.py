from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "accordo.deadlines"
    label = "deadlines"
