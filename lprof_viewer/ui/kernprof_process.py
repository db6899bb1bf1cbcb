"""A kernprof run in a QProcess: checked, streamed, stoppable, and kept in the history."""

from __future__ import annotations

import codecs
import os
import time
from typing import Any

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from lprof_viewer.core.kernprof_command import (
    RunConfig,
    cannot_start,
    line_profiler_probe,
    probe_problem,
    quoted,
)
from lprof_viewer.core.run_headless import stop_process_group
from lprof_viewer.core.run_history import ConsoleLog, RunHistory, RunRecord, cannot_keep_run
from lprof_viewer.ui.workers import LatestTask

#: How long Stop waits after asking politely before it kills.
STOP_GRACE_MS = 3000


def _utf8_decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


class KernprofProcess(QObject):
    """Checks the interpreter, runs ``python -m kernprof -l`` in the background, keeps the run."""

    #: Text the run printed (stdout and stderr, as it comes).
    output = Signal(str)
    #: The run could not start: one sentence.
    failed_to_start = Signal(str)
    #: The run ended (any way): its kept record.
    finished = Signal(object)

    def __init__(self, history: RunHistory, parent: Any = None) -> None:
        super().__init__(parent)
        self.history = history
        self.config: RunConfig | None = None
        self.record: RunRecord | None = None
        self._process: QProcess | None = None
        self._decoder = _utf8_decoder()
        self._console: ConsoleLog | None = None
        self._started = 0.0
        self._script_started = 0.0  # after the interpreter check: what the run's duration counts
        self._stopping = False
        self._keeper = LatestTask(self)
        self._keeping = False

    @property
    def running(self) -> bool:
        """True from the start of the check until the ended run is kept."""
        return self._process is not None or self._keeping

    @property
    def pid(self) -> int | None:
        """The process id of the running step (the check or kernprof), if any."""
        return self._process.processId() if self._process is not None else None

    def start(self, config: RunConfig) -> bool:
        """Check, then run ``config``; False (and ``failed_to_start``) when it cannot start."""
        if self.running:
            return False
        problem = config.problem()
        if problem:
            self.failed_to_start.emit(problem)
            return False
        self.config, self.record = config, None
        self._console, self._stopping = None, False
        self._started = time.monotonic()
        probe = self._new_process()
        probe.finished.connect(self._probe_finished)
        command = line_profiler_probe(config.python)
        probe.start(command[0], command[1:])
        return True

    def _new_process(self) -> QProcess:
        """A process in the run's folder and environment (the probe's too: a PYTHONPATH
        the run sets may be where line_profiler is)."""
        assert self.config is not None
        process = QProcess(self)
        process.setWorkingDirectory(str(self.config.cwd))
        environment = process.processEnvironment()
        for key, value in self.config.environment().items():
            environment.insert(key, value)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        # Nobody can type into the console: input() (a forgotten breakpoint(), a
        # Django prompt) reads end of file and fails, instead of waiting forever.
        process.setStandardInputFile(QProcess.nullDevice())
        process.errorOccurred.connect(self._error)
        self._process = process
        return process

    def _probe_finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        assert self.config is not None
        probe, self._process = self._process, None
        if probe is not None:
            probe.deleteLater()
        if self._stopping:
            self.failed_to_start.emit("The run was stopped before it started.")
            return
        said = bytes(probe.readAll().data()).decode(errors="replace") if probe else ""
        problem = probe_problem(self.config.python, exit_code, said)
        if problem:
            self.failed_to_start.emit(problem)
            return
        self._run()

    def _run(self) -> None:
        assert self.config is not None
        config = self.config
        try:
            self.record = self.history.start(config)
        except OSError as error:  # the history folder cannot be made or written
            reason = cannot_keep_run(error, self.history.root)
            self.failed_to_start.emit(reason[0].upper() + reason[1:])
            return
        self._console = ConsoleLog(self.record.console)
        self._decoder = _utf8_decoder()
        process = self._new_process()
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._run_finished)
        command = config.session_command(self.record.profile)
        self._emit(f"$ {quoted(self.record.command)}\n")
        self._script_started = time.monotonic()
        process.start(command[0], command[1:])

    def _emit(self, text: str) -> None:
        if self._console is not None:
            self._console.write(text)
        self.output.emit(text)

    def _read_output(self) -> None:
        if self._process is not None:
            data = self._process.readAllStandardOutput().data()
            # A character may come in two reads: the decoder keeps its first bytes.
            self._emit(self._decoder.decode(bytes(data)))

    def _run_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._read_output()
        self._emit(self._decoder.decode(b"", final=True))
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
        # Ended by a signal, Qt gives its number as the exit code: the status is then
        # minus the signal, as subprocess writes it ('was killed by SIGSEGV').
        crashed = status == QProcess.ExitStatus.CrashExit
        code: int | None = exit_code
        if crashed:
            code = -exit_code if os.name == "posix" and exit_code > 0 else None
        assert self.record is not None and self._console is not None
        # Keeping the run reads its profile and copies its sources: not on the GUI thread.
        self._keeping = True
        console = self._console
        # As the headless run counts it: the script's time, not the interpreter check's.
        elapsed, stopping = time.monotonic() - self._script_started, self._stopping
        finish = self.history.finish
        self._keeper.start(
            self._kept, self._not_kept, finish, self.record, code, elapsed, console, stopping
        )

    def _kept(self, record: RunRecord) -> None:
        self._keeping = False
        self._emit(f"\n{record.message}\n")
        self.finished.emit(record)

    def _not_kept(self, message: str) -> None:
        assert self.record is not None
        self.record.message = f"The run ended but could not be kept: {message}"
        self._kept(self.record)

    def elapsed_since_start(self) -> float:
        """Seconds since start, also after the process has ended."""
        return time.monotonic() - self._started

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.config is not None:
            self._process = None
            self.failed_to_start.emit(cannot_start(self.config.python))

    def stop(self) -> None:
        """End the run and every process it started (politely, then by force)."""
        process = self._process
        if process is None:
            return
        self._stopping = True
        pid = process.processId()
        if pid and self.record is not None:
            stop_process_group(pid)
        else:
            process.terminate()
        QTimer.singleShot(STOP_GRACE_MS, lambda: self._kill(process))

    def _kill(self, process: QProcess) -> None:
        if self._process is process and process.state() != QProcess.ProcessState.NotRunning:
            pid = process.processId()
            if pid:
                stop_process_group(pid, force=True)
            process.kill()
