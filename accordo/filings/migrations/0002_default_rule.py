from django.db import migrations

# The firm's starting rule for assessments that differ from the return (SPEC §6, §10): a task for
# the client's tax advisor. Data in Dutch like the other default rules; editable afterwards.
RULE = {
    "name": "Aanslag niet conform",
    "verb": "assessment.not_conform",
    "conditions": {},
    "action": "create_task",
    "task_title": "Beoordeel de aanslag en dien zo nodig bezwaar in",
    "assignee_role": "tax_advisor",
    "due_offset_days": 2,
}


def forwards(apps, schema_editor):
    SignalRule = apps.get_model("work", "SignalRule")
    if not SignalRule.objects.filter(name=RULE["name"]).exists():
        SignalRule.objects.create(**RULE)


def backwards(apps, schema_editor):
    apps.get_model("work", "SignalRule").objects.filter(name=RULE["name"], verb=RULE["verb"]).delete()


class Migration(migrations.Migration):
    dependencies = [("filings", "0001_initial"), ("work", "0003_workflows_mail_reminders")]
    operations = [migrations.RunPython(forwards, backwards)]
