"""Desktop integration in plain Python (no Qt): XDG registration and the launch hand-off."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: The reverse-DNS id: the desktop entry's name, the installed icon's name, Wayland's app id.
APP_ID = "io.github.lprof_viewer.LprofViewer"
#: The shared-mime-info type of ``*.lprof`` (``packaging/linux/<APP_ID>.xml``).
MIME_TYPE = "application/x-lprof"
DESKTOP_FILE = f"{APP_ID}.desktop"


def xdg_base_dir(environ: Mapping[str, str], variable: str, default: Path) -> Path:
    """An XDG base directory: ``variable``'s folder, or ``default`` when unset or relative.

    The XDG base directory spec: a relative path in these variables is
    invalid and is ignored.
    """
    value = environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else default
