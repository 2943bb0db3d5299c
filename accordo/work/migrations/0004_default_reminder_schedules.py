from django.db import migrations

# The firm's starting reminder schedules (SPEC §10); editable at /staff/reminders/. "approval" is
# what approvals did before schedules were data: 3 days before, the day after, then weekly.
DEFAULT = {
    "approval": ([3], [1], 7),
    "client_task": ([7, 1], [1], 7),
    "document_request": ([7, 1], [1], 7),
    "questionnaire": ([7, 1], [1], 7),
}


def forwards(apps, schema_editor):
    """Adds the schedules that are missing; a no-op when they exist (also used by the tests)."""
    ReminderSchedule = apps.get_model("work", "ReminderSchedule")
    for kind, (before, after, every) in DEFAULT.items():
        ReminderSchedule.objects.get_or_create(
            kind=kind, defaults={"days_before": before, "days_after": after, "repeat_every_days": every}
        )


class Migration(migrations.Migration):
    dependencies = [("work", "0003_workflows_mail_reminders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
