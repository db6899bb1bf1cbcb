"""Start the window: open the files asked for, or take a screenshot and leave."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from lprof_viewer.assets import demo_profile
from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.output_files import flush_standard_streams
from lprof_viewer.core.preload import cancel_preload
from lprof_viewer.ui.application import ViewerApplication
from lprof_viewer.ui.main_window import MainWindow
from lprof_viewer.ui.settings import AppSettings
from lprof_viewer.ui.termination import ending_signals_call

SCREENSHOT_TIMEOUT_MS = 120_000


def dark_palette() -> QPalette:
    """A dark palette, to check (and screenshot) how the window looks on one."""
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e3e5e8",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.Text: "#e3e5e8",
        QPalette.ColorRole.Button: "#34363b",
        QPalette.ColorRole.ButtonText: "#e3e5e8",
        QPalette.ColorRole.Highlight: "#3d6fb4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8f98",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e3e5e8",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6d7178"))
    return palette


def make_application() -> QApplication:
    """The QApplication, named so QSettings has a home."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = ViewerApplication(sys.argv[:1])
    app.setOrganizationName("lprof-viewer")
    app.setApplicationName("lprof-viewer")
    return app


def run_window(args: argparse.Namespace) -> int:
    """Show the window on ``args.files`` (and the demo); answer the exit status."""
    app = make_application()
    if isinstance(app, ViewerApplication) and app.serve_or_hand_off(args):
        cancel_preload()
        return 0  # a window started at the same moment took these files
    if getattr(args, "palette", None) == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    window = MainWindow(AppSettings(), args.source_map)
    if isinstance(app, ViewerApplication):  # files from Finder, and from later launches
        app.set_window(window)
    if args.screenshot is not None:
        window.resize(1280, 800)  # the same picture whatever size was last remembered
    paths = [Path(p) for p in args.files]
    if args.demo:
        paths.append(demo_profile())
    window.show()
    run = window.runs.config_for(args.run.resolve()) if args.run else None
    if args.screenshot is not None:
        return _screenshot(app, window, paths, args.screenshot, run, args.diff)
    _open_all(window, paths, args.diff, run)
    with ending_signals_call(window.end):
        return app.exec()


def _open_all(
    window: MainWindow, paths: list[Path], diff: list[Path] | None, run: RunConfig | None
) -> bool:
    """Open the files and the diff and start the run asked for; answer whether there was any."""
    opened = window.open_paths(paths)
    if diff:
        window.open_diff(diff[0], diff[1])
    if run is not None:
        window.runs.start(run)
    return bool(opened or diff or run)


def _screenshot(
    app: QApplication,
    window: MainWindow,
    paths: list[Path],
    out: Path,
    run: RunConfig | None,
    diff: list[Path] | None,
) -> NoReturn:
    """Open ``paths`` (and run ``run``), wait until all is shown, save the window as PNG, exit.

    A file that could not be opened is pictured as the window shows it, and
    said on standard error with exit status 2, as the headless verbs do.
    """
    result = {"status": 0}

    def grab() -> None:
        app.processEvents()
        if not window.grab().save(str(out), "PNG"):
            print(f"lprof-viewer: cannot write the screenshot {out}.", file=sys.stderr)
            result["status"] = 2
        problems = [tab.error for tab in window.open_tabs() if tab.error is not None]
        if run is not None and window.runs.start_problem is not None:
            problems.append(window.runs.start_problem)
        for problem in problems:
            print(f"lprof-viewer: {problem}", file=sys.stderr)
            result["status"] = 2
        app.quit()

    def timed_out() -> None:
        print("lprof-viewer: gave up waiting for the window to load.", file=sys.stderr)
        result["status"] = 1
        grab()

    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, timed_out)
    # With a run, its own tab is the last thing to wait for.
    settled = window.runs.run_settled if run is not None else window.all_ready
    settled.connect(lambda: QTimer.singleShot(0, grab))
    if not _open_all(window, paths, diff, run):
        QTimer.singleShot(0, grab)  # the welcome page
    app.exec()
    # The picture is saved: skip tearing down a large profile and every Qt
    # object one by one (a quarter of a second on a 200,000-line profile).
    window.settings.sync()
    flush_standard_streams()
    os._exit(result["status"])
