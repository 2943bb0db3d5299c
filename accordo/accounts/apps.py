from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accordo.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from accordo.accounts.auth_hooks import mark_fresh_login_as_recent_authentication

        user_logged_in.connect(mark_fresh_login_as_recent_authentication, dispatch_uid="accordo-fresh-login")
