"""The session ending from outside (the terminal closed, a ``kill``) closes the window in order."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSocketNotifier

#: Signals that end a session: a terminal closing, ``kill``, a desktop logging out,
#: and Ctrl+C in the terminal the window was started from.
_ENDING = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGTERM", "SIGINT") if hasattr(signal, name)
)


@contextmanager
def ending_signals_call(end: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGHUP, SIGTERM and SIGINT call ``end`` on the GUI thread, not kill us.

    Left to their default they end the process at once: a run from the
    window (a session of its own, which they do not reach) would go on
    unseen, and its record would never be kept. Python runs a signal handler
    only when Python code runs, which Qt's event loop may not do for long:
    the signal's number is written to a socket Qt watches (``set_wakeup_fd``).
    """
    if not _ENDING or not hasattr(signal, "set_wakeup_fd"):
        yield
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def woken() -> None:
        try:
            numbers = reader.recv(64)
        except BlockingIOError:
            return
        if any(number in _ENDING for number in numbers):
            end()

    notifier.activated.connect(woken)
    previous_fd = signal.set_wakeup_fd(writer.fileno())
    # A signal ignored when we started (SIGINT for 'lprof-viewer &') stays ignored.
    taken = [number for number in _ENDING if signal.getsignal(number) is not signal.SIG_IGN]
    previous = {number: signal.signal(number, lambda *_: None) for number in taken}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()
