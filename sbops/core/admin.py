from django.contrib import admin

from sbops.core.admin_base import ReadOnlyAdmin
from sbops.core.models import AuditEntry, BreakerState, InboxEvent
from sbops.core.resources import AuditEntryResource, InboxEventResource


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin):
    resource_classes = [InboxEventResource]
    list_display = ("id", "stream", "op", "created_at")
    list_filter = ("stream", "op")
    search_fields = ("op",)
    date_hierarchy = "created_at"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    resource_classes = [AuditEntryResource]
    list_display = ("created_at", "actor_label", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_id")
    date_hierarchy = "created_at"


@admin.register(BreakerState)
class BreakerStateAdmin(ReadOnlyAdmin):
    """Circuit breakers of outside calls (one per channel account): open ones hold messages back."""

    list_display = ("key", "state", "failures", "opened_at", "last_reason", "updated_at")
    list_filter = ("state",)
    search_fields = ("key", "last_reason")
