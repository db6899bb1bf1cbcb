"""The baseline for the window benchmark: a bare PySide6 main window with a table, grabbed to PNG.

    QT_QPA_PLATFORM=offscreen python bench/bare_qt_window.py OUT.png

It does the least any Qt viewer must do before its first picture: start Qt, show
a QMainWindow holding a QTableView over a few rows, wait until the window is
exposed, ``window.grab()`` it and save the PNG. Exit status 0 when the PNG was written.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

ROWS = 5
COLUMNS = ("Function", "File", "Line", "Total time", "Hits")
EXPOSE_TIMEOUT = 10.0  # seconds


def build_window() -> QMainWindow:
    """A main window whose central widget is a small table."""
    model = QStandardItemModel(0, len(COLUMNS))
    model.setHorizontalHeaderLabels(list(COLUMNS))
    for row in range(ROWS):
        cells = [f"work_{row}", "module.py", str(row * 24 + 3), f"{1.0 / (row + 1):.3f}", "100"]
        model.appendRow([QStandardItem(text) for text in cells])
    table = QTableView()
    table.setModel(model)
    window = QMainWindow()
    window.setWindowTitle("bare Qt window")
    window.setCentralWidget(table)
    window.resize(1200, 800)
    return window


def wait_until_exposed(app: QApplication, window: QMainWindow) -> bool:
    """Process events until the window is on screen (or the timeout passes)."""
    deadline = time.monotonic() + EXPOSE_TIMEOUT
    while time.monotonic() < deadline:
        app.processEvents()
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            return True
        time.sleep(0.001)
    return False


def main(argv: list[str]) -> int:
    """Show the window, save its picture to ``argv[1]``; answer the exit status."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT.png", file=sys.stderr)
        return 2
    app = QApplication(argv[:1])
    window = build_window()
    window.show()
    if not wait_until_exposed(app, window):
        print("bare_qt_window: the window was never shown", file=sys.stderr)
        return 1
    if not window.grab().save(argv[1], "PNG"):
        print(f"bare_qt_window: cannot write {argv[1]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
