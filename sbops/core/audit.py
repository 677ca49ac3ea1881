"""The audit log: one row per action a person (or the system) takes on a row."""

from __future__ import annotations

from typing import Any

from django.db import models

from sbops.core.models import AuditEntry


def audit_record(
    *, actor: Any, action: str, target: models.Model, data: dict[str, Any] | None = None
) -> AuditEntry:
    """`actor` is a user, or None for the system (bot, worker, webhook)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
