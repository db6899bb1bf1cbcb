"""Desktop integration in plain Python (no Qt): XDG registration and the launch hand-off."""

#: The reverse-DNS id: the desktop entry's name, the installed icon's name, Wayland's app id.
APP_ID = "io.github.lprof_viewer.LprofViewer"
#: The shared-mime-info type of ``*.lprof`` (``packaging/linux/<APP_ID>.xml``).
MIME_TYPE = "application/x-lprof"
DESKTOP_FILE = f"{APP_ID}.desktop"
