"""Slow work off the GUI thread: a QRunnable on the global pool with result/error signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from shiboken6 import isValid

from lprof_viewer.core.lprof_reader import ProfileLoadError


class TaskSignals(QObject):
    """What a :class:`BackgroundTask` reports back to the GUI thread."""

    result = Signal(object)
    error = Signal(str)


class Unreadable(Exception):
    """A file the task cannot use; its message is one sentence for the user."""


class BackgroundTask(QRunnable):
    """Runs ``function(*args)`` on a pool thread; emits ``result`` or a one-sentence ``error``.

    The answer goes to ``owner``'s callbacks only while ``owner`` lives: a tab
    closed while it loads is deleted before its answer arrives.
    """

    def __init__(self, owner: QObject, function: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self._owner = owner
        # The pool must not delete the task after run(): its Python wrapper owns
        # ``signals``, and a queued result would be lost with it.
        self.setAutoDelete(False)
        self.signals = TaskSignals()
        self._function = function
        self._args = args
        self._discarded = False

    def run(self) -> None:
        """Do the work (on a pool thread)."""
        try:
            value = self._function(*self._args)
        except (ProfileLoadError, Unreadable) as error:
            self.signals.error.emit(str(error))
        except Exception as error:
            self.signals.error.emit(f"Unexpected error: {type(error).__name__}: {error}")
        else:
            self.signals.result.emit(value)

    def start(self, on_result: Callable[[Any], None], on_error: Callable[[str], None]) -> None:
        """Connect the callbacks (run on the GUI thread), then queue the task on the global pool."""
        queued = Qt.ConnectionType.QueuedConnection

        # Checked on the GUI thread when the answer arrives, so a task discarded
        # meanwhile (a newer one replaced it, or its owner was closed) never
        # reaches its callbacks.
        def deliver_result(value: Any) -> None:
            if self._wanted():
                on_result(value)

        def deliver_error(text: str) -> None:
            if self._wanted():
                on_error(text)

        self.signals.result.connect(deliver_result, queued)
        self.signals.error.connect(deliver_error, queued)
        QThreadPool.globalInstance().start(self)

    def discard(self) -> None:
        """Drop this task's answer when it comes (call on the GUI thread)."""
        self._discarded = True

    def _wanted(self) -> bool:
        return not self._discarded and isValid(self._owner)


class LatestTask:
    """Background work for one purpose where only the newest answer counts.

    A reload started while an earlier one still runs replaces it: the older
    answer, however late, is dropped instead of overwriting the newer one.
    Answers go to ``owner`` (the widget the callbacks fill) only while it lives.
    """

    def __init__(self, owner: QObject) -> None:
        self._owner = owner
        self._task: BackgroundTask | None = None

    def start(
        self,
        on_result: Callable[[Any], None],
        on_error: Callable[[str], None],
        function: Callable[..., Any],
        *args: Any,
    ) -> None:
        """Run ``function(*args)`` in the background, replacing the task started before."""
        self.cancel()
        self._task = BackgroundTask(self._owner, function, *args)
        self._task.start(on_result, on_error)

    def cancel(self) -> None:
        """Drop the answer of the task started last (the work was done another way)."""
        if self._task is not None:
            self._task.discard()
            self._task = None
