"""Chain the case timeline (audit/chain.py): organisation, place and HMAC on every event, events
written before this migration chained in primary-key order under their case's procuratorate."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from jiuzhu.audit.chain import chain_existing

EVENT_FIELDS = ("case_id", "kind", "action", "old_status", "new_status", "actor_id", "at", "note", "data",
                "org_id", "seq")


def chain_case_events(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    ChainHead = apps.get_model("audit", "ChainHead")
    AidCase = apps.get_model("cases", "AidCase")
    db = schema_editor.connection.alias
    org_of_case = dict(AidCase.objects.using(db).values_list("pk", "handling_org_id"))
    chain_existing(CaseEvent, ChainHead, "case_event", EVENT_FIELDS, lambda row: org_of_case[row.case_id], using=db)
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now, so the unique indexes below can be built.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_hash_chain'),
        ('cases', '0006_clue_transfer_deadline'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='caseevent',
            name='hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='链哈希'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='org',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation', verbose_name='所属检察院'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='seq',
            field=models.BigIntegerField(default=0, editable=False, verbose_name='链序号'),
        ),
        migrations.RunPython(chain_case_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', False)), fields=('org', 'seq'), name='cases_caseevent_chain_seq'),
        ),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', True)), fields=('seq',), name='cases_caseevent_chain_seq_no_org'),
        ),
    ]
