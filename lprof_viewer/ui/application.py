"""The application object: files that arrive from outside open in the window.

Besides the command line, files arrive two ways. macOS delivers a double-clicked file (or
one dropped on the Dock icon) to the running app as a ``QFileOpenEvent``; a later launch
hands its files over the local socket (``ui/single_instance.py``). Both go through
:meth:`ViewerApplication.open_files`; files that come before the window exists wait for it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from lprof_viewer.assets import APP_ICON_SIZES, app_icon_png
from lprof_viewer.desktop import APP_ID
from lprof_viewer.desktop.instance_protocol import Message, answer, is_standalone

if TYPE_CHECKING:
    from lprof_viewer.ui.main_window import MainWindow
    from lprof_viewer.ui.single_instance import InstanceServer


def app_icon() -> QIcon:
    """The app icon at every size it is drawn in (loaded when first shown)."""
    icon = QIcon()
    for size in APP_ICON_SIZES:
        icon.addFile(str(app_icon_png(size)), QSize(size, size))
    return icon


def bring_to_front(window: QWidget, activation_token: str | None = None) -> None:
    """Show ``window`` un-minimized, raised and focused.

    On Wayland a window may take the focus only with the activation token its launcher
    gave the launch that asked (Qt reads it from ``XDG_ACTIVATION_TOKEN``).
    """
    if activation_token:
        os.environ["XDG_ACTIVATION_TOKEN"] = activation_token
    state = window.windowState() & ~Qt.WindowState.WindowMinimized
    window.setWindowState(state | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()


class ViewerApplication(QApplication):
    """The QApplication of lprof-viewer: routes files from the system and other launches."""

    def __init__(self, argv: Sequence[str]) -> None:
        super().__init__(list(argv))
        self.window: MainWindow | None = None
        self.pending: list[Path] = []
        self.instance_server: InstanceServer | None = None
        # Wayland matches the window to the desktop entry (and its icon) by this name.
        self.setDesktopFileName(APP_ID)
        self.setWindowIcon(app_icon())

    def set_window(self, window: MainWindow | None) -> None:
        """Open arriving files in ``window`` from now on, starting with those that waited."""
        self.window = window
        if window is None:
            return
        window.destroyed.connect(lambda *_: self._forget(window))
        if self.pending:
            waiting, self.pending = self.pending, []
            self.open_files(waiting)

    def serve_other_launches(self, name: str | None = None) -> bool:
        """Take the files of later launches (see ``single_instance``); False if another does."""
        # Imported here: QtNetwork is not needed by windows that stand alone (screenshots).
        from lprof_viewer.ui.single_instance import InstanceServer

        server = InstanceServer(lambda message: answer(message, self), self)
        if not server.listen(name):
            server.deleteLater()
            return False
        self.aboutToQuit.connect(server.close)
        self.instance_server = server
        return True

    def serve_or_hand_off(self, args: argparse.Namespace) -> bool:
        """Serve later launches; answer True if another window already does and took our files.

        Two launches at the same moment (Explorer opens one per selected file) both find
        no window to hand off to; the one that then cannot listen gives its files to the
        one that can, and quits. Launches that stand alone (``is_standalone``) do neither.
        """
        if is_standalone(args) or self.serve_other_launches():
            return False
        from lprof_viewer.ui.single_instance import hand_off_to_running_window

        return hand_off_to_running_window(args)

    def open_files(self, paths: list[Path], activation_token: str | None = None) -> None:
        """Open ``paths`` in new tabs and bring the window forward (or wait for the window)."""
        if self.window is None:
            self.pending.extend(paths)
            return
        if paths:
            self.window.open_paths(paths)
        bring_to_front(self.window, activation_token)

    def instance_status(self) -> Message:
        """What a status query answers: the open tabs' titles, whether the window is in front."""
        window = self.window
        if window is None:
            return {"tabs": [], "active": False}
        titles = [window.tabs.tabText(index) for index in range(window.tabs.count())]
        return {"tabs": titles, "active": window.isActiveWindow()}

    def event(self, event: QEvent) -> bool:
        """Open the files macOS asks us to open (Finder, the Dock); the rest as usual."""
        if isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                self.open_files([Path(path)])
            return True
        return super().event(event)

    def _forget(self, window: MainWindow) -> None:
        if self.window is window:
            self.window = None
