"""The one ModelAdmin base every app uses: export to CSV/XLSX/JSON with the admin's filters,
from the change list button and as a bulk action."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ExportActionMixin, ImportExportMixin


class ExportableAdmin(ExportActionMixin, admin.ModelAdmin):
    """Exports the filtered change list. Permission: `view` on the model."""

    list_per_page = 50
    show_full_result_count = False


class ImportExportAdmin(ImportExportMixin, ExportableAdmin):
    """Adds import (with a preview of per-row errors before anything is written)."""


class ReadOnlyAdmin(ExportableAdmin):
    """Rows written only by the system: visible and exportable, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[override]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[override]
        return False
