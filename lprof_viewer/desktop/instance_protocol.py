"""One window per user: which launches hand their files to it, and what they say.

A launch that only asks to open files (what a double-click does) first offers them to the
window already running, over a local socket named by :func:`server_name`; when that window
answers, the launch exits. ``ui/single_instance.py`` carries the messages (Qt's
``QLocalSocket``/``QLocalServer``); this module decides and encodes them, without Qt.

Each message is one JSON object on one line (UTF-8), answered the same way:

- ``{"open": ["/abs/run.lprof", ...], "activation_token": "..."}`` -> ``{"ok": true}``: open
  these in new tabs and come to the front (an empty list just brings the window forward;
  the optional token is the launch's ``XDG_ACTIVATION_TOKEN``, which Wayland asks for);
- ``{"status": true}`` -> ``{"tabs": ["run.lprof", ...], "active": true}``: the titles of the
  open tabs and whether the window is in front; used by the tests and for debugging.

Only the same user can connect (the socket lives in ``$XDG_RUNTIME_DIR``, or in a folder of
theirs made user-only), and opening a file never runs code, so a message can at worst
open tabs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from lprof_viewer.assets import demo_profile

#: Overrides the server's name, e.g. to keep tests' windows apart from a real one.
INSTANCE_ENV = "LPROF_VIEWER_INSTANCE"
#: Longest message accepted; a list of paths is far shorter.
MAX_MESSAGE_BYTES = 1 << 20

Message = dict[str, Any]


class RunningWindow(Protocol):
    """What the running instance does for a message."""

    def open_files(self, paths: list[Path], activation_token: str | None = None) -> None:
        """Open ``paths`` as tabs and come to the front."""

    def instance_status(self) -> Message:
        """The answer to a status query."""


def _user_key() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no name for this uid (e.g. in a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", user) or "user"


def server_name(env: Mapping[str, str] | None = None, temp: str | None = None) -> str:
    """The local socket of this user's running window: a path in a folder only they can use.

    ``$XDG_RUNTIME_DIR`` when there is one; else a folder of their own in the
    temporary folder (``temp``), made user-only and checked to be theirs, so
    that no other user can listen there first and take the files a launch
    hands over. When that cannot be had, a name of this process's own: no
    hand-off, each launch its own window. On Windows, a named pipe.
    """
    env = os.environ if env is None else env
    name = env.get(INSTANCE_ENV) or f"lprof-viewer-{_user_key()}"
    if os.name != "posix":
        return name
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime) and os.path.isdir(runtime):
        return os.path.join(runtime, name)
    folder = _private_folder(temp or tempfile.gettempdir())
    if folder is None:
        return os.path.join(tempfile.mkdtemp(prefix="lprof-viewer-"), name)
    return os.path.join(folder, name)


def _private_folder(temp: str) -> str | None:
    """``lprof-viewer-<uid>`` in ``temp``, made 0700; None unless it is this user's alone."""
    uid = os.getuid()
    folder = os.path.join(temp, f"lprof-viewer-{uid}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        found = os.lstat(folder)
    except OSError:
        return None
    mine = stat.S_ISDIR(found.st_mode) and found.st_uid == uid
    return folder if mine and not found.st_mode & 0o077 else None


def is_standalone(args: argparse.Namespace) -> bool:
    """Whether this launch must have a window of its own, neither handing off nor serving.

    Screenshots and ``--new-instance`` always stand alone, and so do launches asking for
    what the running window could not take on: a run, a diff, source maps, another palette.
    """
    return bool(
        getattr(args, "screenshot", None) is not None
        or getattr(args, "new_instance", False)
        or getattr(args, "run", None) is not None
        or getattr(args, "diff", None) is not None
        or getattr(args, "source_map", None)
        or getattr(args, "palette", "system") != "system"
    )


def requested_paths(args: argparse.Namespace) -> list[Path]:
    """The files this launch asks to open, absolute (the running window has another cwd)."""
    paths = [Path(os.path.abspath(path)) for path in getattr(args, "files", [])]
    if getattr(args, "demo", False):
        paths.append(demo_profile())
    return paths


def encode(message: Message) -> bytes:
    """``message`` as one line on the wire."""
    return json.dumps(message).encode("utf-8") + b"\n"


def decode(line: bytes) -> Message:
    """The message on one line; ``ValueError`` when it is not a JSON object."""
    message = json.loads(line.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("a message is a JSON object")
    return message


def open_request(paths: list[Path], activation_token: str | None = None) -> Message:
    """Ask the running window to open ``paths`` (and to take the focus with the token)."""
    message: Message = {"open": [str(path) for path in paths]}
    if activation_token:
        message["activation_token"] = activation_token
    return message


def answer(message: Message, window: RunningWindow) -> Message:
    """Act on one message in the running instance; answer the reply."""
    if "open" in message:
        paths = message["open"]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            return {"error": "open takes a list of paths"}
        token = message.get("activation_token")
        window.open_files([Path(p) for p in paths], token if isinstance(token, str) else None)
        return {"ok": True}
    if "status" in message:
        return window.instance_status()
    return {"error": "unknown request"}
