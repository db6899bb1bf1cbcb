"""What the app remembers between runs, kept with QSettings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from lprof_viewer.core.sources import SourceRoot

MAX_RECENT = 10
DEFAULT_EDITOR_COMMAND = ""  # empty: the desktop's default handler


def _key(script: Path) -> str:
    return hashlib.sha1(str(script.resolve()).encode("utf-8", "surrogateescape")).hexdigest()


class AppSettings:
    """Recent files, source-root mappings, editor command, unit and window layout."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()

    def _list(self, key: str) -> list[str]:
        value = self._settings.value(key, [])
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        return []

    @property
    def recent_files(self) -> list[Path]:
        """Recently opened files, newest first, those that still exist."""
        return [Path(p) for p in self._list("recentFiles") if Path(p).exists()]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` at the top of the recent files."""
        entry = str(path.resolve())
        files = [entry, *(p for p in self._list("recentFiles") if p != entry)]
        self._settings.setValue("recentFiles", files[:MAX_RECENT])

    @property
    def source_roots(self) -> list[SourceRoot]:
        """Source-root mappings the user made with "Locate source…"."""
        roots = []
        for text in self._list("sourceRoots"):
            try:
                roots.append(SourceRoot.parse(text))
            except ValueError:
                continue
        return roots

    def add_source_root(self, root: SourceRoot) -> None:
        """Remember a mapping, replacing any earlier one for the same original prefix."""
        kept = [r for r in self.source_roots if r.old != root.old]
        self._settings.setValue("sourceRoots", [f"{r.old}={r.new}" for r in [root, *kept]])

    @property
    def editor_command(self) -> str:
        """Command that opens a file at a line, with ``{file}`` and ``{line}``; '' for default."""
        return str(self._settings.value("editorCommand", DEFAULT_EDITOR_COMMAND) or "")

    @editor_command.setter
    def editor_command(self, command: str) -> None:
        self._settings.setValue("editorCommand", command)

    @property
    def unit(self) -> str:
        """The chosen time unit name."""
        return str(self._settings.value("unit", "auto") or "auto")

    @unit.setter
    def unit(self, name: str) -> None:
        self._settings.setValue("unit", name)

    def run_settings(self, script: Path) -> dict[str, object]:
        """What the run dialog last used for ``script`` (empty if never run)."""
        text = self._settings.value(f"runSettings/{_key(script)}", "")
        try:
            value = json.loads(str(text)) if text else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_run_settings(self, script: Path, values: dict[str, object]) -> None:
        """Remember the run dialog's fields for ``script``."""
        self._settings.setValue(f"runSettings/{_key(script)}", json.dumps(values))

    @property
    def last_script(self) -> Path | None:
        """The script run last (for Re-run after a restart)."""
        value = self._settings.value("lastScript", "")
        return Path(str(value)) if value else None

    @last_script.setter
    def last_script(self, script: Path) -> None:
        self._settings.setValue("lastScript", str(script))

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._settings.sync()

    def state(self, key: str) -> QByteArray | None:
        """A saved splitter or window state."""
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else None

    def set_state(self, key: str, value: QByteArray) -> None:
        """Save a splitter or window state."""
        self._settings.setValue(key, value)
