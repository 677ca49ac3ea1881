"""Which permissions each role's group holds.

A data migration creates the groups; after every later `migrate` the same spec is applied
again, adding permissions for models that arrived since (never removing what an admin granted).
"""

from __future__ import annotations

from typing import Any

from sbops.core.roles import ADMIN, OWNER, STAFF

ALL = ("add", "change", "delete", "view")
OUR_APPS = ("core", "billing", "conversations", "channels_app", "handoff", "sbops")

# (app label, model name or "*", actions)
ROLE_PERMISSIONS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    STAFF: (
        ("conversations", "contact", ("view", "change")),
        ("conversations", "contactidentity", ("view", "add", "change")),
        ("conversations", "contactoptout", ("view", "add")),
        ("conversations", "conversation", ("view", "change")),
        ("conversations", "message", ("view",)),
    ),
    OWNER: (
        *((app, "*", ("view",)) for app in OUR_APPS),
        ("billing", "budget", ("add", "change")),
        ("billing", "priceentry", ("add", "change")),
        ("django_q", "*", ("view",)),
    ),
    ADMIN: (
        *((app, "*", ALL) for app in OUR_APPS),
        ("auth", "user", ALL),
        ("auth", "group", ("view",)),
        ("django_q", "*", ALL),
    ),
}


def apply_role_permissions(apps: Any, *, only_add: bool, using: str = "default") -> None:
    """Create the role groups and grant their permissions. `apps` may be a migration state."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        wanted = set()
        for app_label, model, actions in grants:
            perms = permission_model.objects.using(using).filter(content_type__app_label=app_label)
            if model != "*":
                perms = perms.filter(content_type__model=model)
            for perm in perms.values("pk", "codename"):
                if perm["codename"].split("_", 1)[0] in actions:
                    wanted.add(perm["pk"])
        if only_add:
            group.permissions.add(*wanted)
        else:
            group.permissions.set(wanted)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps as global_apps
    from django.db import router

    using = kwargs.get("using", "default")
    if not router.allow_migrate(using, "auth"):
        return  # e.g. the channel layer's own SQLite file
    apply_role_permissions(kwargs.get("apps") or global_apps, only_add=True, using=using)
