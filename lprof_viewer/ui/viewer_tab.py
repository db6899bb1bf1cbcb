"""What the window needs of every tab: to hear when it has loaded and when its status changed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class ViewerTab(QWidget):
    """A tab of the main window (a profile, a diff or a script), loaded in the background."""

    #: Loading ended, well or not (``error`` says which).
    ready = Signal()
    #: What the status bar shows for this tab changed.
    status_changed = Signal()
    #: A source line to open in the user's editor: (path, line).
    open_in_editor = Signal(object, int)

    is_ready = False

    def _finish(self) -> None:
        """Loading ended: say so to the window."""
        self.is_ready = True
        self.status_changed.emit()
        self.ready.emit()


def functions_shown(shown: int, total: int) -> str:
    """'12 functions', or '3 of 12 functions' while a filter hides some."""
    noun = "function" if total == 1 else "functions"
    return f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"
