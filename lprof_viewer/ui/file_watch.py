"""Watching a tab's profile files, so that a rewritten file can be offered for a reload;
what its banner says of that and of a reload that failed."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal

from lprof_viewer.ui.banner import MessageBanner


class WatchedFiles(QObject):
    """``changed`` (with the path) when one of ``paths`` is written or replaced.

    While held (``hold``: the tab is reading the files), a change is kept and
    said on ``release`` if the file is no longer as it was when held: the tab
    may have read it before it changed. (A change Qt tells of late, made
    before the reading began, was read.)
    """

    changed = Signal(str)

    def __init__(self, paths: Sequence[Path], parent: Any = None) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self._held: dict[str, tuple[int, int, int] | None] | None = None
        self._missed: str | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._file_changed)
        self.rewatch()

    def hold(self) -> None:
        """Keep changes until ``release``."""
        self._held = {str(path): _stamp(path) for path in self.paths}

    def release(self, say_missed: bool = True) -> None:
        """Say a change kept while held (unless not ``say_missed``); then say them as they come."""
        held, self._held = self._held or {}, None
        self.rewatch()  # a file made again while held
        missed, self._missed = self._missed, None
        if say_missed and missed is not None and _stamp(Path(missed)) != held.get(missed):
            self.changed.emit(missed)

    def rewatch(self) -> None:
        """Watch the files again: tools that replace a file drop it from the watch list.

        Only files it can watch: Qt warns on the terminal about the others.
        """
        watched = set(self._watcher.files())
        missing = [
            str(p)
            for p in self.paths
            if str(p) not in watched and p.is_file() and os.access(p, os.R_OK)
        ]
        if missing:
            self._watcher.addPaths(missing)

    def _file_changed(self, path: str) -> None:
        self.rewatch()
        if self._held is not None:
            self._missed = path
        else:
            self.changed.emit(path)


def offer_reload(banner: MessageBanner, path: str, reload: Callable[[], None]) -> None:
    """Say in ``banner`` that ``path`` changed on disk, with a Reload button."""
    banner.show_message(f"{Path(path).name} changed on disk.", "info", {"Reload": reload})


def say_reload_failed(banner: MessageBanner, message: str, reload: Callable[[], None]) -> None:
    """A reload failed: what is shown stays, ``banner`` says why and offers to try again."""
    banner.show_message(message, "error", {"Retry": reload})


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from the next: its time, size and inode."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino
