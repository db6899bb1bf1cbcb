"""Slow work off the GUI thread: a QRunnable on the global pool with result/error signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from lprof_viewer.core.lprof_reader import ProfileLoadError


class TaskSignals(QObject):
    """What a :class:`BackgroundTask` reports back to the GUI thread."""

    result = Signal(object)
    error = Signal(str)


class BackgroundTask(QRunnable):
    """Runs ``function(*args)`` on a pool thread; emits ``result`` or a one-sentence ``error``."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        # The pool must not delete the task after run(): its Python wrapper owns
        # ``signals``, and a queued result would be lost with it.
        self.setAutoDelete(False)
        self.signals = TaskSignals()
        self._function = function
        self._args = args

    def run(self) -> None:
        """Do the work (on a pool thread)."""
        try:
            value = self._function(*self._args)
        except ProfileLoadError as error:
            self.signals.error.emit(str(error))
        except Exception as error:
            self.signals.error.emit(f"Unexpected error: {type(error).__name__}: {error}")
        else:
            self.signals.result.emit(value)

    def start(self, on_result: Callable[[Any], None], on_error: Callable[[str], None]) -> None:
        """Connect the callbacks (run on the GUI thread), then queue the task on the global pool."""
        queued = Qt.ConnectionType.QueuedConnection
        self.signals.result.connect(on_result, queued)
        self.signals.error.connect(on_error, queued)
        QThreadPool.globalInstance().start(self)
