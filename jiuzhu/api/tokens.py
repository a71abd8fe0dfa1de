"""Issuing and checking API tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError

from jiuzhu.api.models import ApiClient, Scope
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation

PREFIX = "jz_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def issue(*, name: str, org: Organisation, scopes: list[str], rate_per_minute: int = 60) -> tuple[ApiClient, str]:
    """Create a client and return it with its token (shown once, never stored in clear)."""
    bad = [s for s in scopes if s not in Scope.values]
    if bad:
        raise ValidationError(f"权限范围不正确：{'、'.join(bad)}（可选：{'、'.join(Scope.values)}）")
    token = new_token()
    client = ApiClient.objects.create(name=name, org=org, scopes=sorted(set(scopes)), prefix=token[:10],
                                      token_hash=hash_token(token), rate_per_minute=rate_per_minute,
                                      created_at=clock.now())
    return client, token


def rotate(client: ApiClient) -> str:
    """Give CLIENT a new token (the old one stops working at once) and return it."""
    token = new_token()
    ApiClient.objects.filter(pk=client.pk).update(prefix=token[:10], token_hash=hash_token(token))
    return token


def client_for(token: str) -> ApiClient | None:
    if not token or not token.startswith(PREFIX) or len(token) > 100:
        return None
    return (ApiClient.objects.select_related("org").filter(token_hash=hash_token(token), is_active=True).first())
