"""The console panel: what a run prints, as it prints it."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

#: Keep at most this many lines; a chatty script must not eat the memory.
MAX_LINES = 20_000


class RunConsole(QPlainTextEdit):
    """Read-only, monospace, follows the end while a run prints."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("runConsole")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Output of profiling runs appears here.")

    def append_text(self, text: str) -> None:
        """Add output at the end (without inserting extra line breaks)."""
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
