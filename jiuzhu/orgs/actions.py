"""Writes to organisations (reference data)."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.orgs.models import Department, Organisation


@transaction.atomic(savepoint=False)
def create_organisation(
    *, name: str, kind: str = Organisation.Kind.PROCURATORATE, code: str | None = None,
    parent: Organisation | None = None, level: str = Organisation.Level.COUNTY, short_name: str = "",
    area_code: str = "",
) -> Organisation:
    """Create an organisation below PARENT and fill its materialised path."""
    org = Organisation(name=name, kind=kind, code=code, parent=parent, level=level,
                       short_name=short_name, area_code=area_code or (code or ""))
    org.full_clean(exclude=["path"])
    org.path = "pending"
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    root_code = (code or area_code or "")[:2]
    org.province_code = f"{root_code}0000" if root_code else ""
    org.save(update_fields=["path", "province_code"])
    return org


def create_department(org: Organisation, *, kind: str, name: str | None = None) -> Department:
    """Create a department of ORG, named after its kind unless NAME is given."""
    return Department.objects.create(org=org, kind=kind, name=name or Department.Kind(kind).label)


def resolve_procuratorate(value: str) -> Organisation | None:
    """Return the procuratorate whose code or exact full name is VALUE (contracts §1)."""
    value = value.strip()
    qs = Organisation.objects.filter(kind=Organisation.Kind.PROCURATORATE)
    return qs.filter(code=value).first() or qs.filter(name=value).first()
