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


class ThrottleState(models.Model):
    """One rate-limit key of the resilience kit (GCRA): its theoretical arrival time.

    Written only by `sbops.core.resilience` in one atomic statement per acquisition.
    """

    key = models.CharField(max_length=255, unique=True)
    # microseconds since the epoch: integers keep the arithmetic exact across processes
    tat_us = models.BigIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "throttle state"

    def __str__(self) -> str:
        return self.key


class BreakerState(models.Model):
    """One circuit breaker of the resilience kit (per channel account or integration)."""

    class State(models.TextChoices):
        CLOSED = "closed"
        OPEN = "open"
        HALF_OPEN = "half_open", "half-open"

    key = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CLOSED)
    failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    # when the one half-open probe was let through; another may go once it is stale
    probe_started_at = models.DateTimeField(null=True, blank=True)
    last_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "circuit breaker"

    def __str__(self) -> str:
        return f"{self.key}: {self.state}"
