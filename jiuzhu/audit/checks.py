"""Deployment checks (`jiuzhu check --deploy`): secrets a production installation must bring itself."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def secrets_from_the_environment(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    local = getattr(settings, "SECRETS_FROM_LOCAL_FILE", [])
    if local:
        problems.append(Warning(
            f"{', '.join(local)} come from the development file var/secrets.json.",
            hint="Set each (or NAME_FILE, a file readable only by the service) in the environment; "
                 "keep a copy of the keys: without them encrypted data cannot be read and the audit "
                 "chain cannot be verified.",
            id="jiuzhu.W001",
        ))
    if len(getattr(settings, "AUDIT_KEY", "")) < 32:
        problems.append(Warning("JIUZHU_AUDIT_KEY is shorter than 32 characters.",
                                hint="Use a random key, e.g. `python3 -c 'import secrets; "
                                     "print(secrets.token_urlsafe(32))'`.", id="jiuzhu.W002"))
    return problems
