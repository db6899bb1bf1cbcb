"""What to run to profile a script: the interpreter, and the kernprof command line."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Folders beside or above a script that usually hold the project's virtualenv.
VENV_NAMES = (".venv", "venv", "env", ".env")

#: Run in the interpreter before kernprof so the whole run is one process group
#: (Stop ends the script's children too): become a session leader, then exec.
# A session of its own, so Stop reaches the script and all it started; SIGINT
# (Stop is Ctrl+C) set back to its default, for a viewer started ignoring it
# (``lprof-viewer &`` from a script), which the run would otherwise inherit.
_SESSION_LEADER = (
    "import os, signal, sys\n"
    "if hasattr(os, 'setsid'):\n"
    "    os.setsid()\n"
    "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
)


def venv_python(folder: Path) -> Path | None:
    """The interpreter of the virtualenv in ``folder``, if it is one."""
    for candidate in (folder / "bin" / "python", folder / "Scripts" / "python.exe"):
        if candidate.is_file():
            return candidate
    return None


def find_project_python(script: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The project's interpreter: a venv beside or above the script, the active one, or ours."""
    environ = os.environ if environ is None else environ
    for folder in [script.resolve().parent, *script.resolve().parent.parents]:
        for name in VENV_NAMES:
            found = venv_python(folder / name)
            if found is not None:
                return found
    active = environ.get("VIRTUAL_ENV")
    if active:
        found = venv_python(Path(active))
        if found is not None:
            return found
    return Path(sys.executable)


def default_output(script: Path) -> Path:
    """Where plain ``kernprof -l script.py`` writes, run from the script's folder."""
    return script.with_name(f"{script.name}.lprof")


@dataclass
class RunConfig:
    """Everything that decides one profiling run of a script."""

    script: Path
    python: Path
    cwd: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    prof_mods: list[str] = field(default_factory=list)

    @classmethod
    def for_script(cls, script: Path) -> RunConfig:
        """Defaults: the project's interpreter, the script's folder."""
        script = script.resolve()
        return cls(script, find_project_python(script), script.parent)

    def kernprof_arguments(self, output: Path) -> list[str]:
        """``-m kernprof -l -o OUT [-p MOD]... SCRIPT ARGS...`` (after the interpreter)."""
        mods = [arg for mod in self.prof_mods if mod.strip() for arg in ("-p", mod.strip())]
        return ["-m", "kernprof", "-l", "-o", str(output), *mods, str(self.script), *self.args]

    def command(self, output: Path) -> list[str]:
        """The whole command a person would type."""
        return [str(self.python), *self.kernprof_arguments(output)]

    def session_command(self, output: Path) -> list[str]:
        """The command run in its own process group, so Stop can end all of it."""
        return [str(self.python), "-c", _SESSION_LEADER, *self.kernprof_arguments(output)]

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of the run: ours, the user's variables, unbuffered output."""
        merged = dict(os.environ if base is None else base)
        merged.update(self.env)
        merged.setdefault("PYTHONUNBUFFERED", "1")
        return merged

    def problem(self) -> str | None:
        """One sentence when the run cannot start (missing script, interpreter, folder)."""
        if self.script.is_dir():
            return f"The script {self.script} is a folder, not a Python file."
        if not self.script.is_file():
            return f"The script {self.script} does not exist."
        if not self.python.exists():
            return f"The interpreter {self.python} does not exist."
        if self.python.is_dir():
            return f"The interpreter {self.python} is a folder, not a Python interpreter."
        if not os.access(self.python, os.X_OK):
            return f"The interpreter {self.python} is not executable."
        if not self.cwd.is_dir():
            return f"The working folder {self.cwd} does not exist."
        return None


def find_interpreter(python: str, environment: Mapping[str, str] | None = None) -> Path:
    """A bare name (``python3``) looked up on the run's PATH as a shell would; a path as given.

    ``./python3`` is a path, as in a shell: only a name without a folder
    separator is looked up.
    """
    if is_bare_name(python):
        search = (os.environ if environment is None else environment).get("PATH")
        found = shutil.which(python, path=search)
        if found:
            return Path(found).absolute()
    return Path(python).expanduser()


def is_bare_name(text: str) -> bool:
    """True for ``python3``, looked up on PATH; False for a path (``./python3``, ``bin/py``)."""
    return bool(text) and not any(sep in text for sep in (os.sep, os.altsep) if sep)


#: What the probe prints when the interpreter imported both.
PROBE_ANSWER = "lprof-viewer: kernprof and line_profiler import"


def line_profiler_probe(python: Path) -> list[str]:
    """A command that prints :data:`PROBE_ANSWER` only when ``python`` imports kernprof."""
    return [str(python), "-c", f"import kernprof, line_profiler; print({PROBE_ANSWER!r})"]


def probe_problem(python: Path, exit_code: int, output: str) -> str | None:
    """What is wrong with ``python`` after the probe, in one sentence; None when it can run.

    A Python without line_profiler says ``No module named``; anything else
    that did not print the answer (``/bin/true``, a shell script, another
    program) is not a Python interpreter at all.
    """
    if exit_code == 0 and PROBE_ANSWER in output:
        return None
    if _MISSING_PACKAGE.search(output):
        return missing_line_profiler(python)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    # The error's own line, not what a crash prints after it ("<no Python frame>").
    errors = [line for line in lines if "Error" in line]
    telling = (errors or lines or [""])[-1][:200]
    if exit_code == 0 or not lines:  # ran and said nothing of ours: another program
        said = f" (it said: {telling})" if telling else ""
        return f"{python} is not a Python interpreter that can run kernprof{said}."
    return cannot_start(python, telling)


#: How Python says the probe's imports failed (not some other module, e.g. a broken install's).
_MISSING_PACKAGE = re.compile(r"No module named '(?:kernprof|line_profiler)'")


def missing_line_profiler(python: Path) -> str:
    """The sentence for an interpreter without line_profiler, with the command that installs it."""
    return (
        f"line_profiler is not installed for {python}; install it with: "
        f'"{python}" -m pip install line_profiler'
    )


def cannot_start(python: Path, why: object = None) -> str:
    """The sentence for an interpreter that does not start (``why``: the OS error, if known)."""
    return f"The interpreter {python} cannot be started{f': {why}' if why else ''}."


def parse_env(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines (blank lines and # comments ignored) as a mapping.

    Lines as typed in a box: a space left at the end of a line is dropped
    (``--env`` arguments, by :func:`parse_env_item`, keep theirs).
    """
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, value = parse_env_item(line)
        env[key] = value
    return env


def parse_env_item(item: str) -> tuple[str, str]:
    """One ``KEY=VALUE`` (as ``--env`` takes it): the key, and the value as written.

    Written ``KEY = VALUE``, spaced as an assignment, the spaces around ``=``
    go together: the value does not begin with one (Django's settings module
    ' site.settings' is no module).
    """
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"environment setting {item!r} is not KEY=VALUE.")
    if key != key.rstrip():
        value = value.lstrip()
    return key.strip(), value


def format_env(env: Mapping[str, str]) -> str:
    """The inverse of :func:`parse_env`."""
    return "\n".join(f"{key}={value}" for key, value in env.items())


def quoted(command: Sequence[str]) -> str:
    """A command line as one string a shell would accept."""
    import shlex

    return shlex.join(command)
