"""Chain the case events written before chaining existed (audit/chain.py), in primary-key order under
their case's handling procuratorate; then one row per place in a chain."""

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
        ('cases', '0007_hash_chain'),
    ]

    operations = [
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
