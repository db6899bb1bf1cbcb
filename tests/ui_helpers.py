"""Helpers for GUI tests: a window with throwaway settings, cell text, line_profiler's numbers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from line_profiler import load_stats
from line_profiler.line_profiler import show_func
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView

from lprof_viewer.core.heat import relative_luminance
from lprof_viewer.core.run_history import RunHistory
from lprof_viewer.ui.main_window import MainWindow
from lprof_viewer.ui.settings import AppSettings

LOAD_TIMEOUT_MS = 20_000


def make_window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    """A shown main window whose settings live in ``tmp_path``."""
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, history=RunHistory(tmp_path / "history"))
    qtbot.addWidget(window)
    window.show()
    return window


def use_fake_editor(window: MainWindow, tmp_path: Path) -> Path:
    """Make the window's editor a script noting each "file line" it is asked to open.

    Answers the file it writes them to, one call a line (none before the first call).
    """
    record = tmp_path / "editor-called.txt"
    editor = tmp_path / "fake-editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1 $2" >> "{record}"\n')
    editor.chmod(0o755)
    window.settings.editor_command = f"{editor} {{file}} {{line}}"
    return record


def open_and_wait(qtbot, window: MainWindow, *paths: Path):  # type: ignore[no-untyped-def]
    """Open ``paths`` in tabs and wait until every tab has loaded; answer the tabs."""
    with qtbot.waitSignal(window.all_ready, timeout=LOAD_TIMEOUT_MS):
        tabs = window.open_paths(list(paths))
    return tabs


def cell(table: QTableView, row: int, column: int) -> str:
    """The text a person sees in one cell."""
    model = table.model()
    return str(model.data(model.index(row, column)) or "")


def column_texts(table: QTableView, column: int) -> list[str]:
    """Every visible text of one column, top to bottom."""
    return [cell(table, row, column) for row in range(table.model().rowCount())]


def line_profiler_timings(path: Path) -> tuple[dict, float]:
    """line_profiler's own reading of a .lprof: (timings, unit)."""
    stats = load_stats(str(path))
    return stats.timings, stats.unit


def line_profiler_fields(path: Path, output_unit: float) -> dict[tuple[str, int], list[str]]:
    """What ``show_text`` prints for each timed line, by (function name, line number).

    Hits, Time, Per Hit and % Time as line_profiler's own code writes them in
    ``output_unit`` seconds; lines whose time needs more than its column are
    written as %g there and left out.
    """
    stats = load_stats(str(path))
    fields = {}
    for (filename, start, name), timings in stats.timings.items():
        text = io.StringIO()
        show_func(filename, start, name, timings, stats.unit, output_unit, stream=text)
        for row in text.getvalue().splitlines():
            parts = row.split()
            timed = len(parts) >= 5 and parts[0].isdigit() and parts[1].isdigit()
            if timed and not any("e" in part for part in parts[2:5]):
                fields[name, int(parts[0])] = parts[1:5]
    return fields


def total_ticks(lines: list[tuple[int, int, int]]) -> int:
    """A function's total time in ticks, as line_profiler sums it."""
    return sum(t for _, _, t in lines)


def contrast(foreground: QColor, background: QColor) -> float:
    """The WCAG contrast ratio of two colours (4.5 or more reads as body text)."""
    lighter, darker = sorted(
        (relative_luminance((c.red(), c.green(), c.blue())) for c in (foreground, background)),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)


@contextmanager
def palette(dark: bool) -> Iterator[None]:
    """The application's palette, dark (as --palette dark sets it) or as it was, for a while."""
    from PySide6.QtWidgets import QApplication

    from lprof_viewer.ui.app import dark_palette

    app = QApplication.instance()
    before = app.palette()  # type: ignore[union-attr]
    if dark:
        app.setPalette(dark_palette())  # type: ignore[union-attr]
    try:
        yield
    finally:
        app.setPalette(before)  # type: ignore[union-attr]
