"""The work app's huey jobs; huey finds the jobs of an app in its ``tasks`` module."""

from accordo.work.tasks_reminders import *  # noqa: F403
from accordo.work.tasks_workflows import *  # noqa: F403
