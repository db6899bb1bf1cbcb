"""The comparison screen: two runs' functions by change, and one function side by side."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lprof_viewer.core.align import NO_ROWS
from lprof_viewer.core.diff import FunctionDiff, ProfileDiff, side_names
from lprof_viewer.core.model import TOTAL_MEANS
from lprof_viewer.core.pair_loading import open_pair_with_sources
from lprof_viewer.core.run_history import RunHistory
from lprof_viewer.core.sources import SourceRoot
from lprof_viewer.core.units import AUTO, TimeUnit, format_auto
from lprof_viewer.ui.banner import MessageBanner
from lprof_viewer.ui.delegates import CodeDelegate
from lprof_viewer.ui.diff_models import DiffChangeModel, DiffFunctionTableModel, DiffSideModel
from lprof_viewer.ui.file_watch import WatchedFiles, offer_reload, say_reload_failed
from lprof_viewer.ui.loading_pages import LoadingPages
from lprof_viewer.ui.tables import (
    enter_goes_to,
    fit_columns,
    fit_rows_to_font,
    let_heat_show_through_selection,
    make_filter_edit,
    make_table,
    select_or_first,
    selection_color,
)
from lprof_viewer.ui.viewer_tab import ViewerTab, functions_shown
from lprof_viewer.ui.workers import LatestTask


def compute_diff(
    path_a: Path, path_b: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> ProfileDiff:
    """Load both profiles (with their runs' snapshots) and compare them (on a pool thread)."""
    diff = ProfileDiff(*open_pair_with_sources(path_a, path_b, roots, history))
    _ = diff.nesting  # read here, not on the GUI thread by the summary
    if diff.functions:  # the function shown first
        _aligned(diff.functions[0])
    return diff


def _aligned(function: FunctionDiff) -> FunctionDiff:
    """``function`` with its lines aligned and its rows made (on a pool thread)."""
    _ = function.lines[:]
    return function


#: The usual widths of the number columns; wider when the numbers need it.
_FUNCTION_WIDTHS = dict.fromkeys(
    range(DiffFunctionTableModel.TIME_A, DiffFunctionTableModel.HITS_B + 1), 92
)
_SIDE_WIDTHS = {
    DiffSideModel.LINE: 44,
    DiffSideModel.HITS: 56,
    DiffSideModel.TIME: 72,
    DiffSideModel.PER_HIT: 72,
    DiffSideModel.PERCENT: 56,
}
_CHANGE_WIDTH = 112


class DiffTab(ViewerTab):
    """Run A against run B: a summary, the functions by change, two synchronised source panes."""

    def __init__(
        self,
        path_a: Path,
        path_b: Path,
        roots: Sequence[SourceRoot] = (),
        unit: TimeUnit | None = None,
        history: RunHistory | None = None,
        labels: tuple[str, str] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._loader = LatestTask(self)
        self._aligning = LatestTask(self)
        #: The function whose lines the panes show (it follows the selection once aligned).
        self.shown_function: FunctionDiff | None = None
        self.paths = [Path(path_a), Path(path_b)]
        a, b = self.paths
        # Runs' own labels (a script and the time; the older run is A), else the files,
        # told apart either way.
        self._labelled = bool(labels)
        if labels:
            self.labels = side_names(*labels, ordered=True)
        else:  # until loaded: two kept runs are then called as the history calls them
            self.labels = side_names(a.name, b.name, (a.parent, b.parent))
        self.roots = list(roots)
        self.unit = unit or AUTO
        self.history = history
        self.diff: ProfileDiff | None = None
        self.error: str | None = None
        self._build()
        self.set_unit(self.unit)
        self._watched = WatchedFiles(self.paths, self)
        self._watched.changed.connect(self._file_changed_on_disk)
        self.reload()

    # -- building --------------------------------------------------------------------
    def _build(self) -> None:
        self.content = self._build_content()
        self.pages = LoadingPages(f"Comparing {self.title}…", self.content)
        self.pages.retry.connect(self.reload)
        self.file_banner = MessageBanner("fileChangedBanner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.file_banner)
        layout.addWidget(self.pages)

    def _build_content(self) -> QWidget:
        self.summary = QLabel()
        self.summary.setObjectName("diffSummary")
        self.summary.setToolTip(TOTAL_MEANS)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setWordWrap(True)
        self.summary.setContentsMargins(4, 2, 4, 0)
        self.nesting_note = QLabel()  # the summary's second line, when totals count time twice
        self.nesting_note.setObjectName("diffNestingNote")
        self.nesting_note.setWordWrap(True)
        self.nesting_note.setContentsMargins(4, 0, 4, 2)
        self.nesting_note.hide()
        self.filter_edit = make_filter_edit()
        self.function_model = DiffFunctionTableModel(self)
        self.function_table = make_table("diffFunctionTable")
        self.function_table.setModel(self.function_model)
        self.function_table.horizontalHeader().setSortIndicator(
            DiffFunctionTableModel.CHANGE, Qt.SortOrder.DescendingOrder
        )
        self.function_table.setSortingEnabled(True)
        header = self.function_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = MessageBanner("diffNote")
        self.side_a, self.side_b = DiffSideModel("a", self), DiffSideModel("b", self)
        self.change_model = DiffChangeModel(self)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.source_a = self._side_table("diffSourceA", self.side_a, mono)
        self.source_b = self._side_table("diffSourceB", self.side_b, mono)
        self.change_table = make_table("diffChange")
        self.change_table.setModel(self.change_model)
        self.change_table.setFont(mono)
        fit_rows_to_font(self.change_table)
        self.change_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.change_table.horizontalHeader().setStretchLastSection(True)
        self.change_table.setFixedWidth(_CHANGE_WIDTH)
        self.source_a.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Scrolling together needs panes of one height: a horizontal bar in one
        # pane alone would leave the others a row short of their last line.
        for table in (self.source_a, self.change_table, self.source_b):
            table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._synchronise_scrolling()
        panes = QWidget()
        panes_layout = QHBoxLayout(panes)
        panes_layout.setContentsMargins(0, 0, 0, 0)
        panes_layout.setSpacing(2)
        panes_layout.addWidget(self.source_a, 1)
        panes_layout.addWidget(self.change_table)
        panes_layout.addWidget(self.source_b, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.summary)
        top_layout.addWidget(self.nesting_note)
        top_layout.addWidget(self.filter_edit)
        top_layout.addWidget(self.function_table)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.note)
        bottom_layout.addWidget(panes)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([260, 440])
        self.filter_edit.textChanged.connect(self._apply_filter)
        enter_goes_to(self.filter_edit, self.function_table)
        self.function_table.selectionModel().currentRowChanged.connect(self._function_selected)
        for table, model in ((self.source_a, self.side_a), (self.source_b, self.side_b)):
            table.doubleClicked.connect(
                lambda index, m=model, side=model.side: self._double_clicked(index, m, side)
            )
        return splitter

    def _side_table(self, name: str, model: DiffSideModel, mono: Any) -> QTableView:
        table = make_table(name)
        table.setFont(mono)
        table.setModel(model)
        table.setItemDelegateForColumn(DiffSideModel.CODE, CodeDelegate(mono, table))
        fit_rows_to_font(table)
        let_heat_show_through_selection(table)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        return table

    def _synchronise_scrolling(self) -> None:
        """The three panes move together, line for line (B's scroll bar drives them)."""
        bars = [t.verticalScrollBar() for t in (self.source_a, self.change_table, self.source_b)]
        for bar in bars:
            for other in bars:
                if other is not bar:
                    bar.valueChanged.connect(other.setValue)
        for table in (self.source_a, self.change_table, self.source_b):
            table.selectionModel().currentRowChanged.connect(
                lambda current, _previous, source=table: self._select_row_everywhere(
                    current.row(), source
                )
            )

    def _select_row_everywhere(self, row: int, source: QTableView) -> None:
        for table in (self.source_a, self.change_table, self.source_b):
            if table is not source and table.currentIndex().row() != row:
                table.setCurrentIndex(table.model().index(row, 0))

    # -- loading -----------------------------------------------------------------------
    @property
    def title(self) -> str:
        """'a.lprof ↔ b.lprof' (or the runs' names)."""
        return f"{self.labels[0]} ↔ {self.labels[1]}"

    def reload(self) -> None:
        """Compare the two files again, in the background."""
        self.is_ready = False
        self.file_banner.clear()
        self._watched.hold()  # a change while reading is said once read
        if self.diff is None:
            self.pages.show_busy()
        self._loader.start(
            self._loaded, self._failed, compute_diff, *self.paths, list(self.roots), self.history
        )

    def _loaded(self, diff: ProfileDiff) -> None:
        previous = self.current_function()
        self.diff, self.error = diff, None
        if not self._labelled:
            self.labels = diff.names
        self._show_summary()
        self.function_model.set_diff(diff)
        self._fit_function_columns()
        self.pages.show_content()
        # A reload keeps the function the user was looking at, as a profile tab does.
        row = self.function_model.row_of(previous) if previous else None
        select_or_first(self.function_table, row)
        self._watched.release()
        self._finish()

    def _failed(self, message: str) -> None:
        self.error = message
        if self.diff is None:
            self.pages.show_error(message)
        else:  # a reload failed: keep the comparison shown, say why
            say_reload_failed(self.file_banner, message, self.reload)
        self._watched.release(say_missed=False)  # Retry reads it again anyway
        self._finish()

    def _file_changed_on_disk(self, path: str) -> None:
        offer_reload(self.file_banner, path, self.reload)  # never while loading (held)

    # -- selection -----------------------------------------------------------------------
    def current_function(self) -> FunctionDiff | None:
        """The function selected in the functions table."""
        index = self.function_table.currentIndex()
        return self.function_model.function_at(index.row()) if index.isValid() else None

    def _function_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        function = self.function_model.function_at(current.row()) if current.isValid() else None
        if function is not None and function is self.shown_function:
            self._aligning.cancel()  # back to the one shown (a filter typed): keep its place
            return
        self._show(function)

    def _show(self, function: FunctionDiff | None) -> None:
        """Show ``function``'s panes: at once when its lines were aligned, else once they are.

        Aligning a block of many rewritten lines can take a second, and reading
        a file longer: neither on the GUI thread. Whatever was still being
        aligned for an earlier choice is dropped.
        """
        self._aligning.cancel()
        if function is None or function.is_aligned:
            self.show_function(function)
        else:
            self._aligning.start(self.show_function, self._failed_to_align, _aligned, function)

    def _failed_to_align(self, message: str) -> None:
        self.show_function(None)
        self.note.show_message(message, "error")

    def show_function(self, function: FunctionDiff | None) -> None:
        """Fill both panes and the change column with ``function``'s aligned lines."""
        self.shown_function = function
        lines, _, note = function.alignment if function else (NO_ROWS, "", "")
        base = self.source_b.palette().color(QPalette.ColorRole.Base)
        for model in (self.side_a, self.side_b):
            model.set_lines(lines, base, selection_color(self.source_b))
        self.change_model.set_lines(lines)
        self._fit_side_columns(grow_only=True)
        if note:
            self.note.show_message(note, "info")
        else:
            self.note.clear()
        biggest = max(range(len(lines)), key=lambda r: abs(lines[r].delta), default=None)
        if biggest is not None:  # the line whose time changed most
            self.source_b.setCurrentIndex(self.side_b.index(biggest, 0))
            self.source_b.scrollTo(
                self.side_b.index(biggest, 0), QAbstractItemView.ScrollHint.PositionAtCenter
            )

    def _apply_filter(self) -> None:
        current = self.current_function()
        self.function_model.set_filter(self.filter_edit.text())
        row = self.function_model.row_of(current) if current else None
        if not select_or_first(self.function_table, row):  # keeps the one still shown
            self._show(None)
        self.status_changed.emit()  # the count of functions shown

    def _double_clicked(self, index: QModelIndex, model: DiffSideModel, side: str) -> None:
        function = self.shown_function  # the rows clicked are its, while another aligns
        line = model.line_at(index.row())
        if function is None or line is None:
            return
        which = 0 if side == "a" else 1
        annotated = function.annotated[which]
        if annotated is not None and self.diff is not None:
            place = self.diff.annotators[which].place_to_edit(annotated, line)
            if place is not None:
                self.open_in_editor.emit(*place)

    # -- shared tab interface ------------------------------------------------------------
    def set_unit(self, unit: TimeUnit) -> None:
        """Show every time in ``unit``."""
        self.unit = unit
        for model in (self.function_model, self.side_a, self.side_b, self.change_model):
            model.set_unit(unit)
        self._show_summary()
        self._fit_function_columns()
        self._fit_side_columns()

    def _show_summary(self) -> None:
        """The totals in bold; below them, when some are counted twice, which and why."""
        if self.diff is None:
            return
        headline, nesting = self.diff.summary_lines(self.unit)
        self.summary.setText(headline)
        self.nesting_note.setText(nesting)
        self.nesting_note.setVisible(bool(nesting))

    def _fit_function_columns(self) -> None:
        fit_columns(self.function_table, self.function_model.widest_texts(), _FUNCTION_WIDTHS)

    def _fit_side_columns(self, grow_only: bool = False) -> None:
        for table, model in ((self.source_a, self.side_a), (self.source_b, self.side_b)):
            fit_columns(table, model.widest_texts(), _SIDE_WIDTHS, grow_only)
        change = self.change_table.fontMetrics().horizontalAdvance(self.change_model.widest_text())
        self.change_table.setFixedWidth(max(_CHANGE_WIDTH, change + 24))

    def focus_filter(self) -> None:
        """Ctrl+F."""
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def status_parts(self) -> list[str]:
        """Both files and their totals, for the status bar."""
        if self.diff is None:
            return [self.title, self.error or "comparing…"]
        return [
            self.title,
            f"A {format_auto(self.diff.total_a)} → B {format_auto(self.diff.total_b)}",
            functions_shown(self.function_model.rowCount(), len(self.diff.functions)),
            "",
        ]
