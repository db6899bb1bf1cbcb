"""Shared by the benchmarks: run commands in fresh processes, summarise, print and save figures.

Every sample is one child process. Its wall time is taken with ``time.perf_counter``
around the whole run; an "in-process" job instead prints, as its last line of
output, the seconds of the one call it timed itself.

Peak memory is the command's maximum resident set size as reported by
``/usr/bin/time -f %M`` (GNU time), or else by a small Python wrapper reading
``RUSAGE_CHILDREN``. A wrapper is needed: Linux carries the high-water mark of
the process that forks over into the child at ``exec``, so a child spawned
straight from this (large) process would report this process's peak.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
STDERR_TAIL = 2000


class CommandFailed(RuntimeError):
    """A measured command exited with an error or did not write what it should."""


def child_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment for measured commands: this checkout first on the import path.

    Bytecode is cached under ``folder`` for every module (this checkout has no
    ``__pycache__`` of its own, and PYTHONDONTWRITEBYTECODE may be set), so after
    a warm-up run no command pays for compiling, as with an installed package.
    The commands get an empty run history and settings of their own.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # The user's run history and settings (a unit, a window layout) stay out of the figures.
    env["LPROF_VIEWER_DATA"] = str(folder / "data")
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    env.update(extra)
    return env


def use_this_checkout() -> None:
    """Make ``import lprof_viewer`` in this process find this checkout."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Job:
    """One thing to measure: a command run ``repeats`` times, each in a fresh process."""

    name: str
    argv: Sequence[str]
    cwd: Path
    repeats: int
    stdout_path: Path | None = None  # shell-style ``> FILE``
    output: Path | None = None  # must exist, non-empty, after each run
    in_process: bool = False  # the child prints the seconds of the call it timed
    timeout: float | None = None  # seconds; None waits for ever

    def shell(self) -> str:
        """The command as a person would type it (for the JSON and error messages)."""
        text = shlex.join(self.argv)
        return f"{text} > {self.stdout_path.name}" if self.stdout_path else text


@dataclass
class Measurement:
    """The samples (seconds) and peak memory (bytes) of one measured thing."""

    name: str
    seconds: list[float] = field(default_factory=list)
    peak_rss: list[int] = field(default_factory=list)
    command: str | None = None

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float | None:
        """Highest peak RSS over the samples, in MiB (None when not measured)."""
        return max(self.peak_rss) / MIB if self.peak_rss else None


@dataclass(frozen=True)
class _Run:
    wall: float
    peak_rss: int | None
    stdout: str


# Runs the command, then writes its peak RSS in KiB (as GNU time's %M) to argv[1].
RSS_WRAPPER = """\
import resource, subprocess, sys
status = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as handle:
    handle.write(str(peak // 1024 if sys.platform == "darwin" else peak))
sys.exit(status)
"""
GNU_TIME = Path("/usr/bin/time")


@functools.cache
def _has_gnu_time() -> bool:
    """Whether ``/usr/bin/time`` understands GNU's ``-f %M -o FILE``."""
    if not GNU_TIME.exists():
        return False
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "rss"
        probe = [str(GNU_TIME), "-f", "%M", "-o", str(out), sys.executable, "-c", "pass"]
        done = subprocess.run(probe, capture_output=True, check=False)
        return done.returncode == 0 and _read_kib(out) is not None


def _with_rss_report(argv: Sequence[str], rss_file: Path) -> list[str] | None:
    """``argv`` wrapped so that its peak RSS lands in ``rss_file``; None where impossible."""
    if _has_gnu_time():
        return [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *argv]
    if os.name == "posix":
        return [sys.executable, "-c", RSS_WRAPPER, str(rss_file), *argv]
    return None


def _read_kib(rss_file: Path) -> int | None:
    """The last line of an RSS report (GNU time may put a status line before it)."""
    try:
        return int(rss_file.read_text().split()[-1])
    except (OSError, IndexError, ValueError):
        return None


def _wait(proc: subprocess.Popen[bytes], job: Job) -> int:
    """Wait for ``proc``; past the job's timeout, end its whole process group.

    A plain blocking wait, with a timer to end it: ``Popen.wait(timeout=...)``
    polls in sleeps of up to 50 ms, which rounded every window figure up to
    the next 50 ms.
    """
    if job.timeout is None:
        return proc.wait()
    expired = threading.Event()

    def end_it() -> None:
        expired.set()
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()

    timer = threading.Timer(job.timeout, end_it)
    timer.start()
    try:
        status = proc.wait()
    finally:
        timer.cancel()
    if expired.is_set():
        message = f"{job.name}: `{job.shell()}` still running after {job.timeout} s"
        raise CommandFailed(message)
    return status


def _run(job: Job, env: Mapping[str, str]) -> _Run:
    """Run ``job`` once to completion; raise CommandFailed unless it succeeded."""
    if job.output is not None:
        job.output.unlink(missing_ok=True)
    with ExitStack() as stack:
        err: IO[bytes] = stack.enter_context(tempfile.TemporaryFile())
        out: IO[bytes]
        if job.stdout_path is not None:
            out = stack.enter_context(job.stdout_path.open("wb"))
        else:
            out = stack.enter_context(tempfile.TemporaryFile())
        rss_file = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "rss"
        argv = _with_rss_report(job.argv, rss_file) or list(job.argv)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=job.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # a timeout ends the command too, not just its wrapper
        )
        status = _wait(proc, job)
        wall = time.perf_counter() - start
        peak_kib = _read_kib(rss_file)
        if status != 0:
            err.seek(0)
            tail = err.read()[-STDERR_TAIL:].decode(errors="replace").strip()
            raise CommandFailed(f"{job.name}: `{job.shell()}` exited with {status}:\n{tail}")
        stdout = ""
        if job.stdout_path is None:
            out.seek(0)
            stdout = out.read().decode(errors="replace")
    if job.output is not None and not (job.output.exists() and job.output.stat().st_size):
        raise CommandFailed(f"{job.name}: `{job.shell()}` did not write {job.output}")
    return _Run(wall, None if peak_kib is None else peak_kib * 1024, stdout)


def _seconds(job: Job, run: _Run) -> float:
    if not job.in_process:
        return run.wall
    try:
        return float(run.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise CommandFailed(f"{job.name}: expected elapsed seconds, got {run.stdout!r}") from None


def warm_up(job: Job, env: Mapping[str, str]) -> None:
    """Run ``job`` once, unmeasured: fills the page cache and writes .pyc files."""
    _run(job, env)


def measure_warm(
    jobs: Sequence[Job], env: Mapping[str, str], unwarmed: Sequence[Job] = ()
) -> dict[str, Measurement]:
    """Warm every job of ``jobs`` up, then ``measure`` them with ``unwarmed`` (slow baselines)."""
    for job in jobs:
        warm_up(job, env)
    return measure([*jobs, *unwarmed], env)


def measure(
    jobs: Sequence[Job], env: Mapping[str, str], progress: Callable[[str], None] | None = None
) -> dict[str, Measurement]:
    """Sample every job, round-robin so that drift in the machine's load hits all alike."""
    progress = progress or _to_stderr
    results = {job.name: Measurement(job.name, command=job.shell()) for job in jobs}
    for round_index in range(max((job.repeats for job in jobs), default=0)):
        for job in jobs:
            if round_index >= job.repeats:
                continue
            run = _run(job, env)
            seconds = _seconds(job, run)
            result = results[job.name]
            result.seconds.append(seconds)
            if run.peak_rss is not None:
                result.peak_rss.append(run.peak_rss)
            progress(f"  {job.name} [{round_index + 1}/{job.repeats}]: {seconds:.3f} s")
    return results


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Check:
    """A target a measurement is held to, and whether it met it."""

    measured: str
    target: str
    passed: bool | None  # None: shown for information, no target


def at_most_times(result: Measurement, baseline: Measurement, limit: float) -> Check:
    """``result`` takes at most ``limit`` times as long as ``baseline`` (medians)."""
    ratio = result.median / baseline.median
    return Check(f"{ratio:.2f}x", f"<= {limit:g}x {baseline.name}", ratio <= limit)


def at_least_faster(result: Measurement, baseline: Measurement, factor: float) -> Check:
    """``result`` is at least ``factor`` times faster than ``baseline`` (medians)."""
    speedup = baseline.median / result.median
    return Check(
        f"{speedup:.1f}x faster", f">= {factor:g}x faster than {baseline.name}", speedup >= factor
    )


def compared_with(result: Measurement, baseline: Measurement) -> Check:
    """``result``'s median as a multiple of ``baseline``'s, with no target."""
    ratio = result.median / baseline.median
    return Check(f"{ratio:.2f}x", f"(none; vs {baseline.name})", None)


def peak_below(result: Measurement, limit_mib: float) -> Check:
    """``result``'s highest peak RSS stays under ``limit_mib``."""
    peak = result.peak_mib
    if peak is None:
        return Check("not measured", f"peak < {limit_mib:g} MiB", False)
    return Check(f"peak {peak:.0f} MiB", f"peak < {limit_mib:g} MiB", peak < limit_mib)


@dataclass
class Row:
    """One line of the results table: a measurement and the targets it is held to."""

    result: Measurement
    checks: list[Check] = field(default_factory=list)


_SCALE = {"s": 1.0, "ms": 1e3}


def format_table(rows: Sequence[Row], unit: str = "s") -> str:
    """The results as a plain-text table; a measurement with several targets spans lines."""
    scale = _SCALE[unit]
    header = ["measurement", f"median {unit}", "min", "max", "peak MiB", "vs baseline", "target"]
    lines: list[list[str]] = []
    for row in rows:
        seconds = row.result.seconds
        peak = row.result.peak_mib
        figures = [
            row.result.name,
            *(f"{value * scale:.3f}" for value in (row.result.median, min(seconds), max(seconds))),
            "-" if peak is None else f"{peak:.0f}",
        ]
        if not row.checks:
            lines.append([*figures, "", "", ""])
        for index, check in enumerate(row.checks):
            lead = figures if index == 0 else [""] * len(figures)
            lines.append([*lead, check.measured, check.target, _verdict(check)])
    header.append("result")
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    right = {1, 2, 3, 4}
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()
        for cells in [header, *lines]
    )


def all_passed(rows: Sequence[Row]) -> bool:
    """No target was missed (informational comparisons do not count)."""
    return all(check.passed is not False for row in rows for check in row.checks)


def _verdict(check: Check) -> str:
    return {True: "PASS", False: "FAIL", None: "-"}[check.passed]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: Path, rows: Sequence[Row], settings: Mapping[str, Any]) -> None:
    """Save the figures (seconds, MiB) and verdicts as JSON."""
    results = []
    for row in rows:
        result = row.result
        results.append(
            {
                "name": result.name,
                "command": result.command,
                "seconds": result.seconds,
                "median": result.median,
                "min": min(result.seconds),
                "max": max(result.seconds),
                "peak_rss_mib": result.peak_mib,
                "checks": [vars(check) for check in row.checks],
            }
        )
    document = {"machine": machine(), "settings": dict(settings), "results": results}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def common_parser(description: str, repeats: int | None = 5) -> argparse.ArgumentParser:
    """The options every benchmark takes: --workdir, --json and (usually) --repeats."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--workdir", type=Path, help="generate the profile here and keep it (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, metavar="RESULT.json", help="also save the figures")
    if repeats is not None:
        parser.add_argument(
            "--repeats", type=int, default=repeats, help=f"samples per measurement ({repeats})"
        )
    return parser


@contextmanager
def working_folder(requested: Path | None) -> Iterator[Path]:
    """``requested`` (created if needed, kept afterwards) or a temporary folder."""
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        yield requested.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="lprof-bench-") as folder:
        yield Path(folder)
