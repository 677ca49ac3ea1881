from django.contrib import admin

from billing.models import Budget, CostEntry, PriceEntry
from billing.resources import BudgetResource, CostEntryResource, PriceEntryResource
from sbops.core.admin_base import ExportableAdmin, ImportExportAdmin, ReadOnlyAdmin


@admin.register(PriceEntry)
class PriceEntryAdmin(ImportExportAdmin):
    resource_classes = [PriceEntryResource]
    list_display = (
        "provider",
        "kind",
        "sku",
        "price",
        "per_quantity",
        "unit",
        "currency",
        "valid_from",
    )
    list_filter = ("provider", "kind", "currency")
    search_fields = ("sku", "note")
    date_hierarchy = "valid_from"


@admin.register(CostEntry)
class CostEntryAdmin(ReadOnlyAdmin):
    resource_classes = [CostEntryResource]
    list_display = (
        "occurred_at",
        "provider",
        "kind",
        "sku",
        "quantity",
        "amount",
        "currency",
        "priced",
        "conversation_id",
        "channel_kind",
        "tier",
    )
    list_filter = ("provider", "kind", "priced", "channel_kind", "tier")
    search_fields = ("sku", "source_key")
    date_hierarchy = "occurred_at"


@admin.register(Budget)
class BudgetAdmin(ExportableAdmin):
    resource_classes = [BudgetResource]
    list_display = (
        "name",
        "monthly_limit",
        "currency",
        "soft_alert_percent",
        "action_when_exceeded",
        "enabled",
    )
    list_filter = ("enabled", "action_when_exceeded")
