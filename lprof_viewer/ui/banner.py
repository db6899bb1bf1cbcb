"""A message strip above a view: missing or stale source, a file changed on disk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from lprof_viewer.core.sources import shown_name

_KIND_COLORS = {
    "warning": ("#fff4ce", "#5c4500", "#e0c060"),
    "error": ("#fde7e9", "#6e0b14", "#e8a0a8"),
    "info": ("#e5f1fb", "#0b3d6e", "#9cc3e6"),
}


class MessageBanner(QFrame):
    """One sentence and a few buttons; hidden until there is something to say."""

    def __init__(self, object_name: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setObjectName(f"{object_name}Text")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._layout.addWidget(self._label, 1)
        self._buttons: list[QPushButton] = []
        self.hide()

    @property
    def text(self) -> str:
        """The sentence shown."""
        return self._label.text()

    def show_message(
        self, text: str, kind: str = "warning", actions: dict[str, Callable[[], None]] | None = None
    ) -> None:
        """Show ``text`` with a button per action (label -> callback)."""
        background, foreground, border = _KIND_COLORS[kind]
        self.setStyleSheet(
            f"#{self.objectName()} {{ background: {background}; border: 1px solid {border}; }}"
            f"#{self.objectName()} QLabel {{ color: {foreground}; }}"
        )
        self._label.setText(shown_name(text))
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        for label, callback in (actions or {}).items():
            button = QPushButton(label)
            button.clicked.connect(callback)
            self._layout.addWidget(button)
            self._buttons.append(button)
        self.show()

    def button(self, label: str) -> QPushButton | None:
        """The button with ``label``, for tests and keyboard focus."""
        return next((b for b in self._buttons if b.text() == label), None)

    def clear(self) -> None:
        """Hide the banner."""
        self.hide()
