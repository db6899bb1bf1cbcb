"""Open a source file at a line in the user's editor."""

from __future__ import annotations

import shlex
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices


def editor_arguments(command: str, path: Path, line: int) -> list[str]:
    """The editor command split into arguments, with ``{file}`` and ``{line}`` filled in."""
    return [
        part.replace("{file}", str(path)).replace("{line}", str(line))
        for part in shlex.split(command)
    ]


def open_in_editor(command: str, path: Path, line: int) -> bool:
    """Start the editor (or the desktop's handler when ``command`` is empty); True if started."""
    if not command.strip():
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    program, *arguments = editor_arguments(command, path, line)
    started, _ = QProcess.startDetached(program, arguments)
    return bool(started)
