"""The main window: tabs of open profiles and scripts, menus, toolbar and status bar."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from lprof_viewer.assets import demo_profile
from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.model import TOTAL_MEANS
from lprof_viewer.core.run_history import RunHistory, default_history_root
from lprof_viewer.core.sources import SourceRoot, shown_name, told_apart
from lprof_viewer.core.units import UNIT_CHOICES, TimeUnit
from lprof_viewer.ui.diff_tab import DiffTab
from lprof_viewer.ui.editor import editor_command_problem, open_in_editor
from lprof_viewer.ui.profile_tab import ProfileTab
from lprof_viewer.ui.run_controller import RunController
from lprof_viewer.ui.script_tab import ScriptTab
from lprof_viewer.ui.settings import AppSettings
from lprof_viewer.ui.welcome import WelcomePage

Tab = ProfileTab | ScriptTab | DiffTab
TabT = TypeVar("TabT", bound=Tab)
OPEN_FILTER = "Profiles and scripts (*.lprof *.py);;Profiles (*.lprof);;Python scripts (*.py)"


class MainWindow(QMainWindow):
    """Opens profiles in tabs; the welcome page shows when none is open."""

    #: Emitted when every open tab has finished loading.
    all_ready = Signal()

    def __init__(
        self,
        settings: AppSettings | None = None,
        extra_roots: Iterable[SourceRoot] = (),
        history: RunHistory | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("lprof-viewer")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.settings = settings or AppSettings()
        self.extra_roots = list(extra_roots)
        self.history = history or RunHistory(default_history_root())
        self.unit = TimeUnit(self.settings.unit if self.settings.unit in UNIT_CHOICES else "auto")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("profileTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._update_status)
        self.welcome = WelcomePage(self.open_dialog, self.open_demo, self.open_path)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.runs = RunController(self, self.history)
        self._closing_after_run = False
        self._ending = False
        self._build_actions()
        self._build_status_bar()
        self._update_status()
        self._refresh_recent()
        state = self.settings.state("windowGeometry")
        if state is not None:
            self.restoreGeometry(state)

    # -- building ------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.reload_action = self._action("&Reload", self.reload_current, "Ctrl+R")
        self.close_action = self._action("&Close Tab", self.close_current, "Ctrl+W")
        self.demo_action = self._action("Open &Demo Profile", self.open_demo)
        self.compare_action = self._action("&Compare Two Profiles…", self.compare_dialog)
        self.find_action = self._action("&Find Function", self.focus_filter, "Ctrl+F")
        self.editor_action = self._action("&Editor Command…", self.ask_editor_command)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        for action in (self.compare_action, self.reload_action, self.close_action):
            file_menu.addAction(action)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = menu_bar.addMenu("&Run")
        for action in (self.runs.run_action, self.runs.rerun_action, self.runs.stop_action):
            run_menu.addAction(action)
        run_menu.addSeparator()
        run_menu.addAction(self.runs.console_dock.toggleViewAction())
        run_menu.addAction(self.runs.history_dock.toggleViewAction())
        view_menu = menu_bar.addMenu("&View")
        view_menu.addAction(self.find_action)
        unit_menu = view_menu.addMenu("Time &Unit")
        self.unit_actions = QActionGroup(self)
        for name in UNIT_CHOICES:
            action = unit_menu.addAction(TimeUnit(name).label)  # as the toolbar's box says
            action.setCheckable(True)
            action.setChecked(name == self.unit.name)
            action.setData(name)
            self.unit_actions.addAction(action)
        self.unit_actions.triggered.connect(lambda action: self.set_unit(action.data()))
        menu_bar.addMenu("&Settings").addAction(self.editor_action)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.reload_action)
        toolbar.addSeparator()
        for action in (self.runs.run_action, self.runs.rerun_action, self.runs.stop_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Unit: "))
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("unitChoice")
        for name in UNIT_CHOICES:
            self.unit_combo.addItem(TimeUnit(name).label, name)
        self.unit_combo.setCurrentIndex(UNIT_CHOICES.index(self.unit.name))
        self.unit_combo.currentIndexChanged.connect(
            lambda i: self.set_unit(self.unit_combo.itemData(i))
        )
        toolbar.addWidget(self.unit_combo)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        # Normal, not permanent, widgets: a message (the editor would not
        # start, a run ended) hides them while it shows; permanent ones would
        # leave it no room to be drawn.
        self.status_labels = [QLabel() for _ in range(4)]
        for index, label in enumerate(self.status_labels):
            label.setObjectName(f"status{index}")
            self.statusBar().addWidget(label, 1 if index == 0 else 0)

    # -- opening ---------------------------------------------------------------------
    def open_dialog(self) -> None:
        """File > Open: pick one or more files."""
        names, _ = QFileDialog.getOpenFileNames(self, "Open profiles or scripts", "", OPEN_FILTER)
        self.open_paths([Path(n) for n in names])

    def open_demo(self) -> None:
        """Open the bundled demo profile."""
        self.open_paths([demo_profile()])

    def open_paths(self, paths: Iterable[Path]) -> list[Tab]:
        """Open each file in its own tab (scripts as scripts); answer the new tabs."""
        return [self._add_tab(self._make_tab(Path(path)), str(path)) for path in paths]

    def compare_dialog(self) -> None:
        """File > Compare: pick the run before (A), then the run after (B)."""
        first, _ = QFileDialog.getOpenFileName(self, "Run A (before)", "", "Profiles (*.lprof)")
        if not first:
            return
        second, _ = QFileDialog.getOpenFileName(self, "Run B (after)", "", "Profiles (*.lprof)")
        if second:
            self.open_diff(Path(first), Path(second))

    def open_diff(
        self, path_a: Path, path_b: Path, labels: tuple[str, str] | None = None
    ) -> DiffTab:
        """Compare two profiles in a new tab."""
        tab = DiffTab(path_a, path_b, self.roots, self.unit, self.history, labels)
        return self._add_tab(tab, f"A: {path_a}\nB: {path_b}")

    def _add_tab(self, tab: TabT, tooltip: str) -> TabT:
        """Show ``tab`` in front, listening to it like every tab."""
        tab.ready.connect(self._tab_ready)
        tab.status_changed.connect(self._update_status)
        tab.open_in_editor.connect(self._open_in_editor)
        index = self.tabs.addTab(tab, shown_name(tab.title))
        self.tabs.setTabToolTip(index, tooltip)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        return tab

    def open_path(self, path: Path) -> None:
        """Open one file in a new tab."""
        self.open_paths([path])

    def _open_recent_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_path(Path(action.data()))

    def _make_tab(self, path: Path) -> Tab:
        if path.suffix == ".py":
            self.runs.history_panel.show_script(path.resolve())
            return ScriptTab(path)
        return self._make_profile_tab([path])

    def _make_profile_tab(self, paths: list[Path]) -> ProfileTab:
        tab = ProfileTab(paths, self.roots, self.unit, self.history)
        tab.source_root_added.connect(self._remember_root)
        state = self.settings.state("splitter")
        if state is not None:
            tab.splitter.restoreState(state)

        def remember_splitter(*_: object) -> None:
            self.settings.set_state("splitter", tab.splitter.saveState())

        tab.splitter.splitterMoved.connect(remember_splitter)
        return tab

    @property
    def roots(self) -> list[SourceRoot]:
        """Source roots from the command line, then those the user located."""
        return [*self.extra_roots, *self.settings.source_roots]

    def _remember_root(self, root: SourceRoot) -> None:
        self.settings.add_source_root(root)
        for tab in self.open_tabs():
            if isinstance(tab, ProfileTab):
                tab.set_roots(self.roots)

    def _refresh_recent(self) -> None:
        recent = [(path, self._recent_name(path)) for path in self.settings.recent_files]
        self.recent_menu.clear()
        for path, name in recent:
            action = self.recent_menu.addAction(name)
            action.setData(str(path))
            action.setToolTip(str(path))
            action.triggered.connect(self._open_recent_action)
        self.recent_menu.setEnabled(bool(recent))
        self.welcome.set_recent(recent)

    def _recent_name(self, path: Path) -> str:
        """The path; for a kept run's profile, the run ('busy.py 21:58:51, kept run')."""
        history = self.history
        if path.name == "profile.lprof" and history.keeps(path):
            run = history.load(path.parent)
            if run is not None:
                return f"{run.label}, kept run"
        return str(path)

    # -- tabs ----------------------------------------------------------------------------
    def open_tabs(self) -> list[Tab]:
        """Every open tab, left to right."""
        return [self.tabs.widget(i) for i in range(self.tabs.count())]  # type: ignore[misc]

    def current_tab(self) -> Tab | None:
        """The tab in front."""
        widget: QWidget | None = self.tabs.currentWidget()
        return widget if isinstance(widget, ProfileTab | ScriptTab | DiffTab) else None

    def close_tab(self, index: int) -> None:
        """Close one tab; the welcome page returns when none is left."""
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if widget is not None:
            widget.deleteLater()
        if not self.tabs.count():
            self.stack.setCurrentWidget(self.welcome)
        self._update_status()

    def close_current(self) -> None:
        """Close the tab in front."""
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def reload_current(self) -> None:
        """Reload the tab in front from disk."""
        tab = self.current_tab()
        if tab is not None:
            tab.reload()

    def focus_filter(self) -> None:
        """Ctrl+F: the current tab's filter box."""
        tab = self.current_tab()
        if tab is not None:
            tab.focus_filter()

    def set_unit(self, name: str) -> None:
        """Show times in the unit called ``name`` everywhere."""
        self.unit = TimeUnit(name)
        self.settings.unit = name
        self.unit_combo.blockSignals(True)
        self.unit_combo.setCurrentIndex(UNIT_CHOICES.index(name))
        self.unit_combo.blockSignals(False)
        for action in self.unit_actions.actions():
            action.setChecked(action.data() == name)
        for tab in self.open_tabs():
            tab.set_unit(self.unit)

    def _tab_ready(self) -> None:
        tab = self.sender()
        # Only files that opened well are worth offering again.
        if isinstance(tab, ProfileTab | ScriptTab) and tab.error is None and len(tab.paths) == 1:
            self.settings.add_recent(tab.paths[0])
            self._refresh_recent()
        self._update_status()
        if all(tab.is_ready for tab in self.open_tabs()):
            self.all_ready.emit()

    def _update_status(self, *_: object) -> None:
        tab = self.current_tab()
        for action in (self.reload_action, self.close_action, self.find_action):
            action.setEnabled(tab is not None)  # nothing to reload, close or filter
        parts = tab.status_parts() if tab else ["No profile open"]
        for label, text in zip(self.status_labels, [*parts, "", "", ""], strict=False):
            label.setText(shown_name(text))
        self.status_labels[1].setToolTip(TOTAL_MEANS if tab else "")
        self._retitle_tabs()

    def _retitle_tabs(self) -> None:
        """Each tab's title; files of one name in other folders named with their folders."""
        tabs = self.open_tabs()
        titles = [tab.title for tab in tabs]
        for title in {title for title in titles if titles.count(title) > 1}:
            alike = [
                i
                for i, tab in enumerate(tabs)
                if titles[i] == title and len(tab.paths) == 1 and title == tab.paths[0].name
            ]
            for i, name in zip(alike, told_apart([tabs[i].paths[0] for i in alike]), strict=True):
                titles[i] = name
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, shown_name(title))

    def ask_editor_command(self) -> None:
        """Settings > Editor Command: how to open a file at a line."""
        command, accepted = QInputDialog.getText(
            self,
            "Editor command",
            "Command to open a source line, with {file} and {line} "
            "(e.g. code -g {file}:{line}); empty for the desktop's default:",
            text=self.settings.editor_command,
        )
        if not accepted:
            return
        problem = editor_command_problem(command)
        if problem:  # kept as it was: this one could never start
            self.statusBar().showMessage(f"{problem.removesuffix('.')}; it was not saved.", 8000)
        else:
            self.settings.editor_command = command

    def _open_in_editor(self, path: Path, line: int) -> None:
        problem = open_in_editor(self.settings.editor_command, path, line)
        if problem:
            self.statusBar().showMessage(problem, 8000)
        elif self.history.keeps(path):
            # The user's own file is gone: edits here would change the History, not it.
            self.statusBar().showMessage(
                f"{path.name} is no longer where the run found it: the editor shows the "
                "run's copy of the code it measured.",
                15000,
            )

    # -- drag and drop ---------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept dragged files."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open dropped files, each in its own tab."""
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_paths(paths)
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop a run that is going (asked first), remember the window's size and place."""
        process = self.runs.process
        if process.running:
            event.ignore()
            if self._closing_after_run:  # stopping already: closes once the run is kept
                return
            if self._ending or self._agree_to_stop(process.config):
                # As Stop does: the profile so far and the run's record are kept, then close.
                self._closing_after_run = True
                self.runs.run_settled.connect(self.close)
                process.stop()
            return
        self.settings.set_state("windowGeometry", self.saveGeometry())
        super().closeEvent(event)

    def end(self) -> None:
        """Close as the session ends (the terminal closed, a ``kill``): a run is stopped unasked.

        Its profile so far and its record are kept, as Stop keeps them, before the
        window closes; nobody may be there to answer a question.
        """
        self._ending = True
        self.close()

    def _agree_to_stop(self, config: RunConfig | None) -> bool:
        name = config.script.name if config else "A script"
        answer = QMessageBox.question(
            self,
            "A run is going",
            f"{name} is still running. Stop it and quit? The profile of what ran so far "
            "is kept, as Stop keeps it.",
        )
        return answer == QMessageBox.StandardButton.Yes
