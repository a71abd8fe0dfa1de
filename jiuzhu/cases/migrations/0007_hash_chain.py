"""Schema of the hash chain (audit/chain.py); the rows are chained by the next (fill) migration."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_hash_chain'),
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
    ]
