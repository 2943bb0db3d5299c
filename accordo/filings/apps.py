from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "accordo.filings"
    label = "filings"
