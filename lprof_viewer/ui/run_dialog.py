"""The Run Script dialog: interpreter, folder, arguments, environment and extra -p targets."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from lprof_viewer.core.kernprof_command import (
    RunConfig,
    find_interpreter,
    format_env,
    parse_env,
    quoted,
)
from lprof_viewer.ui.row_shading import color_is_dark


def _with_browse(edit: QLineEdit, browse: Any) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton("Browse…")
    button.clicked.connect(browse)
    layout.addWidget(button)
    return row


class RunDialog(QDialog):
    """Edits a :class:`RunConfig`; shows the exact command it will run."""

    def __init__(self, config: RunConfig, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Run {config.script.name} with kernprof")
        self.setObjectName("runDialog")
        self.script = QLineEdit(str(config.script))
        self.python = QLineEdit(str(config.python))
        self.cwd = QLineEdit(str(config.cwd))
        self.args = QLineEdit(quoted(config.args))
        self.prof_mods = QLineEdit(", ".join(config.prof_mods))
        self.prof_mods.setPlaceholderText("extra -p targets, e.g. myapp.views, myapp.models")
        self.env = QPlainTextEdit(format_env(config.env))
        self.env.setTabChangesFocus(True)  # Tab moves on to Run, as in every other field
        self.env.setPlaceholderText("KEY=VALUE per line, e.g. DJANGO_SETTINGS_MODULE=site.settings")
        self.env.setFixedHeight(80)
        self.command = QLabel()
        self.command.setObjectName("runCommand")
        self.command.setWordWrap(True)
        self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setObjectName("runProblem")
        self.problem.setWordWrap(True)
        window = self.palette().color(QPalette.ColorRole.Window)
        dark = color_is_dark(window)
        self.problem.setStyleSheet(f"color: {'#ff8a80' if dark else '#b00020'};")  # legible red
        form = QFormLayout(self)
        form.addRow("Script", _with_browse(self.script, self._browse_script))
        form.addRow("Python", _with_browse(self.python, self._browse_python))
        form.addRow("Working folder", _with_browse(self.cwd, self._browse_cwd))
        form.addRow("Arguments", self.args)
        form.addRow("Environment", self.env)
        form.addRow("Also profile (-p)", self.prof_mods)
        form.addRow("Command", self.command)
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.run_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.run_button.setText("Run")
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in (self.script, self.python, self.cwd, self.args, self.prof_mods):
            edit.textChanged.connect(self._refresh)
        self.env.textChanged.connect(self._refresh)
        self.resize(640, 0)
        self._refresh()

    def config(self) -> RunConfig:
        """The run as filled in (raises ValueError for an empty field, unreadable arguments
        or environment)."""
        fields = (
            (self.script, "Choose the script to run."),
            (self.python, "Name the Python interpreter to run it with."),
            (self.cwd, "Choose the folder to run it in."),
        )
        for edit, ask in fields:
            if not edit.text().strip():  # Path("") would be the app's own folder
                raise ValueError(ask)
        config = RunConfig(
            Path(self.script.text().strip()).expanduser(),
            Path(self.python.text().strip()).expanduser(),
            Path(self.cwd.text().strip()).expanduser(),
            _arguments(self.args.text()),
            parse_env(self.env.toPlainText()),
            [m.strip() for m in self.prof_mods.text().split(",") if m.strip()],
        )
        # python3 by name on the run's PATH; ./python3 is a path.
        config.python = find_interpreter(self.python.text().strip(), config.environment())
        return config

    def _refresh(self) -> None:
        try:
            config = self.config()
        except ValueError as error:
            self.command.setText("")
            self._say_problem(str(error))
            return
        self.command.setText(quoted(config.command(Path(f"{config.script.name}.lprof"))))
        self._say_problem(config.problem() or "")

    def _say_problem(self, text: str) -> None:
        """One sentence on what keeps the run from starting; Run waits until there is none."""
        self.problem.setText(text if not text or text.endswith(".") else f"{text}.")
        self.run_button.setEnabled(not text)

    def _accept_if_valid(self) -> None:
        self._refresh()
        if not self.problem.text():
            self.accept()

    def _browse_script(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Script to profile", "", "Python (*.py)")
        if name:
            self.script.setText(name)

    def _browse_python(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Python interpreter")
        if name:
            self.python.setText(name)

    def _browse_cwd(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Working folder")
        if name:
            self.cwd.setText(name)


def _arguments(text: str) -> list[str]:
    """The script's arguments, split as a shell splits them (ValueError naming the field)."""
    try:
        return shlex.split(text)
    except ValueError as error:  # "No closing quotation"
        raise ValueError(f"Arguments: {error}") from None


def config_to_settings(config: RunConfig) -> dict[str, object]:
    """What to remember of a run for its script."""
    return {
        "python": str(config.python),
        "cwd": str(config.cwd),
        "args": list(config.args),
        "env": dict(config.env),
        "prof_mods": list(config.prof_mods),
    }


def config_from_settings(script: Path, values: dict[str, object]) -> RunConfig:
    """A script's remembered run settings over the defaults."""
    config = RunConfig.for_script(script)
    if isinstance(values.get("python"), str):
        config.python = Path(str(values["python"]))
    if isinstance(values.get("cwd"), str):
        config.cwd = Path(str(values["cwd"]))
    args, env, mods = values.get("args"), values.get("env"), values.get("prof_mods")
    if isinstance(args, list):
        config.args = [str(a) for a in args]
    if isinstance(env, dict):
        config.env = {str(k): str(v) for k, v in env.items()}
    if isinstance(mods, list):
        config.prof_mods = [str(m) for m in mods]
    return config
