# Issue 11, finding 4: the uploaded ledger and the errors workbook (both with ID numbers) leave the
# database for the encrypted private store; the payloads of imports that already ended are dropped.

from django.db import migrations, models

ENDED = ("done", "failed")


def move_payloads(apps, schema_editor):
    from django.core.files.base import ContentFile

    LedgerImport = apps.get_model("stats", "LedgerImport")
    for job in LedgerImport.objects.all().iterator():
        if job.data and job.status not in ENDED:
            job.upload.save(f"ledger-{job.pk}.xlsx", ContentFile(bytes(job.data)), save=False)
        if job.errors_file:
            job.errors_workbook.save(f"ledger-{job.pk}.errors.xlsx", ContentFile(bytes(job.errors_file)), save=False)
        job.data = b""
        job.errors_file = None
        job.save(update_fields=["upload", "errors_workbook", "data", "errors_file"])


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0001_ledger_import'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerimport',
            name='errors_workbook',
            field=models.FileField(blank=True, max_length=200, upload_to='imports/ledger-errors/%Y/', verbose_name='错误清单'),
        ),
        migrations.AddField(
            model_name='ledgerimport',
            name='upload',
            field=models.FileField(blank=True, max_length=200, upload_to='imports/ledger/%Y/', verbose_name='台账文件'),
        ),
        migrations.RunPython(move_payloads, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='ledgerimport',
            name='data',
        ),
        migrations.RemoveField(
            model_name='ledgerimport',
            name='errors_file',
        ),
    ]
