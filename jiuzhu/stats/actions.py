"""Writes of the stats app: starting a web ledger import and running it (the worker's side)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from jiuzhu.accounts.models import User
from jiuzhu.lib import clock, jobs
from jiuzhu.stats import ledger
from jiuzhu.stats.models import LedgerImport


def may_import(user: User) -> bool:
    """Staff who handle cases, and administrators, may import a ledger (each row is checked against their scope)."""
    from jiuzhu.accounts.access import memberships_of
    from jiuzhu.accounts.models import Capability

    return any(Capability.HANDLE_CASES in m.capabilities or Capability.ADMINISTER in m.capabilities
               for m in memberships_of(user))


def imports_of(user: User) -> QuerySet[LedgerImport]:
    return LedgerImport.objects.filter(created_by=user)


def start_import(file: Any, *, acting_user: User) -> LedgerImport:
    """Store the uploaded ledger and enqueue its import for the worker."""
    if not may_import(acting_user):
        raise PermissionDenied("您的岗位不能导入台账。")
    job = LedgerImport(created_by=acting_user, created_at=clock.now(), file_name=file.name[:200])
    job.upload.save("ledger.xlsx", file, save=False)  # encrypted at rest (jiuzhu.lib.storage)
    job.save()
    jobs.enqueue("run_ledger_import", job.pk)
    return job


def run_import(job_id: int) -> LedgerImport:
    """Check the stored ledger, then import it in one transaction (all or nothing), keeping the progress.

    However it ends (done, failed, or an unexpected error), the uploaded workbook is deleted: it holds
    every row's ID number. What stays is the counts, the message (line, column and reason, never a
    cell's value) and, on failure, the encrypted errors workbook its owner downloads and deletes.
    """
    job = LedgerImport.objects.select_related("created_by").get(pk=job_id)
    if job.status != LedgerImport.Status.QUEUED:
        return job  # already run (a retried task)
    try:
        return _run(job)
    finally:
        purge_payload(job.pk)


def purge_payload(job_id: int) -> None:
    """Delete the uploaded workbook of import JOB_ID (file and reference)."""
    job = LedgerImport.objects.filter(pk=job_id).first()
    if job is None or not job.upload:
        return
    name = job.upload.name
    LedgerImport.objects.filter(pk=job_id).update(upload="")
    job.upload.storage.delete(name)


def delete_errors(job: LedgerImport) -> None:
    """Delete the errors workbook of JOB (its owner's choice once the ledger is corrected)."""
    if job.errors_workbook:
        name = job.errors_workbook.name
        LedgerImport.objects.filter(pk=job.pk).update(errors_workbook="")
        job.errors_workbook.storage.delete(name)
        job.errors_workbook = ""  # type: ignore[assignment]


def _run(job: LedgerImport) -> LedgerImport:
    LedgerImport.objects.filter(pk=job.pk).update(status=LedgerImport.Status.CHECKING)
    last = [-1]

    def progress(done: int, total: int) -> None:
        # Every 2 % (and the last row): enough for the bar, few writes.
        if done == total or done - last[0] >= max(1, total // 50):
            last[0] = done
            LedgerImport.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        with job.upload.open("rb") as f:
            data = f.read()
        checked = ledger.check(data, acting_user=job.created_by, progress=progress)
    except ledger.LedgerError as e:
        return _finish(job, LedgerImport.Status.FAILED, message=str(e), error_count=1)
    if checked.errors:
        errors = default_storage.save(f"imports/ledger-errors/{clock.today():%Y}/ledger-{job.pk}.errors.xlsx",
                                      ContentFile(ledger.errors_workbook(checked)))
        return _finish(job, LedgerImport.Status.FAILED, error_count=len(checked.errors), errors_workbook=errors,
                       message=f"台账有 {len(checked.errors)} 处错误，未导入任何案件。\n" + "\n".join(_summary(checked)[:50]))
    LedgerImport.objects.filter(pk=job.pk).update(status=LedgerImport.Status.IMPORTING)
    try:
        n = ledger.import_rows(checked, acting_user=job.created_by)
    except ValidationError as e:
        return _finish(job, LedgerImport.Status.FAILED, message="；".join(e.messages), error_count=1)
    return _finish(job, LedgerImport.Status.DONE, imported=n, skipped=checked.existing,
                   message=f"导入 {n} 件，跳过 {checked.existing} 件（已存在）")


def _summary(checked: ledger.Checked) -> list[str]:
    """The errors as kept with the import: line, column and reason, without the parts of an ID number
    some reasons quote (its birth date, its area code); the full rows are in the errors workbook."""
    return [f"第{line}行 {column}: {re.sub(r'“[^”]*”', '', reason) if column == '身份证号码' else reason}"
            for line, column, reason in checked.errors]


def _finish(job: LedgerImport, status: str, **fields: Any) -> LedgerImport:
    LedgerImport.objects.filter(pk=job.pk).update(status=status, finished_at=clock.now(), **fields)
    job.refresh_from_db()
    return job
