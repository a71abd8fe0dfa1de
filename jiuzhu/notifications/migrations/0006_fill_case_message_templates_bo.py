"""Seed the Tibetan wording of the three messages to applicants who did not apply online (case_accepted,
case_decision, case_payment): the same fill as 0004, which keeps the rows administrators have already edited."""

from django.db import migrations


def fill(apps, schema_editor):
    from jiuzhu.notifications.outbound import DEFAULT_TEMPLATES, DEFAULT_TEMPLATES_BO

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, text in DEFAULT_TEMPLATES_BO.items():
        MessageTemplate.objects.get_or_create(key=key, language="bo", defaults={
            "text": text, "note": DEFAULT_TEMPLATES[key][1] + "（藏文）"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_fill_case_message_templates")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
