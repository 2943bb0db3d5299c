"""The huey instance of the project (configured by settings.HUEY: SQLite or Redis)."""

from huey.contrib.djhuey import HUEY

__all__ = ["HUEY"]
