"""The read-only table model every view of the app builds on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from lprof_viewer.core.heat import RGB
from lprof_viewer.core.model import LineStat
from lprof_viewer.core.units import TimeUnit, widest_stat_texts
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
        """Column titles; a code column's title sits at its left, where its text starts."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.HEADERS[section] == "Source":
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return self.header_title(section) if role == DISPLAY else None

    def columns_changed(self, first: int, last: int) -> None:
        """Columns ``first`` to ``last`` read differently (a new unit): titles and cells.

        Rows, the current one and the scroll position stay as they are.
        """
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, first, last)
        if self.row_count():
            self.dataChanged.emit(self.index(0, first), self.index(self.row_count() - 1, last))


class SortedRowsModel(RowTableModel):
    """Rows (functions) kept in Python, filtered by ``kept`` and sorted on native values.

    Rows have a ``name`` and a ``filename``, which the filter text is looked
    for in. Subclasses give ``sort_key(column)`` and may filter further in
    ``kept(rows)``; a sort keeps the current row where it is in the view's
    eyes (persistent indexes follow).
    """

    def __init__(self, column: int, order: Qt.SortOrder, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Any] = []
        self._rows: list[Any] = []
        self._sort = (column, order)
        self._filter_text = ""

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        """The native value rows sort on in ``column``."""
        raise NotImplementedError

    def cell_text(self, row: Any, column: int) -> str:
        """What ``column`` shows for ``row``."""
        raise NotImplementedError

    def widest_texts_in(
        self,
        columns: Iterable[int],
        every: Iterable[int] = (),
        samples: Mapping[int, str] | None = None,
    ) -> dict[int, str]:
        """The longest text of each of ``columns`` over the rows shown, for sizing columns.

        That of the row with the largest sort value: a larger count or a time
        in a fixed unit is never written shorter. An 'auto' time may be
        ('1.50 ms' after '999.0 µs'): its column's ``samples`` text, the
        longest such form, is taken when longer. The ``every`` columns, whose
        texts do not follow their values at all ('1.2x faster'), compare all
        rows (a 10,000-row table formats each cell once).
        """
        rows, every, samples = self._rows, set(every), samples or {}
        if not rows:
            return {}
        widest = {}
        for column in columns:
            if column in every:
                widest[column] = max((self.cell_text(row, column) for row in rows), key=len)
                continue
            text = self.cell_text(max(rows, key=self.sort_key(column)), column)
            widest[column] = max(text, samples.get(column, ""), key=len)
        return widest

    def set_filter_text(self, text: str) -> None:
        """Keep rows whose name or file holds ``text`` (any case); ``refilter`` applies it."""
        self._filter_text = text.strip().casefold()

    def kept(self, rows: list[Any]) -> list[Any]:
        """The rows with the filter text in their name or file (a new list)."""
        needle = self._filter_text
        if not needle:
            return list(rows)
        return [r for r in rows if needle in r.name.casefold() or needle in r.filename.casefold()]

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Show ``rows`` (filtered and sorted as set)."""
        self.beginResetModel()
        self._all = list(rows)
        self._rows = self._visible()
        self.endResetModel()

    def refilter(self) -> None:
        """Apply a changed filter."""
        self.beginResetModel()
        self._rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[Any]:
        rows = self.kept(self._all)
        self._sort_in_place(rows)
        return rows

    def _sort_in_place(self, rows: list[Any]) -> None:
        column, order = self._sort
        rows.sort(key=self.sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort rows by a column's native value, the current row staying current."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        kept = [(id(self._rows[index.row()]), index.column()) for index in persistent]
        self._sort_in_place(self._rows)
        rows = {id(row): number for number, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent, [self.index(rows[row], column) for row, column in kept]
        )
        self.layoutChanged.emit()

    def row_count(self) -> int:
        """Number of visible rows."""
        return len(self._rows)

    def function_at(self, row: int) -> Any:
        """The function shown in ``row`` (None past the end)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None


#: The roles a shaded table answers; views ask for a dozen per cell, most of them unused.
_SHADED_ROLES = frozenset(
    {
        DISPLAY,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
    }
)
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: A row as shown: each column's text, background and text colour.
ShownRow = tuple[tuple[str, ...], tuple[QColor | None, ...], tuple[QColor | None, ...]]


class ShadedRowsModel(RowTableModel):
    """A source-like table whose current row is blended into its heat by ``shading``.

    Subclasses give ``make_row(row)``: its texts and each cell's shade. A
    row is made once while it is shown (scrolling asks for every cell over
    and over) and remade when ``forget_rows`` or a new selection says so.
    Numbers are right-aligned, the ``CODE`` column not. The views draw no
    selection of their own (``tables.let_heat_show_through_selection``).
    """

    CODE = -1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.shading = RowShading()
        self._shown_rows: dict[int, ShownRow] = {}

    def make_row(self, row: int) -> tuple[tuple[str, ...], tuple[RGB | None, ...]]:
        """The texts of ``row`` and the shade of each of its cells (None: the base colour)."""
        raise NotImplementedError

    def forget_rows(self) -> None:
        """Make every row again when next shown (new lines, unit or palette)."""
        self._shown_rows.clear()

    def set_selected_row(self, row: int) -> None:
        """Blend the selection into ``row`` instead of the previous one."""
        previous, self.shading.selected_row = self.shading.selected_row, row
        last = self.columnCount() - 1
        for changed in {previous, row}:
            self._shown_rows.pop(changed, None)
            if 0 <= changed < self.rowCount():
                self.dataChanged.emit(self.index(changed, 0), self.index(changed, last))

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        """Text, background, text colour and alignment of one cell."""
        if role not in _SHADED_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED if column != self.CODE else None
        shown = self._shown_rows.get(row)
        if shown is None:
            shown = self._shown_rows[row] = self._shown_row(row)
        if role == DISPLAY:
            return shown[0][column]
        return shown[1 if role == Qt.ItemDataRole.BackgroundRole else 2][column]

    def _shown_row(self, row: int) -> ShownRow:
        texts, shades = self.make_row(row)
        colours = {
            shade: (self.shading.background(row, shade), self.shading.foreground(row, shade))
            for shade in set(shades)
        }
        return (
            texts,
            tuple(colours[shade][0] for shade in shades),
            tuple(colours[shade][1] for shade in shades),
        )


def widest_line_texts(
    model: Any,
    unit: TimeUnit,
    numbers: Iterable[int],
    stats: Iterable[LineStat],
    texts: Iterable[str],
) -> dict[int, str]:
    """The longest Line #, Hits, Time, Per Hit and code texts of a source table's rows.

    ``model`` names its columns ``LINE``, ``HITS``, ``TIME``, ``PER_HIT`` and
    ``CODE``, as both source tables do.
    """
    widest = widest_stat_texts(stats, unit)
    by_column = {model.HITS: "hits", model.TIME: "time", model.PER_HIT: "per_hit"}
    return {
        model.LINE: str(max(numbers, default=0)),
        **{column: widest[name] for column, name in by_column.items() if name in widest},
        model.CODE: max(texts, key=len, default=""),
    }
