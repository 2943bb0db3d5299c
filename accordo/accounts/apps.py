from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accordo.accounts"
    label = "accounts"
