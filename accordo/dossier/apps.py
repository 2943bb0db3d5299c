from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "accordo.dossier"
    label = "dossier"
