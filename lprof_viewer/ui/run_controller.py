"""Run Script…, Re-run and Stop: the dialog, the kernprof process, console and history panels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QFileDialog, QLabel

from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.run_history import RunHistory, RunRecord
from lprof_viewer.ui.history_panel import HistoryPanel
from lprof_viewer.ui.kernprof_process import KernprofProcess
from lprof_viewer.ui.run_console import RunConsole
from lprof_viewer.ui.run_dialog import RunDialog, config_from_settings, config_to_settings
from lprof_viewer.ui.script_tab import ScriptTab

if TYPE_CHECKING:
    from lprof_viewer.ui.main_window import MainWindow


class RunController(QObject):
    """Everything about profiling runs started from the window."""

    #: A run ended and its profile (if any) finished loading, or it could not start.
    run_settled = Signal()

    def __init__(self, window: MainWindow, history: RunHistory) -> None:
        super().__init__(window)
        self.window = window
        self.history = history
        self.process = KernprofProcess(history, self)
        self.last_config: RunConfig | None = None
        self.console = RunConsole()
        self.history_panel = HistoryPanel(history)
        self.elapsed_label = QLabel()
        self.elapsed_label.setObjectName("runElapsed")
        self._ticker = QTimer(self)
        self._ticker.setInterval(200)
        self._ticker.timeout.connect(self._show_elapsed)
        self.process.output.connect(self.console.append_text)
        self.process.failed_to_start.connect(self._failed_to_start)
        self.process.finished.connect(self._finished)
        self.history_panel.open_requested.connect(self._open_requested)
        self.history_panel.in_progress = self._in_progress
        self.history_panel.compare_requested.connect(self.compare_runs)
        self.history_panel.message.connect(
            lambda text: self.window.statusBar().showMessage(text, 8000)
        )
        #: Why the last run asked for could not start (one sentence), or None.
        self.start_problem: str | None = None
        self._build_actions()
        self._build_docks()

    def _build_actions(self) -> None:
        window = self.window
        self.run_action = QAction("&Run Script…", window)
        self.run_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.run_action.triggered.connect(lambda: self.ask_and_run())
        self.rerun_action = QAction("Re-&run", window)
        self.rerun_action.setShortcut(QKeySequence("F5"))
        self.rerun_action.triggered.connect(self.rerun)
        self.stop_action = QAction("&Stop", window)
        self.stop_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_action.triggered.connect(self.process.stop)
        self.stop_action.setEnabled(False)
        for action in (self.run_action, self.rerun_action, self.stop_action):
            window.addAction(action)

    def _build_docks(self) -> None:
        self.console_dock = QDockWidget("Console", self.window)
        self.console_dock.setObjectName("consoleDock")
        self.console_dock.setWidget(self.console)
        self.history_dock = QDockWidget("History", self.window)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_panel)
        area = Qt.DockWidgetArea.BottomDockWidgetArea
        self.window.addDockWidget(area, self.console_dock)
        self.window.addDockWidget(area, self.history_dock)
        self.window.tabifyDockWidget(self.console_dock, self.history_dock)
        self.console_dock.raise_()
        self.console_dock.hide()
        self.history_dock.hide()
        self.window.statusBar().addPermanentWidget(self.elapsed_label)  # beside messages

    # -- starting -------------------------------------------------------------------
    def config_for(self, script: Path) -> RunConfig:
        """The remembered (or default) settings for ``script``."""
        return config_from_settings(script, self.window.settings.run_settings(script))

    def ask_and_run(self, script: Path | None = None) -> None:
        """Run Script…: the script in front (or one picked), through the run dialog."""
        if script is None:
            tab = self.window.current_tab()
            script = tab.path if isinstance(tab, ScriptTab) else None
        if script is None:
            name, _ = QFileDialog.getOpenFileName(
                self.window, "Script to profile", "", "Python (*.py)"
            )
            if not name:
                return
            script = Path(name)
        dialog = RunDialog(self.config_for(script), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start(dialog.config())

    def rerun(self) -> None:
        """Re-run (F5): the last run again, without asking."""
        config = self.last_config
        if config is None and self.window.settings.last_script is not None:
            config = self.config_for(self.window.settings.last_script)
        if config is None:
            self.ask_and_run()
        else:
            self.start(config)

    def start(self, config: RunConfig) -> bool:
        """Start a run now; False when one is running or it cannot start."""
        if self.process.running:
            self.window.statusBar().showMessage("A run is already in progress.", 5000)
            return False
        self.start_problem = None
        self.last_config = config
        self.window.settings.set_run_settings(config.script, config_to_settings(config))
        self.window.settings.last_script = config.script
        self.console_dock.show()
        self.console_dock.raise_()
        self.console.append_text(f"\n— Running {config.script.name} —\n")
        if not self.process.start(config):
            return False
        self.stop_action.setEnabled(True)
        self._ticker.start()
        self._show_elapsed()
        return True

    # -- ending ---------------------------------------------------------------------
    def _show_elapsed(self) -> None:
        self.elapsed_label.setText(f"Running… {self.process.elapsed_since_start():.1f} s")

    def _failed_to_start(self, message: str) -> None:
        self.start_problem = message
        self._ticker.stop()
        self.stop_action.setEnabled(False)
        self.elapsed_label.setText("")
        self.console.append_text(f"{message}\n")
        self.window.statusBar().showMessage(message, 15000)
        self.run_settled.emit()

    def _finished(self, record: RunRecord) -> None:
        self._ticker.stop()
        self.stop_action.setEnabled(False)
        self.elapsed_label.setText("")
        self.window.statusBar().showMessage(record.message, 15000)
        self.history_panel.show_script(record.script)
        if record.has_profile:
            tab = self.open_run(record)
            tab.ready.connect(self.run_settled.emit)
        else:
            self.history_dock.show()
            self.console_dock.raise_()
            self.run_settled.emit()

    def compare_runs(self, older: RunRecord, newer: RunRecord) -> None:
        """Compare two kept runs, the older as A."""
        # A failed or stopped run holds a partial profile: its title says so.
        self.window.open_diff(older.profile, newer.profile, (older.title, newer.title))

    def _in_progress(self, record: RunRecord) -> bool:
        going = self.process.record
        return self.process.running and going is not None and going.folder == record.folder

    def _open_requested(self, record: RunRecord) -> None:
        """Open a kept run from the History: its profile, or else what it printed."""
        if self._in_progress(record):
            self.window.statusBar().showMessage(
                f"{record.label} is still running: its profile comes when it ends.", 8000
            )
            return
        if record.has_profile:
            self.open_run(record)
            return
        printed = record.printed_tail()
        self.console.append_text(f"\n— {record.label}, kept —\n{printed}\n{record.message}\n")
        self.console_dock.show()
        self.console_dock.raise_()
        self.window.statusBar().showMessage(
            f"{record.label} wrote no profile; the Console shows what it printed.", 15000
        )

    def open_run(self, record: RunRecord):  # type: ignore[no-untyped-def]
        """Open a kept run's profile in a new tab, shown with the code it measured."""
        return self.window.open_paths([record.profile])[0]
