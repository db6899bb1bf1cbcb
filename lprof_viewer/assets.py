"""The one way to find bundled files: installed, editable, or frozen by PyInstaller."""

from __future__ import annotations

import sys
from importlib.resources import as_file, files
from pathlib import Path

#: The pixel sizes of the app icon's PNGs (``resources/icons/lprof-viewer-<size>.png``).
APP_ICON_SIZES = (16, 32, 48, 64, 128, 256)


def resources_dir() -> Path:
    """The folder holding icons and the demo (``resources/`` in the source tree)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "lprof_viewer" / "resources"
    with as_file(files("lprof_viewer.resources")) as path:
        return Path(path)


def resource_path(*parts: str) -> Path:
    """A bundled file, e.g. ``resource_path("demo", "demo.lprof")``."""
    return resources_dir().joinpath(*parts)


def demo_profile() -> Path:
    """The bundled demo profile (its source sits beside it)."""
    return resource_path("demo", "demo.lprof")


def app_icon_png(size: int) -> Path:
    """The app icon drawn at ``size`` pixels (one of ``APP_ICON_SIZES``)."""
    return resource_path("icons", f"lprof-viewer-{size}.png")


def linux_desktop_dir() -> Path:
    """The desktop entry and MIME type definition (``packaging/linux/`` in the source tree).

    Wheels and the frozen build carry them as ``resources/linux``; an editable install
    reads them where they are kept.
    """
    bundled = resources_dir() / "linux"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "packaging" / "linux"
