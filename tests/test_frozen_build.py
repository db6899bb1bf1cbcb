"""The installable build: bundled files found frozen or not, its metadata, a real build."""

from __future__ import annotations

import ast
import os
import plistlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QImageReader

from lprof_viewer import __version__
from lprof_viewer.assets import (
    APP_ICON_SIZES,
    app_icon_png,
    demo_profile,
    linux_desktop_dir,
    resource_path,
    resources_dir,
)
from lprof_viewer.desktop import DESKTOP_FILE

ROOT = Path(__file__).resolve().parent.parent
PYINSTALLER_DIR = ROOT / "packaging" / "pyinstaller"
BUILD_TIMEOUT_S = 900


def test_bundled_files_are_found_unfrozen() -> None:
    assert not hasattr(sys, "_MEIPASS")
    assert demo_profile().is_file()
    assert (demo_profile().parent / "shop_demo.py").is_file()
    assert (linux_desktop_dir() / DESKTOP_FILE).is_file()
    for size in APP_ICON_SIZES:
        image = QImage(str(app_icon_png(size)))
        assert (image.width(), image.height()) == (size, size)


def test_bundled_files_are_found_inside_a_frozen_build(monkeypatch, tmp_path: Path) -> None:
    inside = tmp_path / "_internal" / "lprof_viewer" / "resources"
    (inside / "demo").mkdir(parents=True)
    (inside / "demo" / "demo.lprof").write_bytes(b"frozen")
    (inside / "linux").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert resources_dir() == inside
    assert demo_profile().read_bytes() == b"frozen"
    assert resource_path("icons", "x.png") == inside / "icons" / "x.png"
    assert linux_desktop_dir() == inside / "linux"


def test_windows_and_macos_icons_hold_every_size() -> None:
    ico = QImageReader(str(resource_path("icons", "lprof-viewer.ico")))
    icns = QImageReader(str(resource_path("icons", "lprof-viewer.icns")))
    assert ico.imageCount() == 7 and icns.imageCount() == 10

    def sizes(reader: QImageReader) -> set[int]:
        found = set()
        for index in range(reader.imageCount()):
            reader.jumpToImage(index)
            found.add(reader.read().width())
        return found

    assert sizes(ico) == {16, 24, 32, 48, 64, 128, 256}
    assert sizes(icns) == {16, 32, 64, 128, 256, 512, 1024}


def test_the_bundle_metadata_declares_lprof_documents() -> None:
    sys.path.insert(0, str(PYINSTALLER_DIR))
    try:
        import bundle_metadata
    finally:
        sys.path.remove(str(PYINSTALLER_DIR))
    version = bundle_metadata.project_version()
    assert version == __version__
    plist = bundle_metadata.macos_info_plist(version)
    plistlib.dumps(plist)  # every value is one a plist can hold
    (document,) = plist["CFBundleDocumentTypes"]
    (declared,) = plist["UTExportedTypeDeclarations"]
    assert document["LSItemContentTypes"] == [declared["UTTypeIdentifier"]]
    assert declared["UTTypeTagSpecification"]["public.filename-extension"] == ["lprof"]
    assert "_" not in bundle_metadata.BUNDLE_ID + declared["UTTypeIdentifier"]
    text = bundle_metadata.windows_version_text(version)
    ast.parse(text)  # PyInstaller evaluates it
    assert f"'ProductVersion', '{version}'" in text


def test_the_windows_installer_script_matches_the_build() -> None:
    script = (ROOT / "packaging" / "windows" / "lprof-viewer.iss").read_text(encoding="utf-8")
    assert '#define AppExe "lprof-viewer.exe"' in script
    assert 'Subkey: "Software\\Classes\\.lprof"' in script
    assert "ChangesAssociations=yes" in script
    icon = script.split("SetupIconFile=", 1)[1].splitlines()[0]
    assert (ROOT / "packaging" / "windows" / icon.replace("\\", "/")).resolve().is_file()


def screenshot(program: list[str], out: Path, config: Path) -> None:
    result = subprocess.run(
        [*program, "--screenshot", str(out), "--demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_frozen_build_opens_a_profile_as_the_installed_one_does(tmp_path: Path) -> None:
    started = time.monotonic()
    build = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(tmp_path / "dist"),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    print(f"PyInstaller build took {time.monotonic() - started:.0f} s")
    program = tmp_path / "dist" / "lprof-viewer" / "lprof-viewer"
    if sys.platform == "win32":
        program = program.with_suffix(".exe")
    assert program.is_file()

    version = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"lprof-viewer {__version__}"
    # --demo finds the demo through sys._MEIPASS; the picture must be the one the
    # unfrozen program takes of the same profile.
    frozen, unfrozen = tmp_path / "frozen.png", tmp_path / "unfrozen.png"
    screenshot([str(program)], frozen, tmp_path / "config-frozen")
    screenshot([sys.executable, "-m", "lprof_viewer"], unfrozen, tmp_path / "config-unfrozen")
    assert QImage(str(frozen)).width() == 1280
    assert QImage(str(frozen)) == QImage(str(unfrozen)), "the frozen window looks different"
