"""Shared pytest setup: headless Qt and session-scoped fixtures with real ``.lprof`` files."""

import io
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep QSettings (recent files, source roots) of tests, and of the app processes
# they start, out of the user's real configuration.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="lprof-viewer-test-config-")
os.environ["LPROF_VIEWER_DATA"] = tempfile.mkdtemp(prefix="lprof-viewer-test-data-")
# Windows the tests start never hand files to (or take them from) a real running one.
os.environ["LPROF_VIEWER_INSTANCE"] = f"lprof-viewer-test-{os.getpid()}"

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from fixtures import (
    EDITED_SCRIPT_NOW,
    EDITED_SCRIPT_V1,
    EDITED_SCRIPT_V2,
    apply_one_query_fix,
    as_line_profiler_4,
    copy_django_site,
    copy_script,
    run_kernprof,
)

from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.run_headless import run_and_record
from lprof_viewer.core.run_history import OK, RunHistory

DJANGO_ENV = {"DJANGO_SETTINGS_MODULE": "django_site.settings"}


def _profile_script(factory: pytest.TempPathFactory, name: str, *, check: bool = True) -> Path:
    """Copy ``tests/scripts/<name>`` to a fresh folder, profile it by absolute path."""
    folder = factory.mktemp(Path(name).stem)
    script = copy_script(name, folder)
    out = folder / f"{script.stem}.lprof"
    run_kernprof(script, out, check=check)
    return out


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    """pytest-qt's ``qapp`` is the app's own QApplication (it handles ``QFileOpenEvent``)."""
    from lprof_viewer.ui.application import ViewerApplication

    return ViewerApplication


@pytest.fixture(scope="session")
def busy_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``busy.py`` (several functions, a method, decorators, non-ASCII)."""
    return _profile_script(tmp_path_factory, "busy.py")


@pytest.fixture(scope="session")
def generated_code_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A function compiled under ``<generated ... >``, a name longer than a file name may be."""
    return _profile_script(tmp_path_factory, "generated_code.py")


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
def statements_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``statements.py``: docstrings, statements over lines, a branch never taken."""
    return _profile_script(tmp_path_factory, "statements.py")


@pytest.fixture(scope="session")
def nothing_profiled_lprof(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profile of ``nothing_profiled.py``: no function marked, so no timings at all."""
    return _profile_script(tmp_path_factory, "nothing_profiled.py")


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


@pytest.fixture(scope="session")
def django_before_after_lprofs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``BookListView`` profiled before and after the N+1 loop became one query.

    Two copies of the site, the second edited by ``apply_one_query_fix`` (lines
    inserted above unchanged lines of ``author_names``): each profile records its
    own copy, which keeps its version of the code, as a run's snapshot does. Both
    are profiled at once to save a second.
    """
    sites = [
        copy_django_site(tmp_path_factory.mktemp(name) / "django_site")
        for name in ("django_before", "django_after")
    ]
    apply_one_query_fix(sites[1])
    outs = [site / "profile_view.lprof" for site in sites]
    with ThreadPoolExecutor(2) as pool:
        done = pool.map(
            lambda site, out: run_kernprof(site / "profile_view.py", out, env=DJANGO_ENV),
            sites,
            outs,
        )
        list(done)  # re-raises a failed run
    return outs[0], outs[1]


@pytest.fixture(scope="session")
def busy_4x_5x_lprofs(
    busy_lprof: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same run of ``busy.py`` as line_profiler 4.x (derived) and 5.x (real) files record it."""
    old = as_line_profiler_4(busy_lprof, tmp_path_factory.mktemp("busy_4x") / "busy_4x.lprof")
    return old, busy_lprof


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunHistory, Path, Path, Path]:
    """A script run twice from a run history, edited between and after the runs.

    Answers (history, profile A, profile B, script); the script on disk matches
    neither run, so only the runs' source snapshots show what each measured.
    """
    folder = tmp_path_factory.mktemp("two_runs")
    history = RunHistory(folder / "history")
    script = folder / "work" / "job.py"
    script.parent.mkdir()
    profiles = []
    for text in (EDITED_SCRIPT_V1, EDITED_SCRIPT_V2):
        script.write_text(text, encoding="utf-8")
        record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
        assert record.outcome == OK, record.message
        profiles.append(record.profile)
    script.write_text(EDITED_SCRIPT_NOW, encoding="utf-8")
    return history, profiles[0], profiles[1], script
