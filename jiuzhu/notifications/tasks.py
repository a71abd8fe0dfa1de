"""Background delivery of outbound messages (the django.tasks database worker)."""

from __future__ import annotations

from django.tasks import task

from jiuzhu.notifications.models import OutboundMessage
from jiuzhu.notifications.outbound import deliver


@task()
def deliver_message(pk: int) -> str:
    """Send one queued message."""
    return deliver(pk)


def retry_unsent(limit: int = 200) -> int:
    """Send the messages still queued or failed (fewer than 5 attempts); returns how many were sent."""
    pks = list(OutboundMessage.objects.filter(state__in=[OutboundMessage.State.QUEUED, OutboundMessage.State.FAILED],
                                              attempts__lt=5).values_list("pk", flat=True)[:limit])
    return sum(1 for pk in pks if deliver(pk) == OutboundMessage.State.SENT)
