"""The functions of a profile as a table: name, file, line, total time, hits, share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from lprof_viewer.core.model import FunctionProfile, Profile
from lprof_viewer.core.sources import shown_name
from lprof_viewer.core.units import AUTO, LONGEST_AUTO_SECONDS, TimeUnit, with_unit
from lprof_viewer.ui.roles import SHARE_ROLE, SORT_ROLE
from lprof_viewer.ui.table_model import DISPLAY as _DISPLAY
from lprof_viewer.ui.table_model import Index, SortedRowsModel


class FunctionTableModel(SortedRowsModel):
    """One row per profiled function; sorted and filtered in Python with native values."""

    NAME, FILE, LINE, TOTAL, HITS, SHARE = range(6)
    #: "Line hits": all the hits of a function's lines, not its calls (a profile has no count
    #: of calls; the hits of a loop's lines add up).
    HEADERS = ("Function", "File", "Line", "Total time", "Line hits", "% of total")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(self.TOTAL, Qt.SortOrder.DescendingOrder, parent)
        self._profile: Profile | None = None
        self._unit = AUTO
        self._hide_never_ran = False

    # -- data in ---------------------------------------------------------------
    def set_profile(self, profile: Profile | None) -> None:
        """Show ``profile``'s functions (biggest total time first until re-sorted)."""
        self._profile = profile
        self.set_rows(profile.functions if profile else [])

    def set_unit(self, unit: TimeUnit) -> None:
        """Write times in ``unit``."""
        self._unit = unit
        self.columns_changed(self.TOTAL, self.TOTAL)

    def set_filter(self, text: str, hide_never_ran: bool) -> None:
        """Keep rows whose name or file contains ``text``; optionally hide functions never run."""
        self.set_filter_text(text)
        self._hide_never_ran = hide_never_ran
        self.refilter()

    def kept(self, rows: list[FunctionProfile]) -> list[FunctionProfile]:
        """Not hidden as never run, and the filter text in the name or file."""
        matching = super().kept(rows)
        return [f for f in matching if f.ran] if self._hide_never_ran else matching

    def sort_key(self, column: int) -> Callable[[FunctionProfile], Any]:
        """The native value rows sort on in ``column``."""
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
            return self.cell_text(function, column)
        if role == SORT_ROLE:
            return self.sort_key(column)(function)
        if role == SHARE_ROLE and column == self.SHARE:
            share = self._share(function)
            return None if share is None else share / 100
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.NAME, self.FILE):
            return shown_name(f"{function.name}\n{function.filename}:{function.start_line}")
        if role == Qt.ItemDataRole.ForegroundRole and not function.ran:
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def _share(self, function: FunctionProfile) -> float | None:
        return self._profile.percent_of_total(function) if self._profile else None

    def cell_text(self, function: FunctionProfile, column: int) -> str:
        """What ``column`` shows for ``function``."""
        if column == self.NAME:
            return function.name
        if column == self.FILE:
            return shown_name(PurePath(function.filename).name)
        if column == self.LINE:
            return str(function.start_line)
        if column == self.TOTAL:
            return self._unit.format_total(function)
        if column == self.HITS:
            return f"{function.total_hits:,}"
        share = self._share(function)
        return "" if share is None else f"{share:.1f} %"

    def widest_texts(self) -> dict[int, str]:
        """The longest text of each number column (see ``widest_texts_in``)."""
        unit = self._unit
        samples = {self.TOTAL: unit.format(LONGEST_AUTO_SECONDS)} if unit.is_auto else {}
        return self.widest_texts_in((self.LINE, self.TOTAL, self.HITS), samples=samples)

    # -- lookups ----------------------------------------------------------------
    def row_of(self, key: tuple[str, int, str]) -> int | None:
        """The row showing the function with ``key``, if visible."""
        return next((row for row, f in enumerate(self._rows) if f.key == key), None)
