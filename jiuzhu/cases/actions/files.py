"""The case file's materials: uploaded attachments (the form has checked the file's type and size)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.actions.common import CasePermissionError, log_event
from jiuzhu.cases.models import AidCase, Attachment, CaseEvent
from jiuzhu.lib import clock


def add_attachment(case: AidCase, *, acting_user: User, file: Any, kind: str, note: str = "") -> Attachment:
    """Store FILE (an upload the AttachmentForm accepted) in CASE's file, with its sha256 and an event row.

    The file is written (encrypted, jiuzhu.lib.storage) before the row: a failed write leaves no row
    pointing at nothing.
    """
    if not has_capability(acting_user, Capability.HANDLE_CASES, case.handling_org) or not case.is_open:
        raise CasePermissionError("您不能向该案件上传材料。")
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    att = Attachment(case=case, kind=kind, original_name=file.name[:200], content_type=file.jiuzhu_content_type,
                     size=file.size, sha256=digest.hexdigest(), note=note, uploaded_by=acting_user,
                     uploaded_at=clock.now())
    att.file.save(file.name, file, save=False)
    with transaction.atomic():
        att.save()
        log_event(case, "upload", acting_user=acting_user, kind=CaseEvent.Kind.ATTACHMENT,
                  note=f"{att.get_kind_display()}：{att.original_name}")
    return att
