"""The History panel: a script's runs, newest first, to open, delete or compare."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lprof_viewer.core.kernprof_command import quoted
from lprof_viewer.core.run_history import (
    FAILED,
    NO_PROFILE,
    NOTHING_RAN,
    OK,
    STOPPED,
    RunHistory,
    RunRecord,
    exit_text,
)
from lprof_viewer.ui.table_model import DISPLAY as _DISPLAY
from lprof_viewer.ui.table_model import RIGHT_ALIGNED, Index, RowTableModel
from lprof_viewer.ui.tables import fit_rows_to_font

#: How each outcome reads in the table.
_OUTCOME_TEXTS = {
    OK: "OK",
    FAILED: "Failed",
    STOPPED: "Stopped",
    NO_PROFILE: "No profile",
    NOTHING_RAN: "Nothing ran",
    None: "Running",
}


class RunHistoryModel(RowTableModel):
    """One row per kept run."""

    WHEN, OUTCOME, DURATION, STATUS, COMMAND = range(5)
    HEADERS = ("When", "Outcome", "Duration", "Exit", "Script and arguments")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.runs: list[RunRecord] = []

    def set_runs(self, runs: list[RunRecord]) -> None:
        """Show ``runs`` (newest first)."""
        self.beginResetModel()
        self.runs = list(runs)
        self.endResetModel()

    def row_count(self) -> int:
        """Number of runs."""
        return len(self.runs)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """What a run's cell says; its message as a tooltip."""
        if not index.isValid():
            return None
        run = self.runs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole command where the column is short
            return quoted(run.command) if column == self.COMMAND else run.message
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.DURATION, self.STATUS):
            return RIGHT_ALIGNED
        if role != _DISPLAY:
            return None
        if column == self.WHEN:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at))
        if column == self.OUTCOME:
            return _OUTCOME_TEXTS.get(run.outcome, run.outcome)
        if column == self.DURATION:
            return "" if run.duration is None else f"{run.duration:.1f} s"
        if column == self.STATUS:
            return exit_text(run.exit_status)
        return quoted([run.script.name, *run.args])


class HistoryPanel(QWidget):
    """Lists the runs of the current script; opens, deletes and compares them."""

    open_requested = Signal(object)
    compare_requested = Signal(object, object)
    #: A sentence for the status bar (what a request could not do).
    message = Signal(str)

    def __init__(self, history: RunHistory, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("runHistory")
        self.history = history
        self.script_label = QLabel("No script run yet.")
        self.model = RunHistoryModel(self)
        self.table = QTableView()
        self.table.setObjectName("runHistoryTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line per run
        fit_rows_to_font(self.table)
        header = self.table.horizontalHeader()
        for column in range(RunHistoryModel.COMMAND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RunHistoryModel.COMMAND, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Compare two selected runs (or the selected and previous)")
        self.compare_button.clicked.connect(self.compare_selected)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.compare_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.script_label)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.script = None
        #: Whether a run is the one going on (its folder is being written).
        self.in_progress: Callable[[RunRecord], bool] = lambda _run: False

    def show_script(self, script: Any) -> None:
        """List ``script``'s runs."""
        self.script = script
        self.refresh()

    def refresh(self) -> None:
        """Read the history again."""
        if self.script is None:
            return
        runs = self.history.runs_for(self.script)
        count = "1 run" if len(runs) == 1 else f"{len(runs)} runs"
        self.script_label.setText(f"{count} of {self.script}")
        self.model.set_runs(runs)

    def selected_runs(self) -> list[RunRecord]:
        """The selected runs, newest first."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.runs[row] for row in rows]

    def open_selected(self) -> None:
        """Open each selected run's profile."""
        for run in self.selected_runs():
            self.open_requested.emit(run)

    def compare_selected(self) -> None:
        """Compare two selected runs, or the selected run with the one before it."""
        selected = self.selected_runs()
        going = next((run for run in selected if self.in_progress(run)), None)
        if going is not None:
            self.message.emit(f"{going.label} is still running: its profile comes when it ends.")
            return
        if any(not run.has_profile for run in selected):
            self.message.emit("A selected run wrote no profile: there is nothing to compare.")
            return
        if len(selected) == 1:  # with the latest earlier run whose profile holds what ran
            runs = self.model.runs
            earlier = runs[runs.index(selected[0]) + 1 :]
            before = next((run for run in earlier if run.has_profile and run.ran), None)
            selected += [before] if before else []
        if len(selected) == 2:
            newer, older = selected
            self.compare_requested.emit(older, newer)
        else:
            self.message.emit(
                "To compare, select two runs, or one run with an earlier run of its script "
                "whose profile holds what ran."
            )

    def delete_selected(self) -> None:
        """Delete the selected runs and their files, but not the run going on."""
        for run in self.selected_runs():
            if self.in_progress(run):
                self.message.emit(f"{run.label} is still running: stop it before deleting it.")
            else:
                self.history.delete(run)
        self.refresh()
