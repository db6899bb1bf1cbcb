"""Open a source file at a line in the user's editor."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices


def editor_arguments(command: str, path: Path, line: int) -> list[str]:
    """The editor command split into arguments, with ``{file}`` and ``{line}`` filled in.

    Raises ValueError for a command that does not split (a quote left open).
    """
    return [
        part.replace("{file}", str(path)).replace("{line}", str(line))
        for part in shlex.split(command)
    ]


def editor_command_problem(command: str) -> str | None:
    """One sentence when ``command`` cannot be read as a command line; None when it can."""
    try:
        shlex.split(command)
    except ValueError as error:
        return f"The editor command {command!r} cannot be read: {str(error).lower()}"
    return None


def open_in_editor(command: str, path: Path, line: int) -> str | None:
    """Start the editor (the desktop's handler when ``command`` is empty); None when started,
    else one sentence on why not."""
    if not command.strip():
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return None
        return (
            f"The desktop has no application to open {path.name} with (Settings > Editor Command)."
        )
    problem = editor_command_problem(command)
    if problem:
        return f"{problem.removesuffix('.')} (Settings > Editor Command)."
    program, *arguments = editor_arguments(command, path, line)
    if shutil.which(program) is None:
        return f"The editor {program} was not found (Settings > Editor Command)."
    started, _ = QProcess.startDetached(program, arguments)
    return None if started else f"The editor {program} could not be started for {path.name}."
