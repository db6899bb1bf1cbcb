"""Helpers that produce real ``kernprof -l`` output for the test suite.

The scripts in ``tests/scripts`` and the Django project in ``tests/django_site`` are
copied to a temporary folder before profiling, so the recorded source paths point at
the copies and tests may edit or delete those sources freely.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = TESTS_DIR / "scripts"
DJANGO_SITE_DIR = TESTS_DIR / "django_site"
KERNPROF_TIMEOUT = 60.0

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.lprof")


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
