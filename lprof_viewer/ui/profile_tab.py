"""One open profile: its functions table beside the selected function's source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
    QHeaderView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.model import FunctionProfile, Profile
from lprof_viewer.core.preload import take_preloaded
from lprof_viewer.core.run_history import RunHistory, RunRecord, open_with_sources
from lprof_viewer.core.sources import (
    SourceRoot,
    is_pseudo_file,
    locate_in_folder,
    root_for_located_file,
)
from lprof_viewer.core.units import AUTO, TimeUnit, format_auto
from lprof_viewer.ui.banner import MessageBanner
from lprof_viewer.ui.delegates import CodeDelegate, ShareBarDelegate
from lprof_viewer.ui.file_watch import WatchedFiles, offer_reload, say_reload_failed
from lprof_viewer.ui.function_table_model import FunctionTableModel
from lprof_viewer.ui.loading_pages import LoadingPages
from lprof_viewer.ui.source_table_model import SourceTableModel
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


def load_in_background(
    paths: Sequence[Path], roots: Sequence[SourceRoot], history: RunHistory | None
) -> tuple[ProfileAnnotator, RunRecord | None]:
    """Read, merge and annotate the biggest function (runs on a pool thread).

    A profile written by a run in the history is shown with the snapshot of the
    code that run measured.
    """
    preloaded = take_preloaded(paths)  # read while the window started, if it was
    annotator, run = open_with_sources(paths, roots, history, profile=preloaded)
    if annotator.profile.functions:  # read the first file's source here, not on the GUI thread
        annotator.annotate(annotator.profile.functions[0])
    return annotator, run


#: The usual widths of the number columns; wider when a profile's numbers need it.
_F, _S = FunctionTableModel, SourceTableModel
_FUNCTION_WIDTHS = {_F.FILE: 110, _F.LINE: 48, _F.TOTAL: 86, _F.HITS: 78, _F.SHARE: 84}
_SOURCE_WIDTHS = {
    _S.LINE: 44,
    _S.HITS: 56,
    _S.TIME: 72,
    _S.PER_HIT: 72,
    _S.PERCENT: 56,
    _S.PERCENT_TOTAL: 56,
}


class ProfileTab(ViewerTab):
    """A tab showing one profile (or several merged); loads it off the GUI thread."""

    #: Emitted with a source-root mapping the user made, for the window to remember.
    source_root_added = Signal(object)

    def __init__(
        self,
        paths: Sequence[Path],
        roots: Sequence[SourceRoot] = (),
        unit: TimeUnit | None = None,
        history: RunHistory | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._loader = LatestTask(self)
        self._annotating = LatestTask(self)
        self.paths = [Path(p) for p in paths]
        self.roots = list(roots)
        self.history = history
        self.run: RunRecord | None = None
        self.unit = unit or AUTO
        self.profile: Profile | None = None
        self.annotator: ProfileAnnotator | None = None
        self.error: str | None = None
        #: Asks the user for a folder; replaced in tests.
        self.choose_folder: Callable[[], str] = self._ask_for_folder
        self._build()
        self.set_unit(self.unit)
        self._watched = WatchedFiles(self.paths, self)
        self._watched.changed.connect(self._file_changed_on_disk)
        self.reload()

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        self.content = self._build_content()
        self.pages = LoadingPages(f"Loading {self.title}…", self.content)
        self.pages.retry.connect(self.reload)
        self.file_banner = MessageBanner("fileChangedBanner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.file_banner)
        layout.addWidget(self.pages)

    def _build_content(self) -> QSplitter:
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.filter_edit = make_filter_edit()
        self.hide_never_ran = QCheckBox("Hide functions that never ran")
        self.hide_never_ran.setObjectName("hideNeverRan")
        self.function_model = FunctionTableModel(self)
        self.function_table = make_table("functionTable")
        self.function_table.setModel(self.function_model)
        self.function_table.horizontalHeader().setSortIndicator(
            FunctionTableModel.TOTAL, Qt.SortOrder.DescendingOrder
        )
        self.function_table.setSortingEnabled(True)
        self.function_table.setItemDelegateForColumn(
            FunctionTableModel.SHARE, ShareBarDelegate(self.function_table)
        )
        header = self.function_table.horizontalHeader()
        header.setSectionResizeMode(FunctionTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.hide_never_ran)
        left_layout.addWidget(self.function_table)

        self.source_banner = MessageBanner("sourceBanner")
        self.source_model = SourceTableModel(self)
        self.source_table = make_table("sourceTable")
        self.source_table.setFont(mono)
        self.source_table.setModel(self.source_model)
        self.source_table.setItemDelegateForColumn(
            SourceTableModel.CODE, CodeDelegate(mono, self.source_table)
        )
        fit_rows_to_font(self.source_table)
        source_header = self.source_table.horizontalHeader()
        source_header.setStretchLastSection(True)
        let_heat_show_through_selection(self.source_table)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.source_banner)
        right_layout.addWidget(self.source_table)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("profileSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([540, 740])

        self.filter_edit.textChanged.connect(self._apply_filter)
        enter_goes_to(self.filter_edit, self.function_table)
        self.hide_never_ran.toggled.connect(self._apply_filter)
        self.function_table.selectionModel().currentRowChanged.connect(self._function_selected)
        self.function_table.activated.connect(self.jump_to_hottest_line)
        self.source_table.doubleClicked.connect(self._source_double_clicked)
        return self.splitter

    # -- loading -----------------------------------------------------------------
    @property
    def title(self) -> str:
        """The tab's title: the file name (or the run's script and time), or how many merged."""
        if self.run is not None:
            return self.run.title
        if len(self.paths) == 1:
            return self.paths[0].name
        return f"{self.paths[0].name} + {len(self.paths) - 1}"

    def reload(self) -> None:
        """(Re)load the profile in the background, keeping the selected function if it remains."""
        self.is_ready = False
        self.file_banner.clear()
        self._watched.hold()  # a change while reading is said once read
        if self.profile is None:
            self.pages.show_busy()
        self._loader.start(
            self._loaded,
            self._failed,
            load_in_background,
            self.paths,
            list(self.roots),
            self.history,
        )

    def _loaded(self, loaded: tuple[ProfileAnnotator, RunRecord | None]) -> None:
        previous = self.current_function()
        opened = self.profile is None  # the first load, not a reload
        self.annotator, self.run = loaded
        self.profile = self.annotator.profile
        self.error = None
        self.function_model.set_profile(self.profile)  # filtered as the filter box says
        self._fit_function_columns()
        self.pages.show_content()
        row = self.function_model.row_of(previous.key) if previous else None
        if not select_or_first(self.function_table, row):
            self._show(None)
        focused = QApplication.focusWidget()
        busy_here = focused is not None and self.isAncestorOf(focused)  # typing a filter
        if opened and self.isVisible() and not busy_here:
            self.function_table.setFocus()  # just opened: ready for the arrow keys
        if self.run is not None and self.run.failed:
            self.file_banner.show_message(
                f"From a {self.run.ending}: {self.run.message}", "warning"
            )
        elif not self.profile.functions:
            self.file_banner.show_message(
                f"{self.profile.name} holds no timings: no function was marked with "
                "@profile (or named with kernprof -p) when it was recorded.",
                "info",
            )
        self._watched.release()
        self._finish()

    def _failed(self, message: str) -> None:
        self.error = message
        if self.profile is None:
            self.pages.show_error(message)
        else:  # a reload failed: keep what was shown, say why
            say_reload_failed(self.file_banner, message, self.reload)
        self._watched.release(say_missed=False)  # Retry reads it again anyway
        self._finish()

    def _file_changed_on_disk(self, path: str) -> None:
        offer_reload(self.file_banner, path, self.reload)  # never while loading (held)

    # -- selection ---------------------------------------------------------------
    def current_function(self) -> FunctionProfile | None:
        """The function selected in the functions table."""
        index = self.function_table.currentIndex()
        return self.function_model.function_at(index.row()) if index.isValid() else None

    def _function_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        function = self.function_model.function_at(current.row()) if current.isValid() else None
        shown = self.source_model.function
        if shown is not None and shown.function is function:
            self._annotating.cancel()  # a function chosen earlier and still being read
            return  # re-selected after a filter or sort: keep the user's place in the source
        self._show(function)

    def _show(self, function: FunctionProfile | None) -> None:
        """Show ``function``'s source: at once when its file was read, else once read.

        Whatever was still being read for an earlier choice is dropped.
        """
        self._annotating.cancel()
        if function is None or self.annotator is None:
            self.show_function(None)
        elif self.annotator.has_read_file_of(function):
            self.show_function(self.annotator.annotate(function))
        else:  # the first function of a file: read it and check it off the GUI thread
            annotate = self.annotator.annotate
            self._annotating.start(self.show_function, self._not_shown, annotate, function)

    def _not_shown(self, message: str) -> None:
        self.show_function(None)
        self.source_banner.show_message(message, "error")

    def show_function(self, annotated: AnnotatedFunction | None) -> None:
        """Fill the source table with ``annotated`` and select its hottest line."""
        self.source_model.set_palette(
            self.source_table.palette().color(QPalette.ColorRole.Base),
            selection_color(self.source_table),
        )
        self.source_model.set_function(annotated)
        self._fit_source_columns(grow_only=True)
        self._show_source_banner(annotated)
        row = self.source_model.hottest_row()
        if row is not None:
            index = self.source_model.index(row, 0)
            self.source_table.setCurrentIndex(index)
            self.source_table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _show_source_banner(self, annotated: AnnotatedFunction | None) -> None:
        if annotated is None:
            self.source_banner.clear()
        elif annotated.source_note is not None:
            if not annotated.missing_source:
                self.source_banner.show_message(annotated.source_note, "warning")
            elif is_pseudo_file(annotated.function.filename):  # exec'd: no file to locate
                self.source_banner.show_message(annotated.source_note, "info")
            else:
                actions = {"Locate source…": self.locate_source}
                self.source_banner.show_message(annotated.source_note, "warning", actions)
        elif not annotated.function.ran:
            self.source_banner.show_message(
                f"{annotated.function.name} never ran while it was profiled: no line has a "
                "timing, and its code is tinted as never run.",
                "info",
            )
        else:
            self.source_banner.clear()

    def jump_to_hottest_line(self, *_args: object) -> None:
        """Move the keyboard focus to the selected function's hottest line."""
        row = self.source_model.hottest_row()
        if row is not None:
            self.source_table.setFocus()
            self.source_table.setCurrentIndex(self.source_model.index(row, 0))
            self.source_table.scrollTo(self.source_model.index(row, 0))

    def _apply_filter(self) -> None:
        current = self.current_function()
        self.function_model.set_filter(self.filter_edit.text(), self.hide_never_ran.isChecked())
        row = self.function_model.row_of(current.key) if current else None
        if not select_or_first(self.function_table, row):
            self._show(None)
        self.status_changed.emit()  # the count of functions shown

    # -- user actions ------------------------------------------------------------
    def set_unit(self, unit: TimeUnit) -> None:
        """Show every time in ``unit``."""
        self.unit = unit
        self.function_model.set_unit(unit)
        self.source_model.set_unit(unit)
        self._fit_function_columns()
        self._fit_source_columns()

    def _fit_function_columns(self) -> None:
        fit_columns(self.function_table, self.function_model.widest_texts(), _FUNCTION_WIDTHS)

    def _fit_source_columns(self, grow_only: bool = False) -> None:
        widest = self.source_model.widest_texts()
        fit_columns(self.source_table, widest, _SOURCE_WIDTHS, grow_only)

    def set_roots(self, roots: Sequence[SourceRoot]) -> None:
        """Use new source-root mappings and show the current function again."""
        self.roots = list(roots)
        if self.profile is not None:
            snapshots = self.run.snapshot_files() if self.run else None
            # The same files are read once: a file under a new root is a new path.
            cache = self.annotator.cache if self.annotator else None
            self.annotator = ProfileAnnotator(self.profile, self.roots, cache, snapshots)
            self._show(self.current_function())

    def _ask_for_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Locate the source folder")

    def locate_source(self) -> None:
        """Ask for the folder holding the missing source and remember the mapping."""
        function = self.current_function()
        if function is None:
            return
        folder = self.choose_folder()
        if not folder:
            return
        found = locate_in_folder(function.filename, Path(folder))
        if found is None:
            self.source_banner.show_message(
                f"{Path(function.filename).name} is not in {folder}.",
                "error",
                {"Locate source…": self.locate_source},
            )
            return
        root = root_for_located_file(function.filename, found)
        self.source_root_added.emit(root)
        self.set_roots([root, *(r for r in self.roots if r.old != root.old)])

    def _source_double_clicked(self, index: QModelIndex) -> None:
        annotated = self.source_model.function
        line = self.source_model.line_at(index.row())
        if annotated is None or line is None or not self.annotator:
            return
        place = self.annotator.place_to_edit(annotated, line)
        if place is not None:
            self.open_in_editor.emit(*place)

    def focus_filter(self) -> None:
        """Put the keyboard in the filter box (Ctrl+F)."""
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def status_parts(self) -> list[str]:
        """File name, total time, number of functions and timer unit, for the status bar."""
        if self.profile is None:
            return [self.title, self.error or "loading…"]
        profile = self.profile
        return [
            self.title,
            f"total {format_auto(profile.total_time)}",
            functions_shown(self.function_model.rowCount(), len(profile)),
            f"timer unit {profile.unit:g} s",
        ]
