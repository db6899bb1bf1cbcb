"""The read-only table model every view of the app builds on."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from lprof_viewer.core.model import LineStat
from lprof_viewer.core.units import TimeUnit
from lprof_viewer.ui.row_shading import RowShading

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole


class RowTableModel(QAbstractTableModel):
    """Columns named by ``HEADERS``, ``row_count()`` rows; subclasses supply ``data``."""

    HEADERS: tuple[str, ...] = ()

    def row_count(self) -> int:
        """How many rows the table has."""
        raise NotImplementedError

    def header_title(self, section: int) -> str:
        """The title of a column (subclasses add units)."""
        return self.HEADERS[section]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of rows."""
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != DISPLAY:
            return None
        return self.header_title(section)


#: A timed line's numbers, in the order the source tables show them after Line #.
STAT_FIELDS = ("hits", "time", "per_hit", "percent", "percent_of_total")


def line_stat_text(stat: LineStat, field: str, unit: TimeUnit) -> str:
    """One of ``STAT_FIELDS`` of a timed line as a cell shows it ('' where there is none)."""
    value = getattr(stat, field)
    if field == "hits":
        return f"{value:,}"
    if field in ("time", "per_hit"):
        return unit.format(value)
    return "" if value is None else f"{value:.1f}"


def with_unit(title: str, unit: TimeUnit) -> str:
    """'Time (ms)'; just 'Time' when each value carries its own unit."""
    return title if unit.is_auto else f"{title} ({unit.label})"


class ShadedRowsModel(RowTableModel):
    """A source-like table whose current row is blended into its heat by ``shading``.

    The views draw no selection of their own (``tables.let_heat_show_through_selection``).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.shading = RowShading()

    def forget_row(self, row: int) -> None:
        """Drop anything cached for ``row`` (its colours are about to change)."""

    def set_selected_row(self, row: int) -> None:
        """Blend the selection into ``row`` instead of the previous one."""
        previous, self.shading.selected_row = self.shading.selected_row, row
        last = self.columnCount() - 1
        for changed in {previous, row}:
            self.forget_row(changed)
            if 0 <= changed < self.rowCount():
                self.dataChanged.emit(self.index(changed, 0), self.index(changed, last))
