"""Mark each stored contribution line of the case's handling procuratorate as the lead's (is_lead)."""

from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Contribution = apps.get_model("funds", "Contribution")
    Contribution.objects.filter(org_id=F("case__handling_org_id")).update(is_lead=True)


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_contribution_is_lead"), ("cases", "0012_worklist_keyset_indexes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
