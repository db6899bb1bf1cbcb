"""An opened profiling script: its source and what it marks for kernprof."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pygments.token import _TokenType
from PySide6.QtCore import QFileSystemWatcher
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QLabel, QListWidget, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from lprof_viewer.core.highlight import tokenize_lines
from lprof_viewer.core.script_scan import ScriptInfo, scan_script
from lprof_viewer.core.token_styles import DARK, LIGHT, Format, token_format
from lprof_viewer.ui.row_shading import color_is_dark
from lprof_viewer.ui.viewer_tab import ViewerTab
from lprof_viewer.ui.workers import LatestTask, Unreadable


def read_script(path: Path, dark: bool) -> tuple[ScriptInfo, str]:
    """The script's targets and its highlighted HTML (on a pool thread).

    Parsing and highlighting a long module takes seconds: not on the GUI thread.
    """
    try:
        info = scan_script(path)
    except OSError as error:
        raise Unreadable(f"{path.name} cannot be read: {error.strerror or error}.") from None
    return info, highlighted_html(info.source.lines, DARK if dark else LIGHT)


def highlighted_html(lines: Sequence[str], styles: dict[_TokenType, Format]) -> str:
    """Lines in the source tables' colours, each after its number in a gutter of its own.

    Qt's rich text ignores the CSS padding Pygments' inline line numbers rely
    on (they ran into the code: "1import sys"), so the numbers are padded
    with spaces, in a grey that reads on light and dark.
    """
    width = len(str(len(lines)))
    rows = []
    for number, tokens in enumerate(tokenize_lines(lines), start=1):
        code = "".join(_span(text, token_format(styles, kind)) for kind, text in tokens)
        rows.append(f"<span style='color:#8c8c8c'>{number:>{width}}  </span>{code}")
    return "<pre style='margin:0'>" + "\n".join(rows) + "</pre>"


def _span(text: str, style: Format) -> str:
    color, bold, italic = style
    css = (
        (f"color:#{color};" if color else "")
        + ("font-weight:bold;" if bold else "")
        + ("font-style:italic;" if italic else "")
    )
    escaped = html.escape(text, quote=False)
    return f"<span style='{css}'>{escaped}</span>" if css else escaped


class ScriptTab(ViewerTab):
    """Shows a ``.py`` script and the functions it profiles, ready to be run."""

    def __init__(self, path: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self._reader = LatestTask(self)
        self.paths = [path]
        self.path = path
        self.error: str | None = None
        self.info: ScriptInfo | None = None
        self.targets = QListWidget()
        self.targets.setObjectName("profileTargets")
        self.source = QTextBrowser()
        self.source.setObjectName("scriptSource")
        self.source.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setContentsMargins(4, 2, 4, 2)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.targets)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.source)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        # The script is what the developer edits between runs: the tab follows it.
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._changed_on_disk)
        # Its folder too: an editor or a checkout may remove the file and write it anew.
        self._watcher.directoryChanged.connect(self._folder_changed)
        if path.parent.is_dir():
            self._watcher.addPath(str(path.parent))
        self.reload()

    @property
    def title(self) -> str:
        """The tab's title."""
        return self.path.name

    def _changed_on_disk(self, _path: str) -> None:
        self.reload()

    def _folder_changed(self, _path: str) -> None:
        """The script came back (or first appeared) after being missing: read it."""
        if self.error is not None and self.path.is_file():
            self.reload()

    def _watch(self) -> None:
        """Watch the script again: editors that save by replacing it drop it from the list."""
        watched = str(self.path) in self._watcher.files()
        if not watched and self.path.is_file() and os.access(self.path, os.R_OK):
            self._watcher.addPath(str(self.path))

    def reload(self) -> None:
        """Read the script again, in the background."""
        self.is_ready = False
        base = self.source.palette().color(QPalette.ColorRole.Base)
        dark = color_is_dark(base)
        self._reader.start(self._read, self._failed, read_script, self.path, dark)

    def _read(self, read: tuple[ScriptInfo, str]) -> None:
        self._watch()
        self.info, page = read
        self.error = None
        self._show(self.info, page)
        self._finish()

    def _failed(self, message: str) -> None:
        self._watch()
        self.error = message
        self.summary.setText(message)
        self._finish()

    def _show(self, info: ScriptInfo, page: str) -> None:
        self.targets.clear()
        for target in info.targets:
            self.targets.addItem(f"{target.name}  (line {target.lineno}, {target.how})")
        count = len(info.targets)
        if info.syntax_error:
            self.summary.setText(f"Syntax error: {info.syntax_error}")
        elif count:
            self.summary.setText(f"{self.path.name} marks {count} function(s) for profiling:")
        else:
            self.summary.setText(
                f"{self.path.name} marks nothing for profiling: add @profile to the functions "
                "to measure."
            )
        self.source.setHtml(page)

    def status_parts(self) -> list[str]:
        """File name and what it profiles, for the status bar."""
        count = len(self.info.targets) if self.info else 0
        return [self.title, self.error or f"script, {count} profiled function(s)"]

    def set_unit(self, *_: object) -> None:
        """Scripts show no times."""

    def focus_filter(self) -> None:
        """Scripts have no filter."""
