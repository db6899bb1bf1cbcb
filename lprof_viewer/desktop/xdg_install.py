"""``lprof-viewer --install-desktop`` and ``--uninstall-desktop``: double-click a ``.lprof``.

Everything goes to the current user's XDG data folder (``$XDG_DATA_HOME``, else
``~/.local/share``):

- ``applications/<APP_ID>.desktop``, whose ``Exec`` starts this very lprof-viewer;
- ``mime/packages/<APP_ID>.xml``, the ``application/x-lprof`` type of ``*.lprof``;
- ``icons/hicolor/<N>x<N>/apps/<APP_ID>.png``, ``scalable/apps/<APP_ID>.svg`` and the
  document icon ``scalable/mimetypes/application-x-lprof.svg``.

Then the desktop's caches are refreshed (``update-mime-database``,
``update-desktop-database``) and lprof-viewer becomes the default for the type
(``xdg-mime default``, which writes ``$XDG_CONFIG_HOME/mimeapps.list``). A missing tool is
skipped with a note saying what it would have done.

A manifest (``<data>/lprof-viewer/desktop-install.json``) records the files written, the
folders created and whether ``mimeapps.list`` was new, so uninstalling removes exactly
that. Both directions can run any number of times.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lprof_viewer.assets import APP_ICON_SIZES, app_icon_png, linux_desktop_dir, resource_path
from lprof_viewer.desktop import APP_ID, DESKTOP_FILE, MIME_TYPE, xdg_base_dir

Say = Callable[[str], None]

SCRIPT_NAMES = ("lprof-viewer", "lprof-viewer.exe")
TOOL_TIMEOUT_S = 60
#: Which Debian package brings each tool, for the note when one is missing.
TOOL_PACKAGES = {
    "update-mime-database": "shared-mime-info",
    "update-desktop-database": "desktop-file-utils",
    "xdg-mime": "xdg-utils",
}
#: What ``update-mime-database`` writes beside ``packages/`` (media folders aside).
MIME_CACHE_FILES = (
    "XMLnamespaces",
    "aliases",
    "generic-icons",
    "globs",
    "globs2",
    "icons",
    "magic",
    "mime.cache",
    "subclasses",
    "treemagic",
    "types",
    "version",
)
# Characters that make the desktop entry spec ask for an argument to be quoted.
_EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


@dataclass(frozen=True)
class XdgPlaces:
    """Where this user's desktop data and settings live."""

    data_home: Path
    config_home: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> XdgPlaces:
        """The folders the XDG base directory spec names for ``env`` (default: ours)."""
        env = os.environ if env is None else env
        home = Path(env.get("HOME") or Path.home())
        return cls(
            xdg_base_dir(env, "XDG_DATA_HOME", home / ".local" / "share"),
            xdg_base_dir(env, "XDG_CONFIG_HOME", home / ".config"),
        )

    @property
    def manifest(self) -> Path:
        """The record of what ``install`` added."""
        return self.data_home / "lprof-viewer" / "desktop-install.json"

    @property
    def mimeapps(self) -> Path:
        """The user's default applications (written by ``xdg-mime default``)."""
        return self.config_home / "mimeapps.list"


@dataclass
class Manifest:
    """What an install added: files, folders it had to create, a new ``mimeapps.list``."""

    files: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    mimeapps_created: bool = False
    previous_default: list[str] = field(default_factory=list)
    """The applications that opened ``.lprof`` files before (given back on uninstall)."""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """The manifest at ``path``; an empty one when there is none (or it is unreadable)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                [str(f) for f in data.get("files", [])],
                [str(d) for d in data.get("dirs", [])],
                bool(data.get("mimeapps_created", False)),
                [str(a) for a in data.get("previous_default", [])],
            )
        except (OSError, ValueError, AttributeError):
            return cls()

    def save(self, path: Path) -> None:
        """Write the manifest to ``path``."""
        data = {
            "files": self.files,
            "dirs": self.dirs,
            "mimeapps_created": self.mimeapps_created,
            "previous_default": self.previous_default,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def add_dirs(self, dirs: Sequence[Path]) -> None:
        """Remember folders that install created (each once)."""
        self.dirs += [str(d) for d in dirs if str(d) not in self.dirs]


def launch_command() -> list[str]:
    """The command that starts this lprof-viewer, with absolute paths, for ``Exec``.

    The frozen program itself; else the ``lprof-viewer`` script that is running or that
    sits beside this interpreter (a venv's ``bin/``); else ``python -m lprof_viewer``.
    """
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).absolute())]
    candidates = [Path(sys.argv[0])] if sys.argv and sys.argv[0] else []
    candidates += [Path(sys.executable).with_name(name) for name in SCRIPT_NAMES]
    for candidate in candidates:
        if candidate.name in SCRIPT_NAMES and candidate.is_file():
            return [str(candidate.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "lprof_viewer"]


def exec_quote(argument: str) -> str:
    """One ``Exec`` argument, quoted as the desktop entry spec asks (before string escaping)."""
    if argument and not _EXEC_RESERVED.search(argument):
        quoted = argument
    else:
        quoted = '"' + re.sub(r'([`"$\\])', r"\\\1", argument) + '"'
    return quoted.replace("%", "%%")


def desktop_entry(template: str, command: Sequence[str]) -> str:
    """The desktop entry ``template`` with its ``Exec`` starting ``command`` on the files."""
    # String values escape backslashes once more, after the quoting rule.
    value = (" ".join(exec_quote(part) for part in command) + " %F").replace("\\", "\\\\")
    lines = [
        f"Exec={value}" if line.startswith("Exec=") else line for line in template.splitlines()
    ]
    return "\n".join(lines) + "\n"


def planned_files(command: Sequence[str]) -> dict[str, bytes]:
    """Every file install writes: path relative to the data folder -> contents."""
    source = linux_desktop_dir()
    template = (source / DESKTOP_FILE).read_text(encoding="utf-8")
    files = {
        f"applications/{DESKTOP_FILE}": desktop_entry(template, command).encode("utf-8"),
        f"mime/packages/{APP_ID}.xml": (source / f"{APP_ID}.xml").read_bytes(),
    }
    for size in APP_ICON_SIZES:
        files[f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"] = app_icon_png(size).read_bytes()
    files[f"icons/hicolor/scalable/apps/{APP_ID}.svg"] = resource_path(
        "icons", "lprof-viewer.svg"
    ).read_bytes()
    mime_icon = MIME_TYPE.replace("/", "-")
    files[f"icons/hicolor/scalable/mimetypes/{mime_icon}.svg"] = resource_path(
        "icons", f"{mime_icon}.svg"
    ).read_bytes()
    return files


def _missing_dirs(folder: Path) -> list[Path]:
    """``folder`` and its parents that do not exist yet, outermost first."""
    return [p for p in reversed((folder, *folder.parents)) if not p.exists()]


def run_tool(argv: Sequence[str], say: Say) -> bool:
    """Run one desktop tool, saying what happened; a missing tool is skipped (not a failure)."""
    name = argv[0]
    executable = shutil.which(name)
    if executable is None:
        say(
            f"  skipped {name}: not installed (Debian/Ubuntu package "
            f"{TOOL_PACKAGES.get(name, name)}); install it and run this again"
        )
        return True
    try:
        result = subprocess.run(
            [executable, *argv[1:]], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        say(f"  {name} failed: {error}")
        return False
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        say(f"  {name} failed (status {result.returncode}): {' '.join(detail[-3:])}")
        return False
    say(f"  ran {' '.join(str(a) for a in argv)}")
    return True


def install(places: XdgPlaces, command: Sequence[str], say: Say = print) -> int:
    """Register lprof-viewer for ``.lprof`` files; answer 0, or 1 when a tool failed."""
    say(f"Installing lprof-viewer's desktop integration in {places.data_home}")
    say(f"  Exec: {' '.join(command)}")
    files = {
        places.data_home / relative: content for relative, content in planned_files(command).items()
    }
    # Record everything before touching anything, so even an interrupted install is undone.
    manifest = Manifest.load(places.manifest)
    for folder in (places.manifest.parent, *(path.parent for path in files), places.config_home):
        manifest.add_dirs(_missing_dirs(folder))
    manifest.files += [str(path) for path in files if str(path) not in manifest.files]
    manifest.mimeapps_created = manifest.mimeapps_created or not places.mimeapps.exists()
    # xdg-mime replaces the default; what it was is kept to give back (once: a second
    # install must not record lprof-viewer itself as the one before).
    manifest.previous_default = manifest.previous_default or [
        app for app in default_applications(places.mimeapps) if app != DESKTOP_FILE
    ]
    places.manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.save(places.manifest)
    for path, content in files.items():
        if path.is_file() and path.read_bytes() == content:
            say(f"  unchanged {_shown(path, places.data_home)}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        say(f"  wrote {_shown(path, places.data_home)}")
    places.config_home.mkdir(parents=True, exist_ok=True)
    ok = all(
        [
            run_tool(["update-mime-database", str(places.data_home / "mime")], say),
            run_tool(["update-desktop-database", str(places.data_home / "applications")], say),
            run_tool(["xdg-mime", "default", DESKTOP_FILE, MIME_TYPE], say),
        ]
    )
    say(f"  recorded in {places.manifest}")
    if ok and shutil.which("xdg-mime") is None:
        say(
            "Done, in part: the files are in place, but nothing made lprof-viewer the default "
            "for .lprof files (xdg-mime is missing); install the tools and run this again."
        )
    elif ok:
        say("Done: .lprof files now open in lprof-viewer (`--uninstall-desktop` undoes this).")
    return 0 if ok else 1


def default_applications(mimeapps: Path) -> list[str]:
    """The applications ``mimeapps`` names as the default for ``.lprof`` files."""
    try:
        lines = mimeapps.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    at = _default_entry(lines)
    return [] if at is None else [app for app in lines[at].split("=", 1)[1].split(";") if app]


def restore_default(mimeapps: Path, apps: Sequence[str]) -> bool:
    """Make ``apps`` the default for ``.lprof`` again, when no default is left; answer if so."""
    if not apps or default_applications(mimeapps):
        return False
    try:
        lines = mimeapps.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    entry = f"{MIME_TYPE}={';'.join(apps)};"
    if "[Default Applications]" in (line.strip() for line in lines):
        at = [line.strip() for line in lines].index("[Default Applications]") + 1
        lines.insert(at, entry)
    else:
        lines += ["[Default Applications]", entry]
    mimeapps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def remove_default(mimeapps: Path) -> bool:
    """Drop lprof-viewer as the default for ``.lprof`` from ``mimeapps``; answer if it was."""
    try:
        lines = mimeapps.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    at = _default_entry(lines)
    if at is None:
        return False
    apps = [a for a in lines[at].split("=", 1)[1].split(";") if a]
    others = [a for a in apps if a != DESKTOP_FILE]
    if others == apps:
        return False
    if others:
        lines[at] = f"{MIME_TYPE}={';'.join(others)};"
    else:
        del lines[at]
    mimeapps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def _default_entry(lines: Sequence[str]) -> int | None:
    """Where ``.lprof``'s line is in the ``[Default Applications]`` section of ``lines``."""
    section = ""
    for index, line in enumerate(lines):
        if line.startswith("["):
            section = line.strip()
        elif section == "[Default Applications]" and line.startswith(f"{MIME_TYPE}="):
            return index
    return None


def _shown(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it is inside it (shorter to read)."""
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def _holds_only_headers(path: Path) -> bool:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return all(not line or line.startswith(("[", "#")) for line in lines)


def _refresh_mime_database(places: XdgPlaces, created: set[Path], say: Say) -> bool:
    """After removing our type: drop a database we created that is now empty, else rebuild."""
    mime = places.data_home / "mime"
    packages = mime / "packages"
    if not (mime / "mime.cache").exists():
        return True  # no database to bring up to date
    if mime in created and not (packages.is_dir() and any(packages.iterdir())):
        for name in MIME_CACHE_FILES:
            (mime / name).unlink(missing_ok=True)
        for media in sorted(p for p in mime.iterdir() if p.is_dir() and p != packages):
            for generated in media.glob("*.xml"):
                generated.unlink()
            if not any(media.iterdir()):
                media.rmdir()
        say("  removed the MIME database it had created (no other types left in it)")
        return True
    return run_tool(["update-mime-database", str(mime)], say)


def _refresh_desktop_database(places: XdgPlaces, created: set[Path], say: Say) -> bool:
    """After removing our entry: drop a cache we created that is now empty, else rebuild."""
    applications = places.data_home / "applications"
    cache = applications / "mimeinfo.cache"
    if not cache.exists():
        return True  # no cache to bring up to date
    if applications in created and not any(applications.rglob("*.desktop")):
        cache.unlink()
        say("  removed applications/mimeinfo.cache (no other applications left)")
        return True
    return run_tool(["update-desktop-database", str(applications)], say)


def uninstall(places: XdgPlaces, say: Say = print) -> int:
    """Remove what ``install`` added; answer 0, or 1 when a tool failed."""
    say(f"Removing lprof-viewer's desktop integration from {places.data_home}")
    manifest = Manifest.load(places.manifest)
    known = {str(places.data_home / relative) for relative in planned_files(["lprof-viewer"])}
    removed = 0
    for name in sorted(known | set(manifest.files)):
        path = Path(name)
        if path.is_file():
            path.unlink()
            removed += 1
            say(f"  removed {_shown(path, places.data_home)}")
    if remove_default(places.mimeapps):
        say(f"  removed the {MIME_TYPE} default from {places.mimeapps}")
        removed += 1
    if restore_default(places.mimeapps, manifest.previous_default):
        say(f"  gave {MIME_TYPE} back to {', '.join(manifest.previous_default)}")
    if (
        manifest.mimeapps_created
        and places.mimeapps.is_file()
        and _holds_only_headers(places.mimeapps)
    ):
        places.mimeapps.unlink()
        say(f"  removed {places.mimeapps} (it held nothing else)")
    if removed == 0 and not places.manifest.exists():
        say("  nothing to remove: it is not installed here")
        return 0
    created = {Path(d) for d in manifest.dirs}
    ok = all(
        [
            _refresh_mime_database(places, created, say),
            _refresh_desktop_database(places, created, say),
        ]
    )
    places.manifest.unlink(missing_ok=True)
    for folder in sorted(created, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    say("Done: lprof-viewer no longer opens .lprof files from the desktop.")
    return 0 if ok else 1


def main(uninstalling: bool) -> int:
    """``--install-desktop`` (or ``--uninstall-desktop``) for this user; answer the status."""
    places = XdgPlaces.from_env()
    try:
        if uninstalling:
            return uninstall(places)
        return install(places, launch_command())
    except OSError as error:
        print(f"lprof-viewer: {error}", file=sys.stderr)
        return 2
