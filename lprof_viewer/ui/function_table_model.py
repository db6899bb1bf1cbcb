"""The functions of a profile as a table: name, file, line, total time, hits, share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from lprof_viewer.core.model import FunctionProfile, Profile
from lprof_viewer.core.units import TimeUnit
from lprof_viewer.ui.roles import SHARE_ROLE, SORT_ROLE
from lprof_viewer.ui.table_model import DISPLAY as _DISPLAY
from lprof_viewer.ui.table_model import Index, RowTableModel, with_unit


class FunctionTableModel(RowTableModel):
    """One row per profiled function; sorted and filtered in Python with native values."""

    NAME, FILE, LINE, TOTAL, HITS, SHARE = range(6)
    HEADERS = ("Function", "File", "Line", "Total time", "Hits", "% of total")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self._all: list[FunctionProfile] = []
        self._rows: list[FunctionProfile] = []
        self._unit = TimeUnit("auto")
        self._filter_text = ""
        self._hide_never_ran = False
        self._sort_column = self.TOTAL
        self._sort_order = Qt.SortOrder.DescendingOrder

    # -- data in ---------------------------------------------------------------
    def set_profile(self, profile: Profile | None) -> None:
        """Show ``profile``'s functions (biggest total time first until re-sorted)."""
        self.beginResetModel()
        self._profile = profile
        self._all = list(profile.functions) if profile else []
        self._rows = self._visible()
        self.endResetModel()

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.TOTAL, self.TOTAL)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.TOTAL), self.index(len(self._rows) - 1, self.TOTAL)
            )

    def set_filter(self, text: str, hide_never_ran: bool) -> None:
        """Keep rows whose name or file contains ``text``; optionally hide functions never run."""
        self._filter_text = text.strip().casefold()
        self._hide_never_ran = hide_never_ran
        self.beginResetModel()
        self._rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[FunctionProfile]:
        needle = self._filter_text
        rows = [
            f
            for f in self._all
            if (not self._hide_never_ran or f.ran)
            and (not needle or needle in f.name.casefold() or needle in f.filename.casefold())
        ]
        rows.sort(key=self._sort_key(self._sort_column), reverse=self._descending)
        return rows

    @property
    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _sort_key(self, column: int) -> Callable[[FunctionProfile], Any]:
        keys: dict[int, Callable[[FunctionProfile], Any]] = {
            self.NAME: lambda f: f.name.casefold(),
            self.FILE: lambda f: (f.filename.casefold(), f.start_line),
            self.LINE: lambda f: f.start_line,
            self.TOTAL: lambda f: f.total_ticks,
            self.HITS: lambda f: f.total_hits,
            self.SHARE: lambda f: f.total_ticks,
        }
        return keys[column]

    # -- Qt model API -----------------------------------------------------------
    def row_count(self) -> int:
        """Number of visible functions."""
        return len(self._rows)

    def header_title(self, section: int) -> str:
        """Column titles; the time column names its unit."""
        title = self.HEADERS[section]
        return with_unit(title, self._unit) if section == self.TOTAL else title

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Text, sort values, alignment, tooltips and the share bar of one cell."""
        if not index.isValid():
            return None
        function = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self._display(function, column)
        if role == SORT_ROLE:
            return self._sort_key(column)(function)
        if role == SHARE_ROLE and column == self.SHARE:
            share = self._share(function)
            return None if share is None else share / 100
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.NAME, self.FILE):
            return f"{function.name}\n{function.filename}:{function.start_line}"
        if role == Qt.ItemDataRole.ForegroundRole and not function.ran:
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def _share(self, function: FunctionProfile) -> float | None:
        return self._profile.percent_of_total(function) if self._profile else None

    def _display(self, function: FunctionProfile, column: int) -> str:
        if column == self.NAME:
            return function.name
        if column == self.FILE:
            return PurePath(function.filename).name
        if column == self.LINE:
            return str(function.start_line)
        if column == self.TOTAL:
            return self._unit.format(function.total_time)
        if column == self.HITS:
            return f"{function.total_hits:,}"
        share = self._share(function)
        return "" if share is None else f"{share:.1f} %"

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort rows by a column's native value."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        keys = [(self._rows[i.row()].key, i.column()) for i in persistent]
        self._rows.sort(key=self._sort_key(column), reverse=self._descending)
        rows = {f.key: row for row, f in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent, [self.index(rows[key], col) for key, col in keys]
        )
        self.layoutChanged.emit()

    # -- lookups ----------------------------------------------------------------
    def function_at(self, row: int) -> FunctionProfile | None:
        """The function shown in ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: tuple[str, int, str]) -> int | None:
        """The row showing the function with ``key``, if visible."""
        return next((row for row, f in enumerate(self._rows) if f.key == key), None)
