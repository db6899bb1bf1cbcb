"""What a tab shows while its file loads, when it fails, and once it is ready."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)


class LoadingPages(QStackedWidget):
    """A busy indicator, an error sentence, or the tab's content: one at a time."""

    #: "Try Again" was pressed on the error page (the file may be there now).
    retry = Signal()

    def __init__(self, busy_text: str, content: QWidget, parent: Any = None) -> None:
        super().__init__(parent)
        self.busy = QWidget()
        layout = QVBoxLayout(self.busy)
        layout.addStretch()
        label = QLabel(busy_text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setObjectName("loadingIndicator")
        layout.addWidget(label)
        layout.addWidget(bar)
        layout.addStretch()
        self.error_label = QLabel()
        self.error_label.setObjectName("loadError")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Try Again")
        self.retry_button.clicked.connect(self.retry)
        self.error_page = QWidget()
        error_layout = QVBoxLayout(self.error_page)
        error_layout.addStretch()
        error_layout.addWidget(self.error_label)
        error_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        error_layout.addStretch()
        self.content = content
        for page in (self.busy, self.error_page, self.content):
            self.addWidget(page)

    def show_busy(self) -> None:
        """The busy indicator."""
        self.setCurrentWidget(self.busy)

    def show_error(self, message: str) -> None:
        """One sentence saying why the file cannot be shown."""
        self.error_label.setText(message)
        self.setCurrentWidget(self.error_page)

    def show_content(self) -> None:
        """The loaded tab."""
        self.setCurrentWidget(self.content)
