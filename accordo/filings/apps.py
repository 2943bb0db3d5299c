from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "accordo.filings"
    label = "filings"

    def ready(self) -> None:
        # Register the handlers of the 'filings' and 'notifications' consumers of the event log.
        from accordo.filings import handlers, notifications  # noqa: F401
