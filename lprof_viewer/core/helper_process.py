"""Work shared with a forked helper process, its results sent back pickled.

A diff of two large profiles keeps one core busy for seconds, and starting
the window on a large profile keeps it busy for a second, while a laptop has
several. Where forking is safe, part of the work goes to a forked helper,
which starts with everything this process holds and sends its results back,
each message a pickle in an in-memory file of its own: the helper never waits
for this process to read (a pipe holds 64 KiB, a side of a large diff
megabytes). The pickles come from this program's own helper, never from a
file: a profile still never runs code.

Forking is safe on Linux from a process with one thread (and worth it with
a second core): the command line, and the window's start before Qt is
imported (``preload``). A running window
has several (it loads on pool threads), so it does all the work itself, as
does any system without ``fork``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.output_files import flush_standard_streams

#: What the helper is given to send its results with, one message per call.
Send = Callable[[object], None]


def can_fork() -> bool:
    """True where a forked helper can safely go on running Python, and gain something.

    That is Linux, a process of one thread, and a second core to run on
    (on one, the helper's work would only add the cost of sending it).
    Threads are counted by the system, not by ``threading``, which does not
    see those Qt or a library started.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "memfd_create"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


@contextlib.contextmanager
def forked_helper(work: Callable[[Send], None], messages: int) -> Iterator[Helper]:
    """Run ``work`` in a forked helper; within the block, receive the ``messages`` it sends.

    Call only where ``can_fork``. Leaving the block before every message came
    (an error, an interruption) kills the helper; it is always waited for.
    """
    helper = Helper(work, messages)
    try:
        yield helper
    finally:
        helper.finish()


def write_in_halves(
    count: int, text_of: Callable[[int], str], stream: TextIO, parallel_from: int
) -> None:
    """Write ``text_of(0)`` to ``text_of(count - 1)`` to ``stream``, in order.

    From ``parallel_from`` texts on, where it ``can_fork``, a helper makes the
    second half while this process writes the first; if the helper fails,
    this process makes them itself.
    """
    half = count // 2
    if count < parallel_from or not can_fork():
        for index in range(count):
            stream.write(text_of(index))
        return
    second_half = range(half, count)
    with forked_helper(lambda send: send("".join(map(text_of, second_half))), 1) as helper:
        for index in range(half):
            stream.write(text_of(index))
        written_by_helper = helper.receive()
    if isinstance(written_by_helper, str):
        stream.write(written_by_helper)
    else:
        for index in second_half:
            stream.write(text_of(index))


class Helper:
    """A forked process running ``work``, and the ``messages`` it sends back.

    Make one only where ``can_fork``. The helper exits as soon as ``work``
    returns or raises, without Python's clean-up (the buffers, temporary
    files and exit handlers are this process's).
    """

    def __init__(self, work: Callable[[Send], None], messages: int) -> None:
        self._results = HelperResults(messages)
        flush_standard_streams()  # nothing buffered may be written twice
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                _end_with(parent)
                _let_go_of_standard_streams()
                self._results.helper_side()
                work(self._results.send)
            finally:
                os._exit(0)
        self._results.parent_side()
        self._finished = False

    def receive(self) -> object:
        """The next message, once written; None when the helper ended before sending it."""
        return self._results.receive()

    def finish(self) -> None:
        """Once done with it: kill it unless every message came, and wait for it."""
        if self._finished:
            return
        self._finished = True
        if not self._results.all_received:
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
            os.waitpid(self.pid, 0)
        self._results.close()


#: prctl's option to have a signal sent to this process when its parent ends.
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """In the helper: be killed when ``parent`` ends, however it ends (even by SIGKILL).

    A helper left reading a file that never comes (a FIFO, a hung network
    share) would otherwise outlive the command, holding its terminal.
    """
    import ctypes  # the helper's alone: not on the command's own start

    with contextlib.suppress(OSError, AttributeError):  # no prctl: the helper ends by itself
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(0)


def _let_go_of_standard_streams() -> None:
    """In the helper: stdin, stdout and stderr to the null device.

    It writes nothing there, and a pipeline (``lprof-viewer diff a b | head``)
    waits for every holder of its pipe to let go.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        with contextlib.suppress(OSError):
            os.dup2(null, descriptor)
    os.close(null)


class HelperResults:
    """The helper's messages, each written whole to its in-memory file, then said with a byte."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._files = [os.memfd_create(f"lprof-viewer-helper-{k}") for k in range(count)]
        self._ready, self._say_ready = os.pipe()
        self._used = 0  # sent, in the helper; received, in this process

    @property
    def all_received(self) -> bool:
        """True once every message came."""
        return self._used == self.count

    def helper_side(self) -> None:
        """In the helper, once forked: it only writes."""
        os.close(self._ready)

    def parent_side(self) -> None:
        """In this process, once forked: it only reads; the pipe ends when the helper does."""
        os.close(self._say_ready)

    def send(self, message: object) -> None:
        """In the helper: the next message."""
        with open(self._files[self._used], "wb", closefd=False) as stream:
            pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._used += 1
        os.write(self._say_ready, b"\1")

    def receive(self) -> object:
        """The next message, once written; None when the helper ended before sending it."""
        if self.all_received or not os.read(self._ready, 1):
            return None
        file = self._files[self._used]
        self._used += 1
        os.lseek(file, 0, os.SEEK_SET)
        try:
            with open(file, "rb", closefd=False) as stream, collector_paused():
                return pickle.load(stream)
        except Exception:  # not expected of a whole pickle; the caller does the work itself
            return None

    def close(self) -> None:
        """In this process, once the helper has ended."""
        for descriptor in (*self._files, self._ready):
            os.close(descriptor)
