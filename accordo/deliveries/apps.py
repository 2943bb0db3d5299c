from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "accordo.deliveries"
    label = "deliveries"
