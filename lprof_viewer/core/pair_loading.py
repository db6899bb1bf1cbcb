"""Open two profiles to compare: read B's side in a second process while this one reads A's.

Reading a side (unpickling its profile, reading and scanning its source
files, finding every function's lines) is most of what a diff costs, and
the two sides share nothing. Where forking is safe, a forked helper reads
B's side and sends it back pickled: first the profile, which this process
matches with A's while the helper reads B's files, then what it found in
them. On a machine with two cores the pair takes little longer than one side.

Forking is safe on Linux from a process with one thread: the command line.
The window has several (it loads on a pool thread), so it reads both sides
one after the other. The pickles come from this program's own forked
process through a pipe, never from a file: a profile still never runs code.
If the helper fails in any way but a refused profile, this process reads
what is missing itself, so an unexpected error surfaces here as it would
have without the helper.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from lprof_viewer.core.annotate import FilesRead, ProfileAnnotator
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.diff import ProfileDiff
from lprof_viewer.core.lprof_reader import ProfileLoadError
from lprof_viewer.core.run_history import RunHistory, open_with_sources
from lprof_viewer.core.sources import SourceCache, SourceRoot


def open_pair_with_sources(
    path_a: Path, path_b: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> tuple[ProfileAnnotator, ProfileAnnotator]:
    """Two runs to compare, each with its own sources (or snapshot), one after the other.

    Files are read as functions are annotated, through one cache: two runs of
    the same script mostly name the same files, which are then read and
    scanned once.
    """
    cache = SourceCache()
    (annotator_a, _), (annotator_b, _) = (
        open_with_sources([path], roots, history, cache) for path in (path_a, path_b)
    )
    return annotator_a, annotator_b


def open_diff(
    path_a: Path,
    path_b: Path,
    roots: Sequence[SourceRoot],
    history: RunHistory | None,
    in_parallel: bool = True,
) -> ProfileDiff:
    """The diff of two runs, every function's source read; B's side in a helper if it can.

    A refused profile raises its :class:`ProfileLoadError`, A's when both are
    bad, as when they are read one after the other.
    """
    if not (in_parallel and can_fork()):
        diff = ProfileDiff(*open_pair_with_sources(path_a, path_b, roots, history))
        for annotator in diff.annotators:
            annotator.read_every_file()
        return diff
    messages = _Messages()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        stream.flush()
    pid = os.fork()
    if pid == 0:
        _send_side(messages, path_b, roots, history)
    messages.parent_side()
    complete = False
    try:
        annotator_a = _read_side(path_a, roots, history)
        annotator_b = messages.next()
        if isinstance(annotator_b, ProfileLoadError):
            raise annotator_b
        if not isinstance(annotator_b, ProfileAnnotator):  # the helper failed: read B here
            annotator_b = _read_side(path_b, roots, history)
        diff = ProfileDiff(annotator_a, annotator_b)  # while the helper reads B's files
        files_read = messages.next()
        if isinstance(files_read, FilesRead):
            annotator_b.adopt(files_read)
            complete = True
        else:
            annotator_b.read_every_file()
        return diff
    finally:
        if not complete:  # A was refused, the helper failed, or this process was interrupted
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
            os.waitpid(pid, 0)
        messages.close()


def can_fork() -> bool:
    """True where a forked process can safely go on running Python: Linux, one thread.

    Threads are counted by the system, not by ``threading``, which does not
    see those Qt or a library started.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "memfd_create"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _read_side(
    path: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> ProfileAnnotator:
    """One side of a diff: the profile with every function's source found and checked."""
    annotator, _ = open_with_sources([path], roots, history)
    with collector_paused():
        annotator.read_every_file()
    return annotator


def _send_side(
    messages: _Messages, path: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> NoReturn:
    """In the helper: send B's side, and exit.

    Exits without Python's clean-up: the parent's buffers, temporary files
    and exit handlers are its own.
    """
    try:
        messages.helper_side()
        try:
            annotator, _ = open_with_sources([path], roots, history)
        except ProfileLoadError as refused:
            messages.send(refused)
        else:
            messages.send(annotator)
            with collector_paused():
                annotator.read_every_file()
            messages.send(annotator.files_read())
    finally:
        os._exit(0)


class _Messages:
    """Pickles from the helper to this process, each in a file of its own in memory.

    The helper writes a message whole, then says so with a byte through a
    pipe: it never waits for this process to read, which a pipe alone (64 KiB)
    would make it do for the megabytes of a large profile's annotator.
    """

    COUNT = 2  # B's annotator (or its refusal), then what reading its files found

    def __init__(self) -> None:
        self._files = [os.memfd_create(f"lprof-viewer-diff-{k}") for k in range(self.COUNT)]
        self._ready, self._say_ready = os.pipe()
        self._sent = 0

    def helper_side(self) -> None:
        """In the helper, once forked: it only writes."""
        os.close(self._ready)

    def parent_side(self) -> None:
        """In this process, once forked: it only reads; the pipe ends when the helper does."""
        os.close(self._say_ready)

    def send(self, message: object) -> None:
        """In the helper: the next message."""
        with open(self._files[self._sent], "wb", closefd=False) as stream:
            pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._sent += 1
        os.write(self._say_ready, b"\1")

    def next(self) -> object:
        """The next message, when it is written; None when the helper sent no more."""
        if self._sent == self.COUNT or not os.read(self._ready, 1):
            return None  # the helper ended before writing it
        file = self._files[self._sent]
        self._sent += 1
        os.lseek(file, 0, os.SEEK_SET)
        try:
            with open(file, "rb", closefd=False) as stream, collector_paused():
                return pickle.load(stream)
        except Exception:  # not expected of a whole pickle, but then B is read here
            return None

    def close(self) -> None:
        """In this process, once the helper has ended."""
        for descriptor in (*self._files, self._ready):
            os.close(descriptor)
