"""Profiles named on the command line, read by helper processes while the window starts.

Starting the window (importing Qt and the viewer, making the window) keeps
one core busy for a few tenths of a second; reading a large profile takes as
long, and waited until the window was up. Where forking is safe
(``helper_process``), the command line forks a helper per profile it names
(the first few) before it imports Qt, and the tab that opens the file takes
the profile its helper read: each tab waits for its own file only, as when
it reads it itself. A profile is taken once (a reload reads the file again),
and only if the file is the one there when its helper started.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from lprof_viewer.core.helper_process import Helper, Send, can_fork
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_profiles
from lprof_viewer.core.model import Profile

#: Files read ahead, at most: each is a process, and a machine has a few cores.
MAX_PRELOADED = 4

#: A file's size, modification and change times and inode; None when there is none.
_Stamp = tuple[int, int, int, int] | None


@dataclass
class _Preloaded:
    path: Path
    stamp: _Stamp
    """The file as it was when its helper was started."""
    helper: Helper
    taken: bool = False


_lock = threading.Lock()  # tabs load on pool threads
_preloaded: list[_Preloaded] = []


def preload_profiles(paths: Sequence[Path]) -> None:
    """Start reading the first ``MAX_PRELOADED`` of ``paths``, each in a helper, where it can."""
    if not paths or not can_fork():
        return
    # Regular files alone: a FIFO's writer would have to write it twice (its
    # times change as it is read), and there is nothing to gain on a missing file.
    files = [path for path in paths if path.is_file()]
    with _lock:
        _cancel_locked()
        for path in files[:MAX_PRELOADED]:
            stamp = _stamp(path)
            helper = Helper(partial(_read, path=path), 1)
            _preloaded.append(_Preloaded(path, stamp, helper))


def take_preloaded(paths: Sequence[Path]) -> Profile | None:
    """The profile a helper read for one file, once; None when there is none to give.

    None: more than one file (a merge), a file not preloaded or already
    taken, a file changed since, or a helper that failed. Then read the file.
    A profile the helper found refused raises its :class:`ProfileLoadError`,
    the sentence reading it here would give.
    """
    if len(paths) != 1:
        return None
    with _lock:
        entry = next((e for e in _preloaded if e.path == paths[0] and not e.taken), None)
        if entry is None:  # not preloaded, or taken already (a reload reads the file afresh)
            return None
        entry.taken = True
    found = entry.helper.receive()  # this file's helper alone: other tabs do not wait for it
    entry.helper.finish()
    if found is None or _stamp(paths[0]) != entry.stamp:
        return None
    if isinstance(found, ProfileLoadError):
        raise found
    return found if isinstance(found, Profile) else None


def cancel_preload() -> None:
    """Stop the helpers not taken from: the files went to a window already running."""
    with _lock:
        _cancel_locked()


def _cancel_locked() -> None:
    for entry in _preloaded:
        if not entry.taken:  # a taken one is its tab's to finish
            entry.helper.finish()
    _preloaded.clear()


def _read(send: Send, path: Path) -> None:
    """In a helper: the profile, or why it was refused."""
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
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino
