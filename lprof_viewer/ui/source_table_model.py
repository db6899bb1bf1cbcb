"""One function's source as a table: Line #, Hits, Time, Per Hit, % Time, % of total, code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.heat import NEVER_RAN_DARK, NEVER_RAN_LIGHT, RGB, heat_color, heat_fraction
from lprof_viewer.core.highlight import ChunkedHighlighter
from lprof_viewer.core.model import LineStat
from lprof_viewer.core.units import AUTO, STAT_FIELDS, TimeUnit, line_stat_text, with_unit
from lprof_viewer.ui.table_model import (
    ShadedRowsModel,
    widest_line_texts,
)


class SourceTableModel(ShadedRowsModel):
    """Every line of the selected function, its timing, and heat as a background."""

    LINE, HITS, TIME, PER_HIT, PERCENT, PERCENT_TOTAL, CODE = range(7)
    HEADERS = ("Line #", "Hits", "Time", "Per Hit", "% Time", "% of total", "Source")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._function: AnnotatedFunction | None = None
        self._numbers: Sequence[int] = range(0)
        self._texts: Sequence[str] = ()
        self._stats: dict[int, LineStat] = {}
        self._hottest = 0.0
        self._unit = AUTO
        self._highlighter: ChunkedHighlighter | None = None
        self._heat_cache: dict[int, RGB] = {}

    # -- data in ---------------------------------------------------------------
    def set_function(self, annotated: AnnotatedFunction | None) -> None:
        """Show ``annotated``'s lines (None clears the table)."""
        self.beginResetModel()
        self._function = annotated
        self._numbers = annotated.line_numbers if annotated else range(0)
        self._stats = annotated.stats if annotated else {}
        self._hottest = max((s.time for s in self._stats.values()), default=0.0)
        self._texts = annotated.texts() if annotated else ()
        self._highlighter = ChunkedHighlighter(self._texts) if annotated else None
        self._heat_cache.clear()
        self.forget_rows()
        self.shading.selected_row = -1
        self.endResetModel()

    @property
    def function(self) -> AnnotatedFunction | None:
        """The function shown."""
        return self._function

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.forget_rows()
        self.columns_changed(self.TIME, self.PER_HIT)

    def widest_texts(self) -> dict[int, str]:
        """The longest text of each number column for this function, and of its code."""
        return widest_line_texts(self, self._unit, self._numbers, self._stats.values(), self._texts)

    def set_palette(self, base: QColor, highlight: QColor) -> None:
        """The view's background (heat is mixed from it) and selection colour."""
        self.shading.set_palette(base, highlight)
        self._heat_cache.clear()
        self.forget_rows()

    # -- Qt model API -------------------------------------------------------------
    def row_count(self) -> int:
        """Number of lines shown."""
        return len(self._numbers)

    def header_title(self, section: int) -> str:
        """Column titles; time columns name their unit."""
        title = self.HEADERS[section]
        return with_unit(title, self._unit) if section in (self.TIME, self.PER_HIT) else title

    def make_row(self, row: int) -> tuple[tuple[str, ...], tuple[RGB | None, ...]]:
        """A line's texts, and its heat (or never-ran tint) across the row."""
        lineno = self._numbers[row]
        stat = self._stats.get(lineno)
        texts = tuple(self._display(row, stat, column) for column in range(len(self.HEADERS)))
        return texts, (self._shade(lineno, stat),) * len(self.HEADERS)

    def _display(self, row: int, stat: LineStat | None, column: int) -> str:
        if column == self.LINE:
            return str(self._numbers[row])
        if column == self.CODE:
            return self._texts[row]
        if stat is None:
            return ""
        return line_stat_text(stat, STAT_FIELDS[column - self.HITS], self._unit)

    def _shade(self, lineno: int, stat: LineStat | None) -> RGB | None:
        """Heat for a timed line, a tint for code that never ran, nothing otherwise."""
        if stat is None:
            if self._function is not None and self._function.never_ran(lineno):
                return NEVER_RAN_DARK if self.shading.is_dark else NEVER_RAN_LIGHT
            return None
        shade = self._heat_cache.get(lineno)
        if shade is None:
            fraction = heat_fraction(stat.time, self._hottest)
            shade = self._heat_cache[lineno] = heat_color(fraction, self.shading.base)
        return shade

    def tokens(self, row: int) -> list[Any] | None:
        """Pygments tokens of the code in ``row`` (lexed on first request, then cached).

        The code delegate calls this directly: passing a list of tokens through
        a Qt role would convert it to and from a QVariant for every paint.
        """
        return self._highlighter.tokens(row) if self._highlighter else None

    # -- lookups -------------------------------------------------------------------
    def row_of_line(self, lineno: int) -> int | None:
        """The row showing source line ``lineno``."""
        if lineno in self._numbers:
            return self._numbers.index(lineno)
        return None

    def hottest_row(self) -> int | None:
        """The row of the line that took the most time."""
        if self._function is None:
            return None
        hottest = self._function.function.hottest_line
        return None if hottest is None else self.row_of_line(hottest)

    def line_at(self, row: int) -> int | None:
        """The source line number shown in ``row``."""
        return self._numbers[row] if 0 <= row < len(self._numbers) else None
