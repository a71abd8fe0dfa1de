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


def sms_for_notices(since_days: int = 2) -> int:
    """Queue an SMS for every recent in-app notice to a staff member with a phone (idempotent).

    The notices are written in bulk (the daily sweep, new online applications), so this runs after
    them: from the daily sweep and when an application is submitted.
    """
    import datetime as dt

    from jiuzhu.lib import clock
    from jiuzhu.notifications import outbound
    from jiuzhu.notifications.models import Notification

    done = set(OutboundMessage.objects.filter(key="staff_notice", created_at__gte=clock.now() - dt.timedelta(
        days=since_days + 1)).values_list("dedupe_key", flat=True))
    notices = (Notification.objects.filter(created_at__gte=clock.now() - dt.timedelta(days=since_days))
               .exclude(kind=Notification.Kind.CALENDAR).exclude(recipient__phone="")
               .select_related("recipient", "case"))
    count = 0
    for n in notices:
        key = f"notice:{n.pk}"
        if key not in done and outbound.queue("staff_notice", to=n.recipient.phone, dedupe_key=key, case=n.case,
                                              text=n.text):
            count += 1
    return count
