"""Chain the audit trail (audit/chain.py): organisation, place and HMAC on every row, rows written
before this migration chained in primary-key order (the organisation: the case's, else the actor's
first procuratorate)."""

import django.db.models.deletion
from django.conf import settings
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
        ('accounts', '0001_initial'),
        ('audit', '0001_initial'),
        ('cases', '0006_clue_transfer_deadline'),
        ('orgs', '0001_initial'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=40, unique=True)),
                ('table', models.CharField(max_length=20)),
                ('seq', models.BigIntegerField(default=0)),
                ('hash', models.CharField(max_length=64)),
            ],
            options={
                'verbose_name': '审计链头',
                'verbose_name_plural': '审计链头',
            },
        ),
        migrations.AddField(
            model_name='chainhead',
            name='org',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='链哈希'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='org',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation', verbose_name='所属机构'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(default=0, editable=False, verbose_name='链序号'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
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
