"""The bad-input corpus on every form of the applicants' portal: the SMS login before, then each step of an
application in order, then the application's pages (the crawl and the driver are corpus.py's)."""

from __future__ import annotations

import pytest

from jiuzhu.tests_security.corpus import Tally, crawl, drive

pytestmark = pytest.mark.usefixtures("sessions_in_cookies")


def test_it_survives_the_corpus_on_every_portal_form(world, client) -> None:
    from jiuzhu.portal.tests.helpers import ANSWERS, login

    tally = Tally()
    client.raise_request_exception = False
    for form in crawl(client, ["/apply/", "/apply/login/"], tally):  # before login: the SMS login form
        drive(client, form, tally)
    login(client, "13800138000")
    r = client.post("/apply/mine/")
    pk = int(r["Location"].split("/")[3])
    # Each step's form, reached in order (a step opens when the one before it is saved).
    for step, data in ANSWERS.items():
        for form in crawl(client, [f"/apply/a/{pk}/{step}/"], tally, limit=3):
            drive(client, form, tally)
        assert client.post(f"/apply/a/{pk}/{step}/", {**data, "next": "1"}).status_code == 302
    for form in crawl(client, ["/apply/", "/apply/mine/", f"/apply/a/{pk}/materials/"], tally):
        drive(client, form, tally)
    print(tally.report("portal"))
    assert len(tally.forms) >= 8, tally.report("portal")
    assert not tally.failures, "\n".join(tally.failures[:50])


