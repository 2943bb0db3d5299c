from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "accordo.core"
    label = "core"

    def ready(self) -> None:
        from accordo.core.consumers import load_handlers

        load_handlers()
