from django.db import migrations

# The firm's starting trays (SPEC §4); editable afterwards. Names are data, in Dutch.
DEFAULT = [
    ("Inkoop", "inkoop", "Administratie/{year}/Inkoop", True, True),
    ("Verkoop", "verkoop", "Administratie/{year}/Verkoop", True, True),
    ("Bonnen", "bonnen", "Administratie/{year}/Bonnen", True, True),
    ("Bankafschriften", "bank", "Administratie/{year}/Bankafschriften", True, False),
    ("Overig", "overig", "Administratie/{year}/Overig", False, False),
]


def forwards(apps, schema_editor):
    Tray = apps.get_model("deliveries", "Tray")
    if Tray.objects.exists():
        return
    for position, (name, slug, pattern, needs_processing, invoice_data) in enumerate(DEFAULT):
        Tray.objects.create(
            name=name,
            slug=slug,
            archive_pattern=pattern,
            needs_processing=needs_processing,
            invoice_data=invoice_data,
            position=position,
        )


def backwards(apps, schema_editor):
    apps.get_model("deliveries", "Tray").objects.filter(slug__in=[d[1] for d in DEFAULT]).delete()


class Migration(migrations.Migration):
    dependencies = [("deliveries", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
