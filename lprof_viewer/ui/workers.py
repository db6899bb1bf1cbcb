"""Slow work off the GUI thread: a QRunnable on the global pool with result/error signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from lprof_viewer.core.lprof_reader import ProfileLoadError


class TaskSignals(QObject):
    """What a :class:`BackgroundTask` reports back to the GUI thread."""

    result = Signal(object)
    error = Signal(str)


class BackgroundTask(QRunnable):
    """Runs ``function(*args)`` on a pool thread; emits ``result`` or a one-sentence ``error``."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        super().__init__()
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

    def start(self) -> TaskSignals:
        """Queue the task on the global pool; answer its signals to connect to."""
        QThreadPool.globalInstance().start(self)
        return self.signals
