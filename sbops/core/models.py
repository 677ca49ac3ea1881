from __future__ import annotations

from django.conf import settings
from django.db import models


class InboxEvent(models.Model):
    """One live event, durable. Ids only grow, so a reconnecting browser asks for `id > last`."""

    stream = models.CharField(max_length=64, default="inbox")
    op = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["stream", "id"], name="inboxevent_stream_id")]
        verbose_name = "live event"

    def __str__(self) -> str:
        return f"#{self.pk} {self.stream}:{self.op}"


class AuditEntry(models.Model):
    """Who did what to which row. Written by services that people trigger."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # kept even if the user is deleted later
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.target_type}#{self.target_id}"
