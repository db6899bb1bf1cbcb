"""Every profiling run, kept: its command, outcome, profile and a snapshot of the code it measured.

A run lives in its own folder under the history root::

    runs/<script-name>-<hash>/<run-id>/run.json      what ran, how it ended
                                       profile.lprof what kernprof wrote
                                       console.txt   what it printed
                                       sources/      the profiled files, as they were

``index.json`` maps each profile's SHA-256 to its run, so a ``.lprof`` written
by a run (in the history, beside the script, or wherever ``-o`` put it) is
shown with the code it measured even after that code changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.kernprof_command import RunConfig, default_output
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_profiles, read_stats
from lprof_viewer.core.model import Profile, RawStats
from lprof_viewer.core.sources import SourceCache, SourceRoot, is_file
from lprof_viewer.desktop import xdg_base_dir

OK, FAILED, STOPPED, NO_PROFILE, NOTHING_RAN = (
    "ok",
    "failed",
    "stopped",
    "no-profile",
    "nothing-ran",
)


def ended(status: int | None) -> str:
    """How a process ended: 'exited with status 3', or 'was killed by SIGKILL' (status -9)."""
    if status is None:
        return "ended without an exit status"
    if status >= 0:
        return f"exited with status {status}"
    try:
        return f"was killed by {signal.Signals(-status).name}"
    except ValueError:
        return f"was killed by signal {-status}"


def exit_text(status: int | None) -> str:
    """An exit status as a table shows it: '3', 'SIGKILL' for a process a signal ended."""
    if status is None or status >= 0:
        return "" if status is None else str(status)
    try:
        return signal.Signals(-status).name
    except ValueError:
        return f"signal {-status}"


def default_history_root(environ: dict[str, str] | None = None) -> Path:
    """The platform's per-user application data folder for lprof-viewer."""
    environ = dict(os.environ) if environ is None else environ
    if "LPROF_VIEWER_DATA" in environ:
        return Path(environ["LPROF_VIEWER_DATA"])
    home = Path(environ.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(environ.get("APPDATA") or home / "AppData" / "Roaming") / "lprof-viewer"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "lprof-viewer"
    return xdg_base_dir(environ, "XDG_DATA_HOME", home / ".local" / "share") / "lprof-viewer"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Title words for how a run that did not end well ended (any other: "failed run").
_ENDINGS = {STOPPED: "stopped run", NOTHING_RAN: "run that profiled nothing"}


@dataclass
class RunRecord:
    """One profiling run and how it ended."""

    run_id: str
    folder: Path
    script: Path
    python: Path
    cwd: Path
    command: list[str]
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    prof_mods: list[str] = field(default_factory=list)
    started_at: float = 0.0
    duration: float | None = None
    exit_status: int | None = None
    outcome: str | None = None
    message: str = ""
    profile_digest: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    """Recorded file name -> snapshot file, relative to the run folder."""
    copies: list[str] = field(default_factory=list)
    """Other places the profile was written (the ``<script>.lprof`` beside the script)."""
    ran: bool = True
    """False when its profile holds no line that ran (stopped too early, nothing marked)."""

    @property
    def label(self) -> str:
        """'busy.py 21:58:51': the script and the time the run started (with the date
        when that was not today: 'busy.py 2026-11-24 21:58:51')."""
        started = time.localtime(self.started_at)
        when = "%H:%M:%S" if time.localtime()[:3] == started[:3] else "%Y-%m-%d %H:%M:%S"
        return f"{self.script.name} {time.strftime(when, started)}"

    @property
    def profile(self) -> Path:
        """The profile kernprof wrote for this run."""
        return self.folder / "profile.lprof"

    @property
    def console(self) -> Path:
        """What the run printed."""
        return self.folder / "console.txt"

    def printed_tail(self, limit: int = 100_000) -> str:
        """The end of what the run printed (a chatty run's file is gigabytes); '' when gone.

        Cut at a line start, after '…' when there is more before it.
        """
        try:
            with self.console.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - limit))
                data = handle.read()
        except OSError:
            return ""
        text = data.decode("utf-8", errors="replace")
        if size <= limit:
            return text
        return "…\n" + text.partition("\n")[2]

    @property
    def has_profile(self) -> bool:
        """True when kernprof wrote a profile."""
        return self.profile.is_file()

    @property
    def failed(self) -> bool:
        """True for a run that did not end well (its profile may still hold the answer)."""
        return self.outcome not in (OK, None)

    @property
    def title(self) -> str:
        """'busy.py 21:58:51', with '(failed run)' or '(stopped run)' when it did not end well."""
        return f"{self.label} ({self.ending})" if self.failed else self.label

    @property
    def ending(self) -> str:
        """How a run that did not end well ended, for titles: 'stopped run', 'failed run'..."""
        return _ENDINGS.get(self.outcome or "", "failed run")

    def snapshot_files(self) -> dict[str, Path]:
        """Recorded file name -> the snapshot of that file taken after the run."""
        return {name: self.folder / relative for name, relative in self.sources.items()}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping (paths as strings)."""
        data = asdict(self)
        for key in ("folder", "script", "python", "cwd"):
            data[key] = str(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        """Read :meth:`to_json`'s output."""
        data = dict(data)
        for key in ("folder", "script", "python", "cwd"):
            data[key] = Path(data[key])
        known = set(cls.__dataclass_fields__)
        if "ran" not in data:  # written before runs recorded it
            data["ran"] = data.get("outcome") != NOTHING_RAN and not str(
                data.get("message", "")
            ).endswith("before any profiled line ran.")
        return cls(**{key: value for key, value in data.items() if key in known})


#: Where a run keeps its script as it was when the run started, until the run ends.
_AT_START = "script-at-start"


def _keep_script_as_it_starts(script: Path, folder: Path) -> None:
    """Copy the script before it runs: the developer may save an edit while it runs."""
    try:
        (folder / _AT_START).mkdir()
        shutil.copy2(script, folder / _AT_START / script.name)
    except OSError:  # missing or unreadable: the run says so itself
        pass


def _script_key(script: Path) -> str:
    digest = hashlib.sha256(str(script.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{script.stem}-{digest[:10]}"


class ConsoleLog:
    """A run's output, written to its ``console.txt`` as it comes.

    A chatty script can print gigabytes: only the file keeps them all; the
    log keeps the last few kilobytes, for the sentence that ends the run.
    """

    TAIL_CHARS = 4096

    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8", errors="replace")
        self.tail = ""

    def write(self, text: str) -> None:
        """Add output (ignored once the run is kept)."""
        if not self._file.closed:
            self._file.write(text)
            self.tail = (self.tail + text)[-self.TAIL_CHARS :]

    def close(self) -> None:
        """The run ended: the file is complete."""
        self._file.close()


def cannot_keep_run(error: OSError, root: Path) -> str:
    """Why a run cannot start when its folder under ``root`` cannot be made: one sentence."""
    return f"cannot keep the run under {error.filename or root}: {error.strerror or error}."


class RunHistory:
    """The runs kept under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs_dir = root / "runs"

    # -- starting and finishing --------------------------------------------------
    def start(self, config: RunConfig) -> RunRecord:
        """Make the folder of a new run; answer its record (not yet finished).

        The run writes its profile to ``record.profile``: launch
        ``config.session_command(record.profile)``.
        """
        started = time.time()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
        run_id = f"{stamp}-{os.urandom(3).hex()}"
        folder = self.runs_dir / _script_key(config.script) / run_id
        folder.mkdir(parents=True)
        _keep_script_as_it_starts(config.script, folder)
        record = RunRecord(
            run_id,
            folder,
            config.script,
            config.python,
            config.cwd,
            config.command(folder / "profile.lprof"),
            list(config.args),
            dict(config.env),
            list(config.prof_mods),
            started,
        )
        self.save(record)
        return record

    def finish(
        self,
        record: RunRecord,
        exit_status: int | None,
        duration: float,
        console: ConsoleLog,
        stopped: bool = False,
    ) -> RunRecord:
        """Classify how the run ended, snapshot its sources, keep everything."""
        record.exit_status, record.duration = exit_status, duration
        console.close()
        stats: RawStats | ProfileLoadError | None = None
        if record.has_profile:
            try:  # read once: for the outcome and for the sources to keep
                stats = read_stats(record.profile)
            except ProfileLoadError as error:
                stats = error
        record.ran = isinstance(stats, RawStats) and any(
            hits for lines in stats.timings.values() for _, hits, _ in lines
        )
        record.outcome, record.message = self._outcome(
            record, stats, exit_status, duration, console.tail, stopped
        )
        if stats is not None:
            record.profile_digest = file_digest(record.profile)
            if isinstance(stats, RawStats):
                record.sources = self._snapshot_sources(record, {key[0] for key in stats.timings})
            record.copies = self._write_copy_beside_script(record)
            self._index(record)
        shutil.rmtree(record.folder / _AT_START, ignore_errors=True)  # now in sources/, if used
        self.save(record)
        return record

    def _outcome(
        self,
        record: RunRecord,
        stats: RawStats | ProfileLoadError | None,
        status: int | None,
        duration: float,
        console_tail: str,
        stopped: bool,
    ) -> tuple[str, str]:
        name = record.script.name
        ran = record.ran
        if stopped:
            if ran:
                kept = "; its profile holds what ran until then"
            elif isinstance(stats, RawStats):
                kept = ", before any profiled line ran"
            elif status is not None and status == -getattr(signal, "SIGKILL", 0):
                kept = (  # Ctrl+C (Stop) caught, then the force
                    "; it went on when asked to stop, so it was killed before kernprof "
                    "wrote a profile"
                )
            elif status is not None and status < 0:
                kept = f"; it {ended(status)} before kernprof wrote a profile"
            else:
                kept = ""
            return STOPPED, f"{name} was stopped after {duration:.1f} s{kept}."
        lines = reversed(console_tail.splitlines())
        last = next((line.strip() for line in lines if line.strip()), "")
        detail = f": {last}" if last else "."
        if stats is None:
            return (
                NO_PROFILE,
                f"kernprof wrote no profile for {name} ({name} {ended(status)}){detail}",
            )
        if isinstance(stats, ProfileLoadError):
            return NO_PROFILE, str(stats)
        if status != 0 and not ran:  # a SyntaxError, or an error before the first call
            return FAILED, (
                f"{name} {ended(status)} after {duration:.1f} s before any "
                f"profiled line ran{detail}"
            )
        if status != 0:
            return FAILED, (
                f"{name} {ended(status)} after {duration:.1f} s; its profile holds "
                "the lines that ran before the error."
            )
        if not ran:
            return NOTHING_RAN, (
                f"{name} finished, but no profiled function ever ran: mark the functions that "
                "run with @profile (or pass them with -p)."
            )
        return OK, f"{name} finished in {duration:.1f} s."

    def _snapshot_sources(self, record: RunRecord, names: set[str]) -> dict[str, str]:
        """Copy each profiled file into the run's folder; answer name -> copy (relative).

        The script is taken as it was when the run started (saved while it
        ran, it no longer is the code that ran); another file edited during
        the run keeps its time, which tells it apart (``ProfileAnnotator``).
        """
        snapshots = {}
        folder = record.folder / "sources"
        at_start = record.folder / _AT_START / record.script.name
        for index, name in enumerate(sorted(names)):
            original = Path(name) if Path(name).is_absolute() else record.cwd / name
            if not is_file(original):
                continue
            if is_file(at_start) and original.resolve() == record.script.resolve():
                original = at_start
            target = folder / f"{index:03d}" / Path(name).name  # its own name, for messages
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(original, target)
            except OSError:  # unreadable: the run is kept without this file's code
                continue
            snapshots[name] = str(target.relative_to(record.folder))
        return snapshots

    def _write_copy_beside_script(self, record: RunRecord) -> list[str]:
        """The ``<script>.py.lprof`` plain kernprof would have written."""
        target = default_output(record.script)
        try:
            shutil.copy2(record.profile, target)
        except OSError:
            return []
        return [str(target)]

    # -- storage -------------------------------------------------------------------
    def save(self, record: RunRecord) -> None:
        """Write a run's record."""
        path = record.folder / "run.json"
        path.write_text(json.dumps(record.to_json(), indent=1), encoding="utf-8")

    def _index_path(self) -> Path:
        return self.root / "index.json"

    def _read_index(self) -> dict[str, str]:
        try:
            data = json.loads(self._index_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _index(self, record: RunRecord) -> None:
        index = self._read_index()
        if record.profile_digest:
            index[record.profile_digest] = str(record.folder)
        self._write_index(index)

    def _write_index(self, index: dict[str, str]) -> None:
        """Replace the index in one step: a crash midway leaves the old one."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self._index_path().with_suffix(".tmp")
        temporary.write_text(json.dumps(index), encoding="utf-8")
        os.replace(temporary, self._index_path())

    def load(self, folder: Path) -> RunRecord | None:
        """The run kept in ``folder``, or None when it is gone or unreadable.

        The index names folders as they were when it was written: a history
        copied or moved elsewhere finds each run in its own runs folder.
        """
        if not folder.is_relative_to(self.runs_dir):
            folder = self.runs_dir / folder.parent.name / folder.name
        try:
            record = RunRecord.from_json(json.loads((folder / "run.json").read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        # Where it is now: a history copied or moved elsewhere must not reach the original.
        record.folder = folder
        return record

    def keeps(self, path: Path) -> bool:
        """True for a file inside a kept run's folder (its profile, a snapshot), links resolved."""
        return path.resolve().is_relative_to(self.runs_dir.resolve())

    def runs_for(self, script: Path) -> list[RunRecord]:
        """A script's runs, newest first."""
        folder = self.runs_dir / _script_key(script)
        if not folder.is_dir():
            return []
        runs = [self.load(child) for child in folder.iterdir() if child.is_dir()]
        return sorted((r for r in runs if r), key=lambda r: r.started_at, reverse=True)

    def run_for_profile(self, profile: Path) -> RunRecord | None:
        """The run that wrote a .lprof with exactly these bytes, if the history has it."""
        index = self._read_index()
        if not index:  # nothing recorded: no need to read the file again to hash it
            return None
        try:
            digest = file_digest(profile)
        except OSError:
            return None
        folder = index.get(digest)
        return self.load(Path(folder)) if folder else None

    def delete(self, record: RunRecord) -> None:
        """Forget a run and remove its folder."""
        shutil.rmtree(record.folder, ignore_errors=True)
        index = self._read_index()
        kept = {digest: folder for digest, folder in index.items() if folder != str(record.folder)}
        if kept != index:
            self._write_index(kept)


def open_with_sources(
    paths: Sequence[Path],
    roots: Sequence[SourceRoot],
    history: RunHistory | None,
    cache: SourceCache | None = None,
    profile: Profile | None = None,
) -> tuple[ProfileAnnotator, RunRecord | None]:
    """Load ``paths`` (merged when several) with their sources, and the run that wrote them.

    A profile a run in the history wrote is paired with that run's snapshot of
    the code it measured, even after the files on disk changed. Sources are
    read through ``cache`` when given (shared by profiles of the same code).
    ``profile`` is that of ``paths`` when read already (``preload``).
    """
    if profile is None:
        profile = load_profiles(paths)
    run = history.run_for_profile(paths[0]) if history is not None and len(paths) == 1 else None
    snapshots = run.snapshot_files() if run else None
    started, title = (run.started_at, run.title) if run else (None, None)
    annotator = ProfileAnnotator(
        profile, roots, cache, snapshots=snapshots, run_started_at=started, run_title=title
    )
    return annotator, run
