"""Build lprof-viewer as a program people install: PyInstaller, then (on Windows) Inno Setup.

::

    pip install -e ".[build]"
    python packaging/build.py               # dist/lprof-viewer/ (macOS: also lprof-viewer.app)
    python packaging/build.py --installer   # Windows: also dist/lprof-viewer-<version>-setup.exe

The one-folder build starts faster than a one-file build (nothing to unpack on each
start). The installer needs Inno Setup 6's ``iscc`` on PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
SPEC = PACKAGING / "pyinstaller" / "lprof-viewer.spec"
ISS = PACKAGING / "windows" / "lprof-viewer.iss"

sys.path.insert(0, str(PACKAGING / "pyinstaller"))
from bundle_metadata import project_version  # noqa: E402


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; answer the built program's folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    return dist / "lprof-viewer"


def build_installer(dist: Path) -> Path:
    """Compile the Inno Setup script around the built folder; answer the installer."""
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        raise SystemExit("build.py: Inno Setup's iscc is not on PATH (https://jrsoftware.org).")
    version = project_version()
    subprocess.run(
        [
            iscc,
            f"/DAppVersion={version}",
            f"/DDistDir={dist / 'lprof-viewer'}",
            f"/O{dist}",
            str(ISS),
        ],
        check=True,
    )
    return dist / f"lprof-viewer-{version}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    """Build; print where the result is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's scratch")
    parser.add_argument(
        "--installer", action="store_true", help="also build the Windows installer (Inno Setup)"
    )
    args = parser.parse_args(argv)
    program = build(args.dist.resolve(), args.work.resolve())
    print(f"build.py: built {program}")
    if args.installer:
        if sys.platform != "win32":
            raise SystemExit("build.py: the Inno Setup installer is built on Windows.")
        print(f"build.py: built {build_installer(args.dist.resolve())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
