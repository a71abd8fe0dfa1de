"""Every page asked for /favicon.ico and got a 404 (issue 13): it is served, without login, and linked."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_serves_the_favicon_to_anyone_and_the_pages_link_it() -> None:
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]
    login = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in login
    assert client.post("/favicon.ico").status_code == 405
