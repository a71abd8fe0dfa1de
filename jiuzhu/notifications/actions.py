"""Writes to a user's in-app notifications."""

from __future__ import annotations

from jiuzhu.accounts.models import User
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of USER read now; return how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())
