"""Writes to users and memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from jiuzhu.accounts.models import Membership, Role, User
from jiuzhu.orgs.models import Department, Organisation

# What the system administrator may edit in the admin: reference data only, never case data.
ADMIN_MODELS = {
    "orgs": ["organisation", "department", "orgsetting"],
    "accounts": ["user", "membership"],
    "calendar": ["specialday", "calendaryear"],
    "rules": ["wagebase", "approvalrule"],
    "documents": ["documenttemplate", "numberpattern", "issuercode"],
}
ADMIN_GROUP = "系统管理员"


def administrators_group() -> Group:
    """Return the group that holds the administrator's model permissions (created on first use)."""
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created or not group.permissions.exists():
        perms = Permission.objects.none()
        for app, models in ADMIN_MODELS.items():
            perms |= Permission.objects.filter(content_type__app_label=app, content_type__model__in=models)
        group.permissions.set(perms)
    return group


@transaction.atomic(savepoint=False)
def create_staff_user(
    username: str, *, password: str, full_name: str, org: Organisation, role: str,
    department: Department | None = None,
) -> User:
    """Create a user holding ROLE in ORG (the administrator also gets the admin site)."""
    user = User(username=username, full_name=full_name, first_name=full_name)
    # A precomputed hash (make_password) may be passed to avoid hashing the same password many times.
    if password.startswith(("pbkdf2_", "argon2", "md5$", "bcrypt")):
        user.password = password
    else:
        user.set_password(password)
    user.save()
    Membership.objects.create(user=user, org=org, role=role, department=department)
    if role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(administrators_group())
    return user
