from django.db import migrations

# The firm's starting signal rules (SPEC §10); editable afterwards. Names and titles are data, in
# Dutch, like the default trays. (Assessment not conform → tax advisor comes with the assessments.)
DEFAULT = [
    (
        "Inkoopfactuur aangeleverd",
        "delivery.received",
        {"tray": ["inkoop"]},
        "Verwerk inkoopfactuur",
        "assistant",
        2,
    ),
    (
        "Accordering afgekeurd",
        "approval.rejected",
        {},
        "Bespreek de afgekeurde accordering met de klant",
        "accountant",
        1,
    ),
    (
        "Klantgegevens gewijzigd",
        "client.data_changed",
        {},
        "Controleer de gewijzigde klantgegevens in de backoffice",
        "assistant",
        3,
    ),
]


def forwards(apps, schema_editor):
    SignalRule = apps.get_model("work", "SignalRule")
    ConsumerOffset = apps.get_model("core", "ConsumerOffset")
    EventChainHead = apps.get_model("core", "EventChainHead")
    # The rules act on what happens after this installation got them, never on the history; the
    # consumer's offset is set here so no event between this migration and its first run is missed.
    head = EventChainHead.objects.filter(pk=1).first()
    ConsumerOffset.objects.get_or_create(name="rules", defaults={"last_seq": head.last_seq if head else 0})
    if SignalRule.objects.exists():
        return
    for name, verb, conditions, title, role, days in DEFAULT:
        SignalRule.objects.create(
            name=name,
            verb=verb,
            conditions=conditions,
            action="create_task",
            task_title=title,
            assignee_role=role,
            due_offset_days=days,
        )


def backwards(apps, schema_editor):
    apps.get_model("work", "SignalRule").objects.filter(name__in=[d[0] for d in DEFAULT]).delete()


class Migration(migrations.Migration):
    dependencies = [("work", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
