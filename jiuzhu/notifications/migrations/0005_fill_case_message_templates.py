"""Seed the templates of the messages to applicants who did not apply online (case_accepted, case_decision,
case_payment): the same fill as 0003, which keeps the rows administrators have already edited."""

from django.db import migrations


def fill(apps, schema_editor):
    from jiuzhu.notifications.outbound import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, (text, note) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(key=key, language="zh-hans", defaults={"text": text, "note": note})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_message_language")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
