"""The page shown when nothing is open: Open, Open Recent and the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """Big buttons for the three ways to start."""

    def __init__(
        self,
        open_files: Callable[[], None],
        open_demo: Callable[[], None],
        open_path: Callable[[Path], None],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self._open_path = open_path
        title = QLabel("<h2>lprof-viewer</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            "Open a .lprof file written by <code>kernprof -l</code>, drop one here, "
            "or open a profiling script."
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(open_files)
        self.demo_button = QPushButton("Open the demo profile")
        self.demo_button.clicked.connect(open_demo)
        self._recent_label = QLabel("Recent:")
        self._recent_layout = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addStretch()
        for widget in (title, hint, self.open_button, self.demo_button, self._recent_label):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(self._recent_layout)
        layout.addStretch()

    def set_recent(self, entries: list[tuple[Path, str]]) -> None:
        """Show a button per recent file (its path, and the name to show)."""
        while self._recent_layout.count():
            item = self._recent_layout.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None:
                widget.deleteLater()
        self._recent_label.setVisible(bool(entries))
        for path, name in entries[:6]:
            button = QPushButton(name)
            button.setToolTip(str(path))
            button.setFlat(True)
            button.clicked.connect(lambda _=False, p=path: self._open_path(p))
            self._recent_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
