"""django-import-export file formats with our formula escaping (sbops.core.spreadsheet).

The library's own escaping strips a single leading "=" (losing text, and leaving "==1" a
formula, and "+1+1" or "@SUM(..)" untouched); these formats use `spreadsheet_safe` instead.
JSON is data, not a spreadsheet, so it is exported exactly.
"""

from __future__ import annotations

from import_export.formats import base_formats

from sbops.core.spreadsheet import spreadsheet_safe


class SpreadsheetSafeMixin:
    def _escape_formulae(self, dataset) -> None:  # type: ignore[no-untyped-def]
        for _ in range(len(dataset)):
            row = dataset.lpop()
            dataset.append([spreadsheet_safe(cell) for cell in row])


class CSV(SpreadsheetSafeMixin, base_formats.CSV):
    pass


class XLSX(SpreadsheetSafeMixin, base_formats.XLSX):
    pass


class JSON(base_formats.JSON):
    def _escape_formulae(self, dataset) -> None:  # type: ignore[no-untyped-def]
        return None
