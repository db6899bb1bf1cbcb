"""``lprof-viewer run``: profile a script from a terminal, streaming its output, keeping the run."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from lprof_viewer.core.ending_signals import ending_signals_handled
from lprof_viewer.core.kernprof_command import (
    RunConfig,
    cannot_start,
    line_profiler_probe,
    probe_problem,
)
from lprof_viewer.core.run_history import ConsoleLog, RunHistory, RunRecord


class RunError(Exception):
    """The run could not start; the message is one sentence."""


def check_interpreter(config: RunConfig) -> None:
    """Raise :class:`RunError` unless the script, folder and interpreter with kernprof are there."""
    problem = config.problem()
    if problem:
        raise RunError(problem)
    try:
        probe = subprocess.run(
            line_profiler_probe(config.python),
            cwd=config.cwd,
            env=config.environment(),  # a PYTHONPATH of the run's may be where line_profiler is
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=60,
            check=False,
        )
    except OSError as error:
        raise RunError(cannot_start(config.python, error)) from None
    except subprocess.TimeoutExpired:
        raise RunError(f"The interpreter {config.python} did not answer within a minute.") from None
    problem = probe_problem(config.python, probe.returncode, probe.stdout)
    if problem:
        raise RunError(problem)


def _echo(line: str, out: TextIO) -> bool:
    """Copy a line of the run's output to ``out``; False once it cannot take more.

    ``lprof-viewer run s.py | head`` closes the pipe early, and a redirection
    to a full disk fails: the run goes on (its output still reaches the
    console file) and is kept as usual.
    """
    try:
        out.write(line)
        out.flush()
    except OSError:  # BrokenPipeError, or no space left
        return False
    return True


#: How long a stopped run may take to write its profile before it is killed.
STOP_GRACE_S = 5.0


class _OutputCopy:
    """Copies a run's output to its console file and, while someone reads, to ``out``."""

    def __init__(self, console: ConsoleLog, out: TextIO) -> None:
        self._console, self._out = console, out
        self._echoing = True

    def all_of(self, process: subprocess.Popen[str]) -> None:
        """Copy what ``process`` prints until it closes its output."""
        assert process.stdout is not None
        for line in process.stdout:
            self._console.write(line)
            self._echoing = self._echoing and _echo(line, self._out)


def run_and_record(config: RunConfig, history: RunHistory, out: TextIO) -> RunRecord:
    """Run kernprof on the script, copy its output to ``out`` as it comes, keep the run."""
    check_interpreter(config)
    record = history.start(config)
    console = ConsoleLog(record.console)
    started = time.monotonic()
    process = subprocess.Popen(
        config.session_command(record.profile),
        cwd=config.cwd,
        env=config.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    )
    copy = _OutputCopy(console, out)
    with _hangup_stops_the_run():
        stopped = _copy_until_done(process, copy)
    status = process.wait()
    return history.finish(record, status, time.monotonic() - started, console, stopped)


def _copy_until_done(process: subprocess.Popen[str], copy: _OutputCopy) -> bool:
    """Copy the run's output until it ends; answer whether it was stopped (Ctrl+C)."""
    try:
        copy.all_of(process)
    except KeyboardInterrupt:
        # Ctrl+C reaches only us (the run is a session of its own): pass it on, and
        # keep reading, or a run still printing as it stops fills the pipe and hangs.
        stop_process_group(process.pid)
        killer = threading.Timer(STOP_GRACE_S, stop_process_group, (process.pid, True))
        killer.start()
        try:
            copy.all_of(process)
            process.wait(timeout=STOP_GRACE_S)  # output closed, process still going?
        except (KeyboardInterrupt, subprocess.TimeoutExpired):  # no more waiting
            stop_process_group(process.pid, force=True)
        finally:
            killer.cancel()
        return True
    return False


@contextmanager
def _hangup_stops_the_run() -> Iterator[None]:
    """Closing the terminal (SIGHUP) or ``kill`` (SIGTERM) stops the run as Ctrl+C does.

    The run is a session of its own, so these reach only us; left to their
    default, we would end at once and leave kernprof running unseen, its run
    never kept. Windows has neither a session to leave behind nor SIGHUP.
    """
    if not hasattr(os, "killpg"):
        yield
        return
    with ending_signals_handled(signal.default_int_handler):
        yield


def stop_process_group(pid: int, force: bool = False) -> None:
    """End a run started as a session leader, with every child it made.

    Politely is as Ctrl+C in a terminal: SIGINT, on which kernprof still
    writes the profile of what ran so far. By force: SIGKILL.
    """
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL if force else signal.SIGINT)
        else:  # pragma: no cover - Windows
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(pid)], check=False)
    except (ProcessLookupError, PermissionError):
        pass
