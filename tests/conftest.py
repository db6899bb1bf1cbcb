"""Shared pytest setup: headless Qt and session-scoped fixtures with real ``.lprof`` files."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep QSettings (recent files, source roots) of tests, and of the app processes
# they start, out of the user's real configuration.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="lprof-viewer-test-config-")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from fixtures import copy_django_site, copy_script, run_kernprof

DJANGO_ENV = {"DJANGO_SETTINGS_MODULE": "django_site.settings"}


def _profile_script(factory: pytest.TempPathFactory, name: str, *, check: bool = True) -> Path:
    """Copy ``tests/scripts/<name>`` to a fresh folder, profile it by absolute path."""
    folder = factory.mktemp(Path(name).stem)
    script = copy_script(name, folder)
    out = folder / f"{script.stem}.lprof"
    run_kernprof(script, out, check=check)
    return out


@pytest.fixture(scope="session")
def busy_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``busy.py`` (several functions, a method, decorators, non-ASCII)."""
    return _profile_script(tmp_path_factory, "busy.py")


@pytest.fixture(scope="session")
def busy_relative_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``busy.py`` run as ``kernprof ... busy.py``: keys hold a relative filename.

    The source sits next to the ``.lprof`` (the folder kernprof ran in).
    """
    folder = tmp_path_factory.mktemp("busy_relative")
    copy_script("busy.py", folder)
    out = folder / "busy.lprof"
    run_kernprof(Path("busy.py"), out, cwd=folder)
    return out


@pytest.fixture(scope="session")
def raises_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``raises.py``: kernprof exits non-zero but still writes the profile."""
    folder = tmp_path_factory.mktemp("raises")
    script = copy_script("raises.py", folder)
    out = folder / "raises.lprof"
    proc = run_kernprof(script, out, check=False)
    assert proc.returncode != 0, "raises.py was expected to fail"
    assert "FixtureError" in proc.stderr, proc.stderr
    assert out.is_file(), f"kernprof wrote no profile after the exception\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def never_called_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``never_called.py``: one function, zero hits."""
    return _profile_script(tmp_path_factory, "never_called.py")


@pytest.fixture(scope="session")
def latin1_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``latin1_source.py``, a source file encoded in latin-1."""
    return _profile_script(tmp_path_factory, "latin1_source.py")


def _profile_django(factory: pytest.TempPathFactory, script_name: str) -> Path:
    """Copy the Django test site to a fresh folder and profile one of its scripts there."""
    site = copy_django_site(factory.mktemp(Path(script_name).stem) / "django_site")
    script = site / script_name
    out = site / f"{script.stem}.lprof"
    run_kernprof(script, out, env=DJANGO_ENV)
    return out


@pytest.fixture(scope="session")
def django_view_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``BookListView`` called directly (``profile_view.py``, no middleware)."""
    return _profile_django(tmp_path_factory, "profile_view.py")


@pytest.fixture(scope="session")
def django_wsgi_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of a full request through the WSGI handler (``profile_wsgi.py``)."""
    return _profile_django(tmp_path_factory, "profile_wsgi.py")
