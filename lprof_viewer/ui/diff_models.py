"""Table models of the diff screen: the functions by change, and each side of one function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from lprof_viewer.core.align import CHANGED, INSERTED, REMOVED, SAME, AlignedLine, AlignedRows
from lprof_viewer.core.diff import (
    FunctionDiff,
    ProfileDiff,
    change_arrow,
    direction,
    distinct_titles,
    signed_change,
    total_hits_text,
)
from lprof_viewer.core.heat import RGB, blend, heat_color, heat_fraction
from lprof_viewer.core.highlight import ChunkedHighlighter
from lprof_viewer.core.model import LineStat
from lprof_viewer.core.sources import shown_name
from lprof_viewer.core.units import (
    AUTO,
    LONGEST_AUTO_SECONDS,
    STAT_FIELDS,
    TimeUnit,
    line_stat_text,
    with_unit,
)
from lprof_viewer.ui.row_shading import color_is_dark
from lprof_viewer.ui.table_model import DISPLAY as _DISPLAY
from lprof_viewer.ui.table_model import (
    RIGHT_ALIGNED,
    Index,
    RowTableModel,
    ShadedRowsModel,
    SortedRowsModel,
    widest_line_texts,
)

FASTER = QColor(26, 127, 55)
SLOWER = QColor(207, 34, 46)
#: Lighter ones for a dark palette, where the first read at 3:1.
FASTER_ON_DARK = QColor(63, 185, 80)
SLOWER_ON_DARK = QColor(255, 123, 114)
_COLORS = {
    False: {"faster": FASTER, "slower": SLOWER},
    True: {"faster": FASTER_ON_DARK, "slower": SLOWER_ON_DARK},
}
#: Tints laid over the background: (colour, opacity).
INSERTED_TINT: tuple[RGB, float] = ((46, 160, 67), 0.25)
REMOVED_TINT: tuple[RGB, float] = ((248, 81, 73), 0.25)
ABSENT_TINT: tuple[RGB, float] = ((128, 128, 128), 0.16)


def signed_time(unit: TimeUnit, seconds: float) -> str:
    """A change in time with its sign and an arrow (not colour alone)."""
    if seconds == 0:
        return "0"
    return f"{change_arrow(seconds)} {signed_change(unit, seconds)}"


def change_color(seconds: float) -> QColor | None:
    """Green for faster, red for slower, each readable on the application's palette."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return _COLORS[color_is_dark(base)].get(direction(seconds))


def _keys(function: FunctionDiff) -> tuple[object, object]:
    return (function.a.key if function.a else None, function.b.key if function.b else None)


def _name_and_side(function: FunctionDiff) -> tuple[object, ...]:
    return (function.name, function.filename, function.only_in)


class DiffFunctionTableModel(SortedRowsModel):
    """One row per function of either run: its times in A and B and the change."""

    NAME, TIME_A, TIME_B, CHANGE, RATIO, HITS_A, HITS_B = range(7)
    HEADERS = ("Function", "Time A", "Time B", "Change", "Ratio", "Line hits A", "Line hits B")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(self.CHANGE, Qt.SortOrder.DescendingOrder, parent)
        self._unit = AUTO
        self._titles: dict[FunctionDiff, str] = {}

    def set_diff(self, diff: ProfileDiff | None) -> None:
        """Show ``diff``'s functions, biggest change first."""
        functions = diff.functions if diff else []
        # Two files' functions of one name are told apart by their files, as in the exports.
        self._titles = dict(zip(functions, distinct_titles(functions), strict=True))
        self.set_rows(functions)

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.columns_changed(self.TIME_A, self.CHANGE)

    def set_filter(self, text: str) -> None:
        """Keep functions whose name or file contains ``text``."""
        self.set_filter_text(text)
        self.refilter()

    def sort_key(self, column: int) -> Callable[[FunctionDiff], Any]:
        """The native value rows sort on (Change sorts by the size of the change)."""
        keys: dict[int, Callable[[FunctionDiff], Any]] = {
            self.NAME: lambda f: f.name.casefold(),
            self.TIME_A: lambda f: f.time_a,
            self.TIME_B: lambda f: f.time_b,
            self.CHANGE: lambda f: abs(f.delta),
            self.RATIO: lambda f: f.ratio if f.ratio is not None else float("inf"),
            self.HITS_A: lambda f: f.hits_a,
            self.HITS_B: lambda f: f.hits_b,
        }
        return keys[column]

    def header_title(self, section: int) -> str:
        """Column titles, with the unit on time columns."""
        title = self.HEADERS[section]
        timed = section in (self.TIME_A, self.TIME_B, self.CHANGE)
        return with_unit(title, self._unit) if timed else title

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Text, colour, sort value and tooltip of one cell."""
        if not index.isValid():
            return None
        function = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self.cell_text(function, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.CHANGE, self.RATIO):
            return change_color(function.delta)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != self.NAME:
            return RIGHT_ALIGNED
        if role == Qt.ItemDataRole.ToolTipRole:
            return shown_name(f"{function.name}\n{function.filename}")
        return None

    def widest_texts(self) -> dict[int, str]:
        """The longest text of each number column (see ``widest_texts_in``)."""
        unit, longest = self._unit, LONGEST_AUTO_SECONDS
        samples = {
            self.TIME_A: unit.format(longest),
            self.TIME_B: unit.format(longest),
            self.CHANGE: signed_time(unit, -longest),
        }
        columns = (self.TIME_A, self.TIME_B, self.CHANGE, self.RATIO, self.HITS_A, self.HITS_B)
        return self.widest_texts_in(columns, (self.RATIO,), samples if unit.is_auto else None)

    def row_of(self, function: FunctionDiff) -> int | None:
        """The row showing the same function as ``function`` (of an earlier diff), if shown.

        The same function on both sides (its keys hold its first lines), else
        one of its name, file and side (its lines moved on disk since).
        """
        for identity in (_keys, _name_and_side):
            wanted = identity(function)
            found = next((row for row, f in enumerate(self._rows) if identity(f) == wanted), None)
            if found is not None:
                return found
        return None

    def cell_text(self, function: FunctionDiff, column: int) -> str:
        """What ``column`` shows for ``function``."""
        unit = self._unit
        if column == self.NAME:
            return self._titles.get(function, function.title)
        if column == self.TIME_A:
            return unit.format_total(function.a)
        if column == self.TIME_B:
            return unit.format_total(function.b)
        if column == self.CHANGE:
            return signed_time(unit, function.delta)
        if column == self.RATIO:
            return function.verdict
        return total_hits_text(function.a if column == self.HITS_A else function.b)


class DiffSideModel(ShadedRowsModel):
    """One run's side of the selected function: a row per aligned line, blank where absent."""

    LINE, HITS, TIME, PER_HIT, PERCENT, CODE = range(6)
    HEADERS = ("Line #", "Hits", "Time", "Per Hit", "% Time", "Source")

    def __init__(self, side: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.side = side
        self._lines: Sequence[AlignedLine] = []
        self._unit = AUTO
        self._hottest = 0.0
        self._highlighter: ChunkedHighlighter | None = None

    def set_lines(self, lines: AlignedRows, base: QColor, highlight: QColor) -> None:
        """Show ``lines``; heat is shared by both sides (the hottest line of either)."""
        self.beginResetModel()
        self._lines = lines
        self.shading.set_palette(base, highlight)
        self.shading.selected_row = -1
        self.forget_rows()
        self._hottest = lines.hottest
        self._highlighter = ChunkedHighlighter([self._text(line) for line in lines])
        self.endResetModel()

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.forget_rows()
        self.columns_changed(self.TIME, self.PER_HIT)

    def widest_texts(self) -> dict[int, str]:
        """The longest text of each number column on this side, and of its code."""
        numbers = [number for number in map(self._number, self._lines) if number is not None]
        stats = [stat for stat in map(self._stat, self._lines) if stat is not None]
        return widest_line_texts(self, self._unit, numbers, stats, map(self._text, self._lines))

    def _text(self, line: AlignedLine) -> str:
        return line.text_a if self.side == "a" else line.text_b

    def _number(self, line: AlignedLine) -> int | None:
        return line.line_a if self.side == "a" else line.line_b

    def _stat(self, line: AlignedLine) -> LineStat | None:
        return line.stat_a if self.side == "a" else line.stat_b

    def tokens(self, row: int) -> list[Any] | None:
        """Pygments tokens of this side's code in ``row`` (for the code delegate)."""
        return self._highlighter.tokens(row) if self._highlighter else None

    def line_at(self, row: int) -> int | None:
        """The source line number shown in ``row`` on this side."""
        return self._number(self._lines[row]) if 0 <= row < len(self._lines) else None

    def row_count(self) -> int:
        """Number of aligned rows (the same on both sides)."""
        return len(self._lines)

    def header_title(self, section: int) -> str:
        """Column titles: the run's name over its code, units on time columns."""
        if section == self.CODE:
            return f"Run {self.side.upper()}"
        title = self.HEADERS[section]
        return with_unit(title, self._unit) if section in (self.TIME, self.PER_HIT) else title

    def make_row(self, row: int) -> tuple[tuple[str, ...], tuple[RGB | None, ...]]:
        """A row's texts; heat across it, the Line # cell marked where the code changed."""
        line = self._lines[row]
        number, stat = self._number(line), self._stat(line)
        columns = range(len(self.HEADERS))
        texts = tuple(self._display(line, number, stat, column) for column in columns)
        shade = self._shade(line, number, stat, self.HITS)
        marked = self._shade(line, number, stat, self.LINE)
        return texts, (marked, *(shade,) * (len(self.HEADERS) - 1))

    def _display(
        self, line: AlignedLine, number: int | None, stat: LineStat | None, column: int
    ) -> str:
        if number is None:
            return ""
        if column == self.LINE:
            return str(number)
        if column == self.CODE:
            return self._text(line)
        if stat is None:
            return ""
        return line_stat_text(stat, STAT_FIELDS[column - self.HITS], self._unit)

    def _shade(
        self, line: AlignedLine, number: int | None, stat: LineStat | None, column: int
    ) -> RGB | None:
        base = self.shading.base
        if number is None:
            return blend(base, *ABSENT_TINT)
        if column == self.LINE and line.kind != SAME:
            # Marked as in a code review: red where A had it, green where B has it;
            # the other cells keep their heat.
            return blend(base, *(REMOVED_TINT if self.side == "a" else INSERTED_TINT))
        if stat is None:
            return None
        return heat_color(heat_fraction(stat.time, self._hottest), base)


class DiffChangeModel(RowTableModel):
    """The column between the two sides: how each aligned line's time changed."""

    HEADERS = ("Change",)
    MARKS: ClassVar[dict[str, str]] = {CHANGED: "~", INSERTED: "+", REMOVED: "−"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: Sequence[AlignedLine] = []
        self._unit = AUTO

    def set_lines(self, lines: Sequence[AlignedLine]) -> None:
        """Show the changes of ``lines``."""
        self.beginResetModel()
        self._lines = lines
        self.endResetModel()

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.columns_changed(0, 0)

    def row_count(self) -> int:
        """Number of aligned rows."""
        return len(self._lines)

    def header_title(self, section: int) -> str:
        """'Change', naming a fixed unit as the panes beside it do: 'Change (ms)'."""
        return with_unit(self.HEADERS[section], self._unit)

    def widest_text(self) -> str:
        """The longest change shown (each compared: auto times do not grow with the value)."""
        texts = (str(self.data(self.index(row, 0))) for row in range(len(self._lines)))
        return max(texts, key=len, default="")

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """The signed change (with an arrow and a +/~/− mark), coloured."""
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        timed = line.stat_a is not None or line.stat_b is not None
        if role == _DISPLAY:
            mark = self.MARKS.get(line.kind, " ")
            return f"{mark} {signed_time(self._unit, line.delta)}" if timed else mark.strip()
        if role == Qt.ItemDataRole.ForegroundRole and timed:
            return change_color(line.delta)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.kind
        return None
