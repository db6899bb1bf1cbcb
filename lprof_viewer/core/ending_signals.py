"""SIGHUP and SIGTERM handled for the time of a headless command, as Ctrl+C is."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object]

#: A terminal closing, and ``kill`` (``timeout``, a cancelled CI job).
ENDING = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name))


@contextmanager
def ending_signals_handled(handler: Handler) -> Iterator[None]:
    """While inside, SIGHUP and SIGTERM call ``handler``, which may raise to unwind.

    A signal ignored when we started (SIGHUP under ``nohup``) stays ignored.
    Only the main thread may set handlers: elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    taken = [number for number in ENDING if signal.getsignal(number) is not signal.SIG_IGN]
    previous = {number: signal.signal(number, handler) for number in taken}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
