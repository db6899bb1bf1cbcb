"""The one way to find bundled files: installed, editable, or frozen by PyInstaller."""

from __future__ import annotations

import sys
from importlib.resources import as_file, files
from pathlib import Path


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
