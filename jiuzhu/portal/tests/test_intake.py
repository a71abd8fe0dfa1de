"""The intake queue: scoped like cases, constant queries, and the demo's online applications."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.portal import actions
from jiuzhu.portal.models import OnlineApplication
from jiuzhu.portal.tests.helpers import ANSWERS, png


def _submitted(n: int, code: str = "540528") -> None:
    for i in range(n):
        app = actions.new_draft(phone=f"1380013{i:04d}", phone_bidx=f"b{i}")
        for step, data in ANSWERS.items():
            form = dict(data)
            if step == "case":
                form["org"] = code
            app = actions.save_step(app, step, form)
        f = png()
        f.jiuzhu_content_type = "image/png"  # type: ignore[attr-defined]
        actions.add_file(app, kind="identity", f=f)
        actions.submit(app)


@pytest.mark.django_db
def test_it_lists_the_queue_with_constant_queries(world) -> None:
    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    _submitted(2)
    with CaptureQueriesContext(connection) as two:
        assert staff.get("/intake/").status_code == 200
    _submitted(18)
    with CaptureQueriesContext(connection) as twenty:
        page = staff.get("/intake/").content.decode()
    assert page.count("次仁卓玛") == 20
    assert len(twenty) == len(two)


@pytest.mark.django_db
def test_it_shows_nothing_to_a_case_department_prosecutor(world) -> None:
    _submitted(1)
    app = OnlineApplication.objects.get()
    finance = Client()
    finance.force_login(world.user("540528", "case_prosecutor"))
    assert "次仁卓玛" not in finance.get("/intake/").content.decode()
    assert finance.get(f"/intake/{app.pk}/").status_code == 404
    other_county = Client()
    other_county.force_login(world.user("540521", "kongshen"))
    assert other_county.get(f"/intake/{app.pk}/files/{app.files.get().pk}/").status_code == 404
    # Downloading a material needs the personal-data capability and is audited.
    from jiuzhu.audit.models import AuditEntry

    staff = Client()
    staff.force_login(world.user("540528", "kongshen"))
    pf = app.files.get()
    r = staff.get(f"/intake/{app.pk}/files/{pf.pk}/")
    assert r.status_code == 200
    assert AuditEntry.objects.filter(kind="download", detail__portal_file=pf.pk).exists()


def test_it_holds_online_applications_in_the_demo(demo_loaded, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        pending = OnlineApplication.objects.filter(org__code="540528", state="submitted")
        registered = OnlineApplication.objects.filter(state="registered").select_related("case")
        assert pending.count() == 1
        assert [a.case.status for a in registered] == ["awaiting_supplement"]
        assert registered[0].case.channel == "online" and registered[0].case.raised_on.year >= 2026
