"""Seed the editable message templates with the default wording (administrators change them later)."""

from django.db import migrations


def fill(apps, schema_editor):
    from jiuzhu.notifications.outbound import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, (text, note) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(key=key, defaults={"text": text, "note": note})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbound_messages_and_templates")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
