"""Helpers that produce real ``kernprof -l`` output for the test suite.

The scripts in ``tests/scripts`` and the Django project in ``tests/django_site`` are
copied to a temporary folder before profiling, so the recorded source paths point at
the copies and tests may edit or delete those sources freely.
"""

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from line_profiler import load_stats
from line_profiler._line_profiler import LineStats as LineStats3x

TESTS_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = TESTS_DIR / "scripts"
DJANGO_SITE_DIR = TESTS_DIR / "django_site"
KERNPROF_TIMEOUT = 60.0

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.lprof")

#: line_profiler 5.x records a method as ``Worker.process`` from the code's qualified
#: name, which Python has from 3.11 on; under 3.10 it records ``process``, as 4.x does.
QUALIFIED_NAMES = sys.version_info >= (3, 11)


def recorded(qualified_name: str) -> str:
    """The name kernprof records here for a function of this qualified name."""
    return qualified_name if QUALIFIED_NAMES else qualified_name.rpartition(".")[2]


def run_kernprof(
    script: Path,
    out: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kernprof -l -o OUT SCRIPT`` and return the finished process.

    ``script`` is passed exactly as given (absolute or relative to ``cwd``); ``cwd``
    defaults to the script's folder and ``env`` entries are added to ``os.environ``.
    ``--no-config`` keeps a stray ``line_profiler.toml``/``pyproject.toml`` from changing
    the run. With ``check`` the exit code must be 0 and ``out`` must exist afterwards.
    """
    if cwd is None:
        cwd = script.parent if script.is_absolute() else Path.cwd() / script.parent
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "kernprof", "--no-config", "-l", "-o", str(out), str(script)]
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=KERNPROF_TIMEOUT,
        check=False,
    )
    if check:
        details = f"{cmd} in {cwd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert proc.returncode == 0, details
        assert out.is_file(), f"no profile written\n{details}"
    return proc


def copy_script(name: str, dest: Path) -> Path:
    """Copy ``tests/scripts/<name>`` byte for byte into ``dest``; return the copy's path."""
    dest.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(SCRIPTS_DIR / name, dest / name))


def copy_django_site(dest: Path) -> Path:
    """Copy the ``tests/django_site`` project to ``dest`` (created); return ``dest``."""
    shutil.copytree(DJANGO_SITE_DIR, dest, ignore=_IGNORED)
    return dest


# The N+1 loop of ``shop.views.author_names`` (one author query per book) ...
N_PLUS_ONE_LOOP = """\
    \"\"\"Collect the distinct author names, one FK query per book (the N+1 pattern).\"\"\"
    seen: set[str] = set()
    names = []
    for book in books:
        name = book.author.name
        if name not in seen:
"""
# ... and the fix: one query joining the authors in. Three lines are inserted above
# the unchanged ``seen``/``names`` lines (shifting them), the loop header changes and
# the line that queried once per book is gone.
ONE_QUERY_LOOP = """\
    \"\"\"Collect the distinct author names with one query, not one per book.\"\"\"
    # One query joins every book to its author (was: one query per book).
    pks = [book.pk for book in books]
    rows = Book.objects.filter(pk__in=pks).order_by("title").values_list("author__name")
    seen: set[str] = set()
    names = []
    for (name,) in rows:
        if name not in seen:
"""


def apply_one_query_fix(site: Path) -> Path:
    """Edit a copy of the Django site: replace the N+1 loop of ``author_names``; answer views.py."""
    views = site / "shop" / "views.py"
    text = views.read_text(encoding="utf-8")
    assert text.count(N_PLUS_ONE_LOOP) == 1, f"the N+1 loop is no longer in {views}"
    views.write_text(text.replace(N_PLUS_ONE_LOOP, ONE_QUERY_LOOP), encoding="utf-8")
    return views


KeyMap = Callable[[tuple[str, int, str]], tuple[str, int, str]]


def repickle(
    source: Path,
    out: Path,
    key_map: KeyMap = lambda key: key,
    unit: float | None = None,
    stats_class: type = LineStats3x,
) -> Path:
    """Write ``source``'s timings to ``out`` again, keys rewritten by ``key_map``.

    With ``unit`` the ticks are rescaled to it (rounded to whole ticks, as a timer
    of that resolution records them). The default class pickles as
    ``line_profiler._line_profiler.LineStats``, where line_profiler 3.x to 5.0.0
    kept it.
    """
    stats = load_stats(source)
    scale = 1.0 if unit is None else stats.unit / unit
    timings = {
        key_map(key): [
            (lineno, hits, ticks if unit is None else round(ticks * scale))
            for lineno, hits, ticks in lines
        ]
        for key, lines in stats.timings.items()
    }
    with out.open("wb") as handle:
        pickle.dump(stats_class(timings, unit or stats.unit), handle, pickle.HIGHEST_PROTOCOL)
    return out


def as_line_profiler_4(source: Path, out: Path) -> Path:
    """A 4.x-style copy of a 5.x profile: method names unqualified, 3.x-5.0.0 class path.

    Derived rather than recorded because installing line_profiler 4.x is not
    possible offline in the time a test may take; the only differences 4.x makes
    for the same code are these two (4.x records ``process`` where 5.x records
    ``Worker.process``).
    """
    return repickle(source, out, lambda key: (key[0], key[1], key[2].rsplit(".", 1)[-1]))


# A script profiled twice from the run history, edited between the runs and again after.
EDITED_SCRIPT_V1 = '''\
"""Profiled twice from the run history, edited between the runs."""


@profile
def work(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


work(3000)
'''
# Version 2: two lines inserted above unchanged ones.
EDITED_SCRIPT_V2 = EDITED_SCRIPT_V1.replace(
    "    total = 0\n", "    step = 2\n    n = n // step\n    total = 0\n"
)
# On disk at diff time: neither version (everything shifted, a line changed).
EDITED_SCRIPT_NOW = "# a header\n# added\n# later\n" + EDITED_SCRIPT_V2.replace("% 7", "% 11")


#: Every profile fixture conftest.py makes from a fresh kernprof run.
PROFILE_FIXTURES = [
    "busy_lprof",
    "busy_relative_lprof",
    "raises_lprof",
    "never_called_lprof",
    "nothing_profiled_lprof",
    "statements_lprof",
    "latin1_lprof",
    "django_view_lprof",
    "django_wsgi_lprof",
]


def python_env() -> dict[str, str]:
    """The environment for a child Python that must import this checkout, printing UTF-8."""
    root = str(TESTS_DIR.parent)
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8"}


def run_python(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` on this checkout (``python_env``), its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


TWO_VIEWS_MAIN = """
from app1 import views as first
from app2 import views as second

first.index(200_000)
second.index(5)
"""
SLOW_INDEX = """
@profile
def index(n):
    return sum(range(n))  # app1: the slow one
"""
FAST_INDEX = """




@profile
def index(n):
    return n  # app2: the fast one
"""


def two_checkouts_of_two_apps(tmp_path: Path) -> tuple[Path, Path]:
    """Two checkouts (before/, after/) of apps app1 and app2, each with an ``index`` view in
    its views.py; after/ has ten lines added above app1's. Each profiled by kernprof."""
    profiles = []
    for checkout, above in (("before", ""), ("after", "# a comment\n" * 10)):
        root = tmp_path / checkout
        for app, text in (("app1", above + SLOW_INDEX.lstrip()), ("app2", FAST_INDEX)):
            (root / app).mkdir(parents=True)
            (root / app / "__init__.py").write_text("")
            (root / app / "views.py").write_text(text)
        script = root / "main.py"
        script.write_text(TWO_VIEWS_MAIN)
        profiles.append(tmp_path / f"{checkout}.lprof")
        run_kernprof(script, profiles[-1])
    return profiles[0], profiles[1]
