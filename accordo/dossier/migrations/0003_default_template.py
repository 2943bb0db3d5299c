from django.db import migrations

# The firm's starting folder template (SPEC §3); editable by staff admins afterwards.
# A leading "+" marks a folder open to the client.
DEFAULT = [
    "+Jaarrapporten",
    "+Tussentijdse cijfers",
    "+Publicatiestukken",
    "+Aangiften",
    "+Aanslagen",
    "Akten en statuten",
    "Overeenkomsten",
    "ID-bewijzen",
    "KvK",
    "+Correspondentie",
    "Inbox",
    "+Administratie",
]


def forwards(apps, schema_editor):
    TemplateFolder = apps.get_model("dossier", "TemplateFolder")
    if TemplateFolder.objects.exists():
        return
    for position, line in enumerate(DEFAULT):
        TemplateFolder.objects.create(path=line.lstrip("+"), open_to_client=line.startswith("+"), position=position)


def backwards(apps, schema_editor):
    TemplateFolder = apps.get_model("dossier", "TemplateFolder")
    TemplateFolder.objects.filter(path__in=[line.lstrip("+") for line in DEFAULT]).delete()


class Migration(migrations.Migration):
    dependencies = [("dossier", "0002_search")]
    operations = [migrations.RunPython(forwards, backwards)]
