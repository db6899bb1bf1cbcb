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
    """``changed`` (with the path) when one of ``paths`` is written or replaced."""

    changed = Signal(str)

    def __init__(self, paths: Sequence[Path], parent: Any = None) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._file_changed)
        self.rewatch()

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
        self.changed.emit(path)


def offer_reload(banner: MessageBanner, path: str, reload: Callable[[], None]) -> None:
    """Say in ``banner`` that ``path`` changed on disk, with a Reload button."""
    banner.show_message(f"{Path(path).name} changed on disk.", "info", {"Reload": reload})


def say_reload_failed(banner: MessageBanner, message: str, reload: Callable[[], None]) -> None:
    """A reload failed: what is shown stays, ``banner`` says why and offers to try again."""
    banner.show_message(message, "error", {"Retry": reload})
