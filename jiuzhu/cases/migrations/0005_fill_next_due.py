"""Fill AidCase.next_due from the running deadlines of existing cases."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_next_due(apps, schema_editor):
    AidCase = apps.get_model("cases", "AidCase")
    Deadline = apps.get_model("cases", "Deadline")
    running = (Deadline.objects.filter(case=OuterRef("pk"), completed_on__isnull=True, paused_on__isnull=True)
               .order_by("due_on").values("due_on")[:1])
    AidCase.objects.update(next_due=Subquery(running))


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_add_next_due")]
    operations = [migrations.RunPython(fill_next_due, migrations.RunPython.noop)]
