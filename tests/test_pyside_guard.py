"""The PySide6 6.12.0 trap: on Python < 3.12 it drops a reference to None per void Qt call.

The process then dies with ``Fatal Python error: none_dealloc`` after about 5,000 calls
(6.11.3 is fine; Python 3.12+ is immune, None being immortal there). pyproject.toml must keep
that release out for Python < 3.12, and the PySide6 we run with must survive many such calls.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PYSIDE_NAMES = {"pyside6", "pyside6-essentials", "pyside6-addons"}
BAD_RELEASE = Version("6.12.0")


def _pyside_requirements() -> list[Requirement]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib arrived in Python 3.11")
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return [r for r in requirements if canonicalize_name(r.name) in PYSIDE_NAMES]


def _applying_on(python: str) -> list[Requirement]:
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    return [r for r in _pyside_requirements() if r.marker is None or r.marker.evaluate(environment)]


@pytest.mark.parametrize("python", ["3.10", "3.11"])
def test_bad_release_excluded_before_python_3_12(python: str):
    applying = _applying_on(python)

    assert applying, f"no PySide6 requirement applies on Python {python}"
    for requirement in applying:
        assert not requirement.specifier.contains(BAD_RELEASE), str(requirement)
        assert requirement.specifier.contains(Version("6.11.3")), str(requirement)


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_bad_release_allowed_from_python_3_12(python: str):
    applying = _applying_on(python)

    assert applying, f"no PySide6 requirement applies on Python {python}"
    for requirement in applying:
        assert requirement.specifier.contains(BAD_RELEASE), str(requirement)


def test_the_exclusion_is_an_environment_marker():
    markers = [str(r.marker) for r in _pyside_requirements() if r.marker is not None]
    assert any("python_version" in marker for marker in markers), markers


SURVIVAL = """
import sys
from PySide6 import __version__
from PySide6.QtGui import QStandardItem

item = QStandardItem()
before = sys.getrefcount(None)
for i in range(100_000):
    item.setText(str(i))
after = sys.getrefcount(None)
print(__version__, before, after)
print("survived")
"""


def test_many_void_qt_calls_survive():
    proc = subprocess.run(
        [sys.executable, "-c", SURVIVAL],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode == 0, f"exit status {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "survived" in proc.stdout
    version, before, after = proc.stdout.split()[:3]
    # The broken release loses one reference per call: 100,000 here.
    assert int(after) > int(before) - 1_000, f"PySide6 {version} leaks references to None"
