"""Double-clicking a .lprof on Linux: the desktop entry, the MIME type, install and uninstall.

Everything runs the real freedesktop tools (Debian's desktop-file-utils, shared-mime-info
and xdg-utils; ``.ci/run`` installs them) in a throwaway HOME, never the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lprof_viewer.assets import linux_desktop_dir
from lprof_viewer.desktop import APP_ID, DESKTOP_FILE, MIME_TYPE
from lprof_viewer.desktop.xdg_install import (
    XdgPlaces,
    desktop_entry,
    exec_quote,
    install,
    launch_command,
    uninstall,
)

TOOLS = ("desktop-file-validate", "update-mime-database", "update-desktop-database", "xdg-mime")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="XDG desktop integration is for Linux"
)


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, (
        f"missing {missing}: apt-get install desktop-file-utils shared-mime-info xdg-utils "
        "libfile-mimeinfo-perl (.ci/run does)"
    )


def desktop_env(root: Path, path: str | None = None) -> dict[str, str]:
    """An environment whose HOME, XDG folders and desktop are all throwaway and generic."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "KDE_", "GNOME_", "DESKTOP_SESSION"))
    }
    env.update(
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_DATA_DIRS="/usr/local/share:/usr/share",
        XDG_CONFIG_DIRS="/etc/xdg",
        # xdg-mime picks its method by desktop; X-Generic means the freedesktop files alone
        # (`mimetype` reads the shared-mime-info database, mimeapps.list holds defaults).
        XDG_CURRENT_DESKTOP="X-Generic",
        DE="generic",
    )
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if path is not None:
        env["PATH"] = path
    (root / "home").mkdir(parents=True, exist_ok=True)
    return env


def lprof_viewer(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lprof_viewer", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def xdg_mime(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["xdg-mime", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def files_under(*roots: Path) -> dict[Path, bytes]:
    return {
        path: path.read_bytes()
        for root in roots
        if root.exists()
        for path in root.rglob("*")
        if path.is_file()
    }


def validate(desktop_file: Path) -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(desktop_file)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    require_tools()
    entry = linux_desktop_dir() / DESKTOP_FILE
    validate(entry)
    text = entry.read_text(encoding="utf-8")
    for line in (
        "Exec=lprof-viewer %F",
        f"MimeType={MIME_TYPE};",
        f"Icon={APP_ID}",
        "Categories=Development;Profiling;",
    ):
        assert line in text.splitlines()


def test_an_installed_entry_quotes_an_awkward_path_validly(tmp_path: Path) -> None:
    require_tools()
    template = (linux_desktop_dir() / DESKTOP_FILE).read_text(encoding="utf-8")
    command = ["/opt/my tools/100% $fast/python", "-m", "lprof_viewer"]
    entry = tmp_path / DESKTOP_FILE
    entry.write_text(desktop_entry(template, command), encoding="utf-8")
    validate(entry)
    assert (
        r'Exec="/opt/my tools/100%% \\$fast/python" -m lprof_viewer %F'
        in entry.read_text(encoding="utf-8").splitlines()
    )


def test_exec_arguments_are_quoted_as_the_spec_asks() -> None:
    assert exec_quote("/usr/bin/lprof-viewer") == "/usr/bin/lprof-viewer"
    assert exec_quote("/a b/c") == '"/a b/c"'
    assert exec_quote('say "hi"') == r'"say \"hi\""'
    assert exec_quote("50%") == "50%%"
    assert exec_quote("") == '""'


def test_the_mime_type_is_accepted_by_update_mime_database(tmp_path: Path) -> None:
    require_tools()
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(linux_desktop_dir() / f"{APP_ID}.xml", packages)
    result = subprocess.run(
        ["update-mime-database", "-V", str(tmp_path / "mime")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    generated = (tmp_path / "mime" / f"{MIME_TYPE}.xml").read_text(encoding="utf-8")
    assert "<comment>line_profiler results</comment>" in generated
    assert f"{MIME_TYPE}:*.lprof" in (tmp_path / "mime" / "globs").read_text(encoding="utf-8")


def test_install_registers_lprof_files_and_uninstall_removes_every_file(tmp_path: Path) -> None:
    require_tools()
    env = desktop_env(tmp_path)
    data, config = Path(env["XDG_DATA_HOME"]), Path(env["XDG_CONFIG_HOME"])
    profile = tmp_path / "home" / "run.lprof"
    profile.write_bytes(b"\x80\x04not really a pickle")
    assert xdg_mime(env, "query", "filetype", str(profile)) != MIME_TYPE

    installed = lprof_viewer(env, "--install-desktop")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for step in ("ran update-mime-database", "ran update-desktop-database", "ran xdg-mime"):
        assert step in installed.stdout, installed.stdout

    assert xdg_mime(env, "query", "filetype", str(profile)) == MIME_TYPE
    assert xdg_mime(env, "query", "default", MIME_TYPE) == DESKTOP_FILE
    entry = data / "applications" / DESKTOP_FILE
    validate(entry)
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    program = exec_line.removeprefix("Exec=").split()[0]
    assert Path(program).is_absolute() and os.access(program, os.X_OK), exec_line
    for size in (16, 32, 48, 64, 128, 256):
        assert (data / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
    assert (data / f"icons/hicolor/scalable/apps/{APP_ID}.svg").is_file()
    assert (data / "icons/hicolor/scalable/mimetypes/application-x-lprof.svg").is_file()
    after_install = files_under(data, config)

    again = lprof_viewer(env, "--install-desktop")
    assert again.returncode == 0, again.stderr
    assert "wrote" not in again.stdout and "unchanged" in again.stdout, again.stdout
    assert files_under(data, config).keys() == after_install.keys()

    removed = lprof_viewer(env, "--uninstall-desktop")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert files_under(data, config) == {}
    assert not data.exists() and not config.exists(), "folders install created are left"
    assert xdg_mime(env, "query", "filetype", str(profile)) != MIME_TYPE

    twice = lprof_viewer(env, "--uninstall-desktop")
    assert twice.returncode == 0 and "nothing to remove" in twice.stdout, twice.stdout


def test_uninstall_keeps_what_other_applications_registered(tmp_path: Path) -> None:
    require_tools()
    env = desktop_env(tmp_path)
    data, config = Path(env["XDG_DATA_HOME"]), Path(env["XDG_CONFIG_HOME"])
    (data / "applications").mkdir(parents=True)
    other_entry = data / "applications" / "org.example.Other.desktop"
    other_entry.write_text(
        "[Desktop Entry]\nType=Application\nName=Other\nExec=true %f\n"
        "MimeType=application/x-other-thing;\n"
    )
    (data / "mime" / "packages").mkdir(parents=True)
    (data / "mime" / "packages" / "org.example.Other.xml").write_text(
        '<?xml version="1.0"?>\n<mime-info xmlns="http://www.freedesktop.org/standards/'
        'shared-mime-info"><mime-type type="application/x-other-thing">'
        '<comment>other</comment><glob pattern="*.other"/></mime-type></mime-info>\n'
    )
    subprocess.run(["update-mime-database", str(data / "mime")], check=True, timeout=60)
    config.mkdir()
    mimeapps = config / "mimeapps.list"
    mimeapps.write_text(
        "[Default Applications]\napplication/x-other-thing=org.example.Other.desktop\n"
        f"{MIME_TYPE}=org.example.Other.desktop;\n"  # the viewer the user had for .lprof
    )
    before = files_under(data, config)

    assert lprof_viewer(env, "--install-desktop").returncode == 0
    assert xdg_mime(env, "query", "default", MIME_TYPE) == DESKTOP_FILE
    assert lprof_viewer(env, "--install-desktop").returncode == 0  # twice: still undone right
    removed = lprof_viewer(env, "--uninstall-desktop")
    assert removed.returncode == 0, removed.stdout + removed.stderr

    assert sorted(mimeapps.read_text().splitlines()) == sorted(
        [
            "[Default Applications]",
            "application/x-other-thing=org.example.Other.desktop",
            f"{MIME_TYPE}=org.example.Other.desktop;",
        ]
    )
    assert other_entry.read_text() == before[other_entry].decode()
    left = set(files_under(data, config))
    assert not any(APP_ID in str(path) or "lprof" in path.name for path in left), left
    other = tmp_path / "home" / "a.other"
    other.write_text("x")
    assert xdg_mime(env, "query", "filetype", str(other)) == "application/x-other-thing"


def test_missing_tools_are_skipped_with_a_note(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    env = desktop_env(tmp_path, path=str(empty_path))
    installed = lprof_viewer(env, "--install-desktop")
    assert installed.returncode == 0, installed.stderr
    for tool, package in (
        ("update-mime-database", "shared-mime-info"),
        ("update-desktop-database", "desktop-file-utils"),
        ("xdg-mime", "xdg-utils"),
    ):
        assert f"skipped {tool}: not installed (Debian/Ubuntu package {package})" in (
            installed.stdout
        )
    assert (Path(env["XDG_DATA_HOME"]) / "applications" / DESKTOP_FILE).is_file()
    assert "Done, in part" in installed.stdout and "Done: " not in installed.stdout
    removed = lprof_viewer(env, "--uninstall-desktop")
    assert removed.returncode == 0, removed.stderr
    assert files_under(tmp_path / "data", tmp_path / "config") == {}


def test_an_interrupted_install_is_still_undone(tmp_path: Path) -> None:
    places = XdgPlaces(tmp_path / "data", tmp_path / "config")

    def say(line: str) -> None:
        if "wrote" in line and "icons" in line:
            raise BrokenPipeError  # e.g. `lprof-viewer --install-desktop | head -3`

    with pytest.raises(BrokenPipeError):
        install(places, ["/usr/bin/lprof-viewer"], say)
    assert (places.data_home / "applications" / DESKTOP_FILE).is_file()
    assert uninstall(places, say=lambda _: None) == 0
    assert not tmp_path.joinpath("data").exists() and not tmp_path.joinpath("config").exists()


def test_the_exec_command_is_the_running_lprof_viewer(monkeypatch, tmp_path: Path) -> None:
    script = tmp_path / "venv" / "bin" / "lprof-viewer"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script)])
    assert launch_command() == [str(script)]

    python = tmp_path / "other" / "bin" / "python3"
    monkeypatch.setattr(sys, "argv", ["-m"])
    monkeypatch.setattr(sys, "executable", str(python))
    assert launch_command() == [str(python), "-m", "lprof_viewer"]
    (python.parent).mkdir(parents=True)
    (python.parent / "lprof-viewer").write_text("#!/bin/sh\n")
    assert launch_command() == [str(python.parent / "lprof-viewer")]

    frozen = tmp_path / "dist" / "lprof-viewer" / "lprof-viewer"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(frozen))
    assert launch_command() == [str(frozen)]
