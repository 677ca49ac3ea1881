from import_export import resources

from billing.models import Budget, CostEntry, PriceEntry


class PriceEntryResource(resources.ModelResource):
    class Meta:
        model = PriceEntry
        import_id_fields = ("provider", "kind", "sku", "valid_from")
        exclude = ("id", "created_at", "updated_at")
        skip_unchanged = True
        report_skipped = True


class CostEntryResource(resources.ModelResource):
    class Meta:
        model = CostEntry


class BudgetResource(resources.ModelResource):
    class Meta:
        model = Budget
