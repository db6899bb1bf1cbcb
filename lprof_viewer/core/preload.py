"""Profiles named on the command line, read by a helper process while the window starts.

Starting the window (importing Qt and the viewer, making the window) keeps
one core busy for a few tenths of a second; reading a large profile takes as
long, and waited until the window was up. Where forking is safe
(``helper_process``), the command line forks a helper before it imports Qt,
to read the profiles it names, each alone as a tab opens it; the tab takes
the profile the helper read. Each is taken once (a reload reads the file
again), and only if the file has not changed since the helper was started.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lprof_viewer.core.helper_process import Helper, Send, can_fork
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_profiles
from lprof_viewer.core.model import Profile

_Stamp = tuple[int, int] | None  # a file's size and modification time, None when it has none


@dataclass
class _Preload:
    helper: Helper
    paths: list[Path]
    """What the helper reads, in its order."""
    stamps: list[_Stamp]
    """Each file as it was when the helper was started."""
    taken: list[bool]
    """Whether each was taken (the same file twice on the command line is two tabs)."""
    received: list[object] = field(default_factory=list)
    """What the helper sent for the first paths, taken ones replaced by None."""


_lock = threading.Lock()  # tabs load on pool threads
_preload: _Preload | None = None


def preload_profiles(paths: Sequence[Path]) -> None:
    """Start reading ``paths`` (each alone) in a helper, where one can be forked; else nothing."""
    global _preload
    paths = list(paths)
    if not paths or not can_fork():
        return
    stamps = [_stamp(path) for path in paths]
    with _lock:
        _cancel_locked()
        helper = Helper(lambda send: _read_each(send, paths), len(paths))
        _preload = _Preload(helper, paths, stamps, [False] * len(paths))


def take_preloaded(paths: Sequence[Path]) -> Profile | None:
    """The profile the helper read for one file, once; None when it has none to give.

    None: more than one file (a merge), a file not preloaded or already
    taken, a file changed since, or a helper that failed. Then read the file.
    A profile the helper found refused raises its :class:`ProfileLoadError`,
    the sentence reading it here would give.
    """
    if len(paths) != 1:
        return None
    with _lock:
        preload = _preload
        if preload is None:
            return None
        rows = zip(preload.paths, preload.taken, strict=True)
        position = next(
            (k for k, (path, taken) in enumerate(rows) if path == paths[0] and not taken), None
        )
        if position is None:  # not preloaded, or taken (a reload reads the file afresh)
            return None
        while len(preload.received) <= position:  # the helper sends in order
            preload.received.append(preload.helper.receive())
        found = preload.received[position]
        preload.received[position] = None
        preload.taken[position] = True
        if len(preload.received) == len(preload.paths):
            preload.helper.finish()
    if found is None or _stamp(paths[0]) != preload.stamps[position]:
        return None
    if isinstance(found, ProfileLoadError):
        raise found
    return found if isinstance(found, Profile) else None


def cancel_preload() -> None:
    """Stop the helper: the files went to a window already running."""
    with _lock:
        _cancel_locked()


def _cancel_locked() -> None:
    global _preload
    if _preload is not None:
        _preload.helper.finish()
        _preload = None


def _read_each(send: Send, paths: Sequence[Path]) -> None:
    """In the helper: each profile, or why it was refused, in order."""
    for path in paths:
        try:
            profile: object = load_profiles([path])
        except ProfileLoadError as refused:
            profile = refused
        send(profile)


def _stamp(path: Path) -> _Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns
