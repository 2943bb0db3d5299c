from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "accordo.clients"
    label = "clients"
