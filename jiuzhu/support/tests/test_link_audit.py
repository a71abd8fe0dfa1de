"""The partner's signed link: every open and submit audited (naming the link and agency, never the partner's
data in clear), and limited per link and client address."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib import clock
from jiuzhu.support import actions
from jiuzhu.support.tests.helpers import agency, refer

pytestmark = pytest.mark.django_db


def test_every_open_and_submit_through_a_link_is_audited_without_the_partners_data(world, client):
    case = world.to("paid", "540527")
    ag = agency(world)
    referral, link = refer(world, case, ag)
    url = reverse("support:respond", args=[link])
    assert client.get(url, REMOTE_ADDR="203.0.113.45").status_code == 200
    assert client.post(url, {"action": "accept", "responder": "扎西顿珠", "note": "同意帮扶"},
                       REMOTE_ADDR="203.0.113.45").status_code == 302
    assert client.post(url, {"action": "decline", "responder": ""}, REMOTE_ADDR="203.0.113.45").status_code == 200
    rows = list(AuditEntry.objects.filter(kind=AuditEntry.Kind.PARTNER_LINK).order_by("pk"))
    assert [(r.field, r.detail["ok"]) for r in rows] == [("open", True), ("accept", True), ("decline", False)]
    secret = link.split(":")[0].split(".")[1]
    for row in rows:
        assert row.case == case and row.detail["referral"] == referral.pk and row.detail["agency"] == ag.pk
        assert row.detail["link"] == referral.token_hash[:16] and ag.name in row.reason
        assert row.detail["network"] == "203.0.113.0/24"
        text = json.dumps(row.detail, ensure_ascii=False) + row.reason + row.field
        for clear in ("扎西顿珠", "203.0.113.45", secret, "同意帮扶"):
            assert clear not in text
        assert row.actor.username == actions.LINK_ACTOR_USERNAME
    actor = rows[0].actor
    assert not actor.is_active and not actor.has_usable_password() and not actor.memberships.exists()


def test_a_replaced_link_is_refused_and_the_try_audited(world, client):
    case = world.to("paid", "540527")
    referral, old = refer(world, case, agency(world))
    actions.renew_link(referral, acting_user=world.user("540527", "kongshen"))
    r = client.get(reverse("support:respond", args=[old]))
    assert r.status_code == 403 and "作废" in r.content.decode()
    row = AuditEntry.objects.get(kind=AuditEntry.Kind.PARTNER_LINK)
    assert row.field == "refused" and row.detail["ok"] is False and row.case == case
    assert row.detail["link"] == actions.link_key(old.split(":")[0].split(".")[1])
    # A tampered link names nothing to audit.
    assert client.get(reverse("support:respond", args=[old[:-1] + ("x" if old[-1] != "x" else "y")])).status_code == 403
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.PARTNER_LINK).count() == 1


def test_a_link_is_rate_limited_per_address_and_other_addresses_are_not(world, client, settings):
    """Red team: partner link pages had no rate limit."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    case = world.to("paid", "540527")
    referral, link = refer(world, case, agency(world))
    url = reverse("support:respond", args=[link])

    def via(who: str, method: str = "get"):  # type: ignore[no-untyped-def]
        return getattr(client, method)(url, REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": who})

    for _ in range(actions.LINK_REQUESTS_PER_10MIN):
        assert via("203.0.113.1").status_code == 200
    r = via("203.0.113.1")
    assert r.status_code == 429 and "访问过于频繁" in r.content.decode()
    r = client.post(url, {"action": "accept", "responder": "扎西"}, REMOTE_ADDR="10.0.0.2",
                    headers={"X-Forwarded-For": "203.0.113.1"})
    assert r.status_code == 429
    referral.refresh_from_db()
    assert referral.status == "sent"  # a refused submit changes nothing
    assert via("203.0.113.2").status_code == 200  # another partner behind the same proxy
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.PARTNER_LINK).count() == actions.LINK_REQUESTS_PER_10MIN + 1
    with clock.travel(clock.now() + dt.timedelta(minutes=11)):
        assert via("203.0.113.1").status_code == 200
