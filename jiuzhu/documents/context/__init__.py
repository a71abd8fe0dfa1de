"""What each kind of document says: which case it makes sense for, and the fields it is filled with.

`SPECS[kind].subject(case, extra)` decides whether the document makes sense now (raising a
CaseActionError in Chinese when not) and what it is about; `build_context(...)` returns the
docxtpl context. The field names are the placeholders an administrator may use in a template
(`FIELDS` describes each, for the admin's template check).

Documents are part of the case file: names appear in full, minors' included, and so do the
identifiers the form needs (the decision, served on the applicant and travelling with the file; the
oral record; the receipts). The papers approvers read (审批表, 审查报告) print the ID number and phone
masked, as the screens do; a referral letter, which leaves the file, masks them and a minor's name
(`kinds.MASKED_ON_PAPER`, `kinds.LEAVES_THE_FILE`). `snapshot()` is what the database keeps of them:
identifiers masked.

One module per family of documents (intake, review, decision, money, referral), the shared fields in
`common`, the table of kinds in `kinds`; this package is the one public face.
"""

from jiuzhu.documents.context.common import BLANK, KindSpec, cn_date, paragraphs
from jiuzhu.documents.context.kinds import (
           FIELDS,
           KIND_FIELDS,
           LIST_FIELDS,
           SPECS,
           build_context,
           snapshot,
           template_policy,
)

__all__ = ["BLANK", "FIELDS", "KIND_FIELDS", "LIST_FIELDS", "SPECS", "KindSpec", "build_context", "cn_date", "paragraphs",
           "snapshot", "template_policy"]
