"""The three roles. Groups of these names are created by a data migration (app ``sbops``)."""

from __future__ import annotations

from typing import Any

STAFF = "Staff"
OWNER = "Owner"
ADMIN = "Admin"
ROLES = (STAFF, OWNER, ADMIN)


def user_roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return set(ROLES)
    return set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def user_is_staff_member(user: Any) -> bool:
    """May work the inbox: any role (owners and admins can answer customers too)."""
    return bool(user_roles(user))


def user_is_owner(user: Any) -> bool:
    return bool(user_roles(user) & {OWNER, ADMIN})
