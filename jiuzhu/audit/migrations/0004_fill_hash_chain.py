"""Chain the audit rows written before chaining existed (audit/chain.py), in primary-key order: the
organisation is the case's, else the actor's first procuratorate; then one row per place in a chain."""

from django.db import migrations, models

from jiuzhu.audit.chain import chain_existing

AUDIT_FIELDS = ("kind", "actor_id", "at", "case_id", "person_id", "field", "reason", "detail", "org_id", "seq")


def chain_audit_entries(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    Membership = apps.get_model("accounts", "Membership")
    db = schema_editor.connection.alias
    home: dict[int, int | None] = {}

    def org_of(row):
        if row.case_id is not None:
            return row.case.handling_org_id
        if row.actor_id is None:
            return None
        if row.actor_id not in home:
            first = (Membership.objects.using(db).filter(user_id=row.actor_id, is_active=True)
                     .order_by("org__path", "role").first())
            home[row.actor_id] = first.org_id if first else None
        return home[row.actor_id]

    chain_existing(AuditEntry, ChainHead, "audit", AUDIT_FIELDS, org_of, using=db)
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now, so the unique indexes below can be built.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_hash_chain'),
    ]

    operations = [
        migrations.RunPython(chain_audit_entries, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', False)), fields=('org', 'seq'), name='audit_entry_chain_seq'),
        ),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', True)), fields=('seq',), name='audit_entry_chain_seq_no_org'),
        ),
    ]
