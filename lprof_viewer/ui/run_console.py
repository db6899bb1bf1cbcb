"""The console panel: what a run prints, as it prints it."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

#: Keep at most this many lines; a chatty script must not eat the memory.
MAX_LINES = 20_000
#: Show at most this much of one line: laying out a line of 150,000 characters
#: takes Qt long enough to freeze the window, and nobody reads that far in.
MAX_LINE_CHARS = 5_000
#: Said where a line is cut (the run's console.txt keeps it whole).
CUT = " … [cut here; the run's console.txt in the History keeps the whole line]"


class RunConsole(QPlainTextEdit):
    """Read-only, monospace, follows the end while a run prints.

    A carriage return starts its line again, as in a terminal, so a progress
    bar redrawn in place stays one line.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("runConsole")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Output of profiling runs appears here.")
        self._line_length = 0  # characters shown of the last line
        self._held_return = False  # a '\r' that may be the first half of '\r\n'

    def append_text(self, text: str) -> None:
        """Add output at the end (without inserting extra line breaks)."""
        if self._held_return:
            text = "\r" + text
        self._held_return = text.endswith("\r")
        if self._held_return:
            text = text[:-1]
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        for index, piece in enumerate(text.replace("\r\n", "\n").split("\r")):
            if index:  # a carriage return: the line is written anew
                cursor.movePosition(
                    QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor
                )
                cursor.removeSelectedText()
                self._line_length = 0
            cursor.insertText(self._clipped(piece))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _clipped(self, text: str) -> str:
        """``text`` with each line cut at ``MAX_LINE_CHARS``, counting what is shown already."""
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index:
                self._line_length = 0
            room = MAX_LINE_CHARS - self._line_length
            if len(line) > room:
                lines[index] = line[: max(room, 0)] + (CUT if room >= 0 else "")
                self._line_length = MAX_LINE_CHARS + 1  # cut: the rest of the line is dropped
            else:
                self._line_length += len(line)
        return "\n".join(lines)
