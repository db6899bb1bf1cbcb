"""A diff's work shared with forked helpers: the same diff and files, no helper left behind.

``lprof-viewer diff`` reads B's side in a helper (``pair_loading``) and has
a helper write the second half of the functions (``DiffExporter.write``).
Each case runs in a fresh process, as the command does: a helper is only
forked from a process with one thread, and a test session may have started
Qt's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from lprof_viewer.core.helper_process import can_fork
from lprof_viewer.core.run_history import RunHistory

REPO_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")

# Before each script: forks are counted; ``in_helper()`` tells a helper from this process.
# Two cores are seen whatever the machine has: the helpers are tested on one core too.
COUNTING_FORKS = """
import io, json, os, sys
from pathlib import Path
os.sched_getaffinity = lambda pid: {0, 1}
parent = os.getpid()
forks = []
real_fork = os.fork
def counted_fork():
    forks.append(1)
    return real_fork()
os.fork = counted_fork

def in_helper():
    return os.getpid() != parent
"""

# After each script: it prints its ``result`` with the forks made and whether any
# child process was left.
PRINTING_RESULT = """
result["forks"] = len(forks)
try:
    os.waitpid(-1, os.WNOHANG)
    result["child left"] = True
except ChildProcessError:
    result["child left"] = False
print(json.dumps(result))
"""


def run_script(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` in a fresh process; answer the result it prints."""
    done = subprocess.run(
        [sys.executable, "-c", COUNTING_FORKS + script + PRINTING_RESULT, *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# argv: A, B, "parallel" or "serial", what goes wrong (see SABOTAGE), a history root or "".
# The result holds the diff's JSON export, or why it was refused.
OPEN_DIFF = """
import lprof_viewer.core.pair_loading as pair_loading
from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.diff_export import diff_exporter_for
from lprof_viewer.core.lprof_reader import ProfileLoadError
from lprof_viewer.core.run_history import RunHistory

path_a, path_b, mode, sabotage, history_root = sys.argv[1:6]
SABOTAGE
history = RunHistory(Path(history_root)) if history_root else None
result = {}
try:
    diff = pair_loading.open_diff(
        Path(path_a), Path(path_b), [], history, in_parallel=mode == "parallel"
    )
except (ProfileLoadError, KeyboardInterrupt) as error:
    result["refused"] = str(error) or type(error).__name__
else:
    out = io.StringIO()
    diff_exporter_for("json").write(diff, out)
    result["diff"] = json.loads(out.getvalue())
"""

SABOTAGE = {
    "none": "",
    # The helper dies once it has sent B's profile, before its files.
    "helper dies reading files": """
real_read = ProfileAnnotator.read_every_file
def read_every_file(self):
    if in_helper():
        os._exit(3)
    real_read(self)
ProfileAnnotator.read_every_file = read_every_file
""",
    # The helper dies before sending anything.
    "helper dies at once": """
real_open = pair_loading.open_with_sources
def open_with_sources(*args, **kwargs):
    if in_helper():
        os._exit(3)
    return real_open(*args, **kwargs)
pair_loading.open_with_sources = open_with_sources
""",
    # Ctrl+C while this process reads A: the helper must not be left running.
    "interrupted": """
real_read_side = pair_loading._read_side
def read_side(path, *args):
    if not in_helper():
        raise KeyboardInterrupt
    return real_read_side(path, *args)
pair_loading._read_side = read_side
""",
}


def open_diff_in_a_process(
    a: Path,
    b: Path,
    mode: str = "parallel",
    sabotage: str = "none",
    history: RunHistory | None = None,
) -> dict[str, Any]:
    """Run ``open_diff`` in a fresh process; answer what ``OPEN_DIFF`` prints."""
    script = OPEN_DIFF.replace("SABOTAGE", SABOTAGE[sabotage])
    root = str(history.root) if history else ""
    return run_script(script, str(a), str(b), mode, sabotage, root)


def test_the_helper_gives_the_diff_read_one_side_after_the_other(
    django_before_after_lprofs: tuple[Path, Path],
) -> None:
    """The Django view before and after its N+1 fix: the same JSON, to the last line."""
    parallel = open_diff_in_a_process(*django_before_after_lprofs)
    serial = open_diff_in_a_process(*django_before_after_lprofs, mode="serial")

    assert parallel["forks"] == 1 and serial["forks"] == 0
    assert not parallel["child left"]
    assert parallel["diff"] == serial["diff"]
    author_names = next(f for f in parallel["diff"]["functions"] if f["name"].endswith("names"))
    assert {"inserted", "removed", "same"} <= {line["kind"] for line in author_names["lines"]}
    assert all(line["source_a"] or line["source_b"] for line in author_names["lines"])


def test_runs_from_the_history_are_read_with_their_snapshots_by_the_helper(
    two_runs: tuple[RunHistory, Path, Path, Path],
) -> None:
    history, a, b, script = two_runs
    parallel = open_diff_in_a_process(a, b, history=history)
    serial = open_diff_in_a_process(a, b, mode="serial", history=history)

    assert parallel["forks"] == 1
    assert parallel["diff"] == serial["diff"]
    sources = {line["source_b"] for f in parallel["diff"]["functions"] for line in f["lines"]}
    # B's code as that run measured it, not the script as it is now.
    now = set(script.read_text(encoding="utf-8").splitlines())
    assert sources - now


@pytest.mark.parametrize("sabotage", ["helper dies reading files", "helper dies at once"])
def test_a_helper_that_dies_leaves_this_process_to_read_b(
    sabotage: str, django_before_after_lprofs: tuple[Path, Path]
) -> None:
    rescued = open_diff_in_a_process(*django_before_after_lprofs, sabotage=sabotage)
    serial = open_diff_in_a_process(*django_before_after_lprofs, mode="serial")

    assert rescued["forks"] == 1 and not rescued["child left"]
    assert rescued["diff"] == serial["diff"]


@pytest.mark.parametrize("broken", ["a", "b", "both"])
def test_a_refused_profile_is_named_as_one_after_the_other_would(
    broken: str, busy_lprof: Path, tmp_path: Path
) -> None:
    bad = tmp_path / f"{broken}_bad.lprof"
    bad.write_text("Timer unit: 1e-06 s\n", encoding="utf-8")
    worse = tmp_path / "worse.lprof"
    worse.write_bytes(b"\x80\x05junk")
    a, b = {"a": (bad, busy_lprof), "b": (busy_lprof, bad), "both": (bad, worse)}[broken]

    parallel = open_diff_in_a_process(a, b)
    serial = open_diff_in_a_process(a, b, mode="serial")

    assert parallel["refused"] == serial["refused"]
    assert parallel["refused"].startswith(f"{bad.name} is a text file")
    assert not parallel["child left"]


def test_an_interrupted_diff_leaves_no_helper_running(
    busy_lprof: Path,
) -> None:
    result = open_diff_in_a_process(busy_lprof, busy_lprof, sabotage="interrupted")

    assert result == {"refused": "KeyboardInterrupt", "forks": 1, "child left": False}


def test_no_helper_is_forked_beside_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window diffs on a pool thread: forking there could copy a lock some thread holds."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})  # whatever the machine has
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        other.join()
    if len(os.listdir("/proc/self/task")) == 1:  # this test process may run Qt's threads
        assert can_fork()


# argv: A, B, format, output, "parallel" or "serial", what goes wrong ("none" or
# "helper dies writing"). Writes the diff as ``lprof-viewer diff`` does, any
# number of functions being enough for a helper to write half of them; the result
# holds the command's exit status.
WRITE_DIFF = """
import lprof_viewer.core.diff_export as diff_export
from lprof_viewer.cli import main

path_a, path_b, format, output, mode, sabotage = sys.argv[1:7]
diff_export.PARALLEL_FROM = 1
if mode == "serial":  # no helper where there is one core
    os.sched_getaffinity = lambda pid: {0}
if sabotage == "helper dies writing":
    exporter = diff_export.DiffJsonExporter
    real_text = exporter.function_text
    def function_text(self, index, function):
        if in_helper():
            os._exit(3)
        return real_text(self, index, function)
    exporter.function_text = function_text
result = {"status": main(["diff", path_a, path_b, "--format", format, "-o", output])}
"""


def write_diff_in_a_process(
    a: Path, b: Path, format: str, output: Path, mode: str, sabotage: str = "none"
) -> dict[str, Any]:
    """Run ``lprof-viewer diff`` in a fresh process; answer what ``WRITE_DIFF`` prints."""
    return run_script(WRITE_DIFF, str(a), str(b), format, str(output), mode, sabotage)


@pytest.mark.parametrize("format", ["json", "text", "html"])
def test_a_helper_writing_half_the_functions_writes_the_same_file(
    format: str, django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    shared, alone = tmp_path / f"shared.{format}", tmp_path / f"alone.{format}"

    parallel = write_diff_in_a_process(*django_before_after_lprofs, format, shared, "parallel")
    serial = write_diff_in_a_process(*django_before_after_lprofs, format, alone, "serial")

    assert parallel == {"status": 0, "forks": 2, "child left": False}  # B's side, then half
    assert serial["forks"] == 0
    written = shared.read_text(encoding="utf-8")
    assert written == alone.read_text(encoding="utf-8")
    assert "author_names" in written


def test_a_helper_that_dies_writing_leaves_this_process_to_write_its_half(
    django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    rescued, alone = tmp_path / "rescued.json", tmp_path / "alone.json"

    result = write_diff_in_a_process(
        *django_before_after_lprofs, "json", rescued, "parallel", "helper dies writing"
    )
    write_diff_in_a_process(*django_before_after_lprofs, "json", alone, "serial")

    assert result == {"status": 0, "forks": 2, "child left": False}
    assert json.loads(rescued.read_text(encoding="utf-8")) == json.loads(
        alone.read_text(encoding="utf-8")
    )


def test_a_helper_is_forked_from_a_command_started_without_standard_streams(
    django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    """``pythonw``, or a launcher that closed them: nothing to flush before forking."""
    output = tmp_path / "diff.json"
    script = """
import lprof_viewer.core.diff_export as diff_export
from lprof_viewer.cli import main

diff_export.PARALLEL_FROM = 1
real_stdout, sys.stdout, sys.stderr = sys.stdout, None, None
status = main(["diff", sys.argv[1], sys.argv[2], "-o", sys.argv[3]])
sys.stdout = real_stdout
result = {"status": status}
"""
    a, b = django_before_after_lprofs

    result = run_script(script, str(a), str(b), str(output))

    assert result == {"status": 0, "forks": 2, "child left": False}
    assert "author_names" in output.read_text(encoding="utf-8")


# argv: a profile, a broken file, whether to touch the profile after preloading.
# The result holds what taking each gave, and what reading each gives.
PRELOAD = """
import time
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_profiles
from lprof_viewer.core.preload import preload_profiles, take_preloaded

good, broken, change = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

def described(load):
    try:
        profile = load()
    except ProfileLoadError as refused:
        return "refused: " + str(refused)
    if profile is None:
        return None
    return [[f.filename, f.start_line, f.name, list(f.linenos), list(f.hits), list(f.ticks),
             f.unit] for f in profile.functions]

preload_profiles([good, broken])
if change == "touch":  # the file rewritten while the window started
    time.sleep(0.05)
    good.write_bytes(good.read_bytes())
elif change == "swap":  # another file of the same size and time put in its place (cp -p)
    other = good.with_name("other.lprof")
    other.write_bytes(good.read_bytes())
    status = good.stat()
    os.utime(other, ns=(status.st_atime_ns, status.st_mtime_ns))
    os.replace(other, good)
result = {
    "broken taken": described(lambda: take_preloaded([broken])),
    "good taken": described(lambda: take_preloaded([good])),
    "good taken again": described(lambda: take_preloaded([good])),
    "both merged": described(lambda: take_preloaded([good, broken])),
    "good read": described(lambda: load_profiles([good])),
    "broken read": described(lambda: load_profiles([broken])),
}
"""


def test_a_profile_named_on_the_command_line_is_read_while_the_window_starts(
    busy_lprof: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.lprof"
    broken.write_bytes(busy_lprof.read_bytes()[:100])

    result = run_script(PRELOAD, str(busy_lprof), str(broken), "leave")

    assert result["forks"] == 2 and not result["child left"]  # a helper for each file
    assert result["good taken"] == result["good read"] and result["good read"]
    assert result["broken taken"] == result["broken read"]
    assert result["broken read"].startswith("refused: broken.lprof is truncated")
    # Taken once (a reload reads the file again); a merge reads its files itself.
    assert result["good taken again"] is None and result["both merged"] is None


@pytest.mark.parametrize("change", ["touch", "swap"])
def test_a_profile_rewritten_after_it_was_preloaded_is_read_again(
    change: str, busy_lprof: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "busy.lprof"
    profile.write_bytes(busy_lprof.read_bytes())

    result = run_script(PRELOAD, str(profile), str(tmp_path / "missing.lprof"), change)

    assert result["good taken"] is None  # stale: the tab reads the file as it is now
    assert result["broken taken"] is None  # nothing there to read ahead: the tab says so
    assert "missing.lprof does not exist" in result["broken read"]


def test_a_profile_named_twice_opens_two_tabs_each_from_a_helper(busy_lprof: Path) -> None:
    script = """
from lprof_viewer.core.preload import preload_profiles, take_preloaded

path = Path(sys.argv[1])
preload_profiles([path, path])
result = {"takes": [take_preloaded([path]) is not None for _ in range(3)]}
"""
    result = run_script(script, str(busy_lprof))

    assert result == {"takes": [True, True, False], "forks": 2, "child left": False}


@pytest.mark.parametrize(("cores", "forks"), [({0}, False), ({0, 1}, True)])
def test_a_helper_is_forked_only_with_a_second_core(cores: set[int], forks: bool) -> None:
    """On one core the helper's work would only add the cost of sending it back."""
    script = f"""
from lprof_viewer.core import helper_process
os.sched_getaffinity = lambda pid: {cores!r}
result = {{"can fork": helper_process.can_fork()}}
"""
    assert run_script(script)["can fork"] is forks


def test_a_helper_highlighting_half_the_functions_writes_the_same_page(
    busy_lprof: Path, tmp_path: Path
) -> None:
    script = """
import lprof_viewer.core.exporters.html_export as html_export
from lprof_viewer.cli import main

html_export.PARALLEL_FROM = 1
if sys.argv[3] == "serial":
    os.sched_getaffinity = lambda pid: {0}
result = {"status": main(["export", sys.argv[1], "--format", "html", "-o", sys.argv[2]])}
"""
    shared, alone = tmp_path / "shared.html", tmp_path / "alone.html"

    parallel = run_script(script, str(busy_lprof), str(shared), "parallel")
    serial = run_script(script, str(busy_lprof), str(alone), "serial")

    assert parallel == {"status": 0, "forks": 1, "child left": False}
    assert serial["forks"] == 0
    page = shared.read_text(encoding="utf-8")
    assert page == alone.read_text(encoding="utf-8")
    assert page.count("<h2 id='f") >= 2  # a half for each process


# Before a preloading script: reading a file named slow.lprof never ends, as on a
# network share that hangs (the helpers, forked after this, inherit it).
HANGING_SHARE = """
import time
import lprof_viewer.core.preload as preload
real_load = preload.load_profiles
def load_profiles(paths):
    if paths[0].name == "slow.lprof":
        time.sleep(3600)
    return real_load(paths)
preload.load_profiles = load_profiles
"""


def test_a_file_that_never_comes_holds_up_only_its_own_tab(
    busy_lprof: Path, tmp_path: Path
) -> None:
    """A file on a hung network share named first: the other files' tabs open at once."""
    slow = tmp_path / "slow.lprof"
    slow.write_bytes(busy_lprof.read_bytes())
    script = (
        HANGING_SHARE
        + """
import signal
from lprof_viewer.core.preload import cancel_preload, preload_profiles, take_preloaded

signal.alarm(20)  # the test fails, rather than hangs, if the good file waits for the slow one
preload_profiles([Path(sys.argv[1]), Path(sys.argv[2])])
result = {"good taken": take_preloaded([Path(sys.argv[2])]) is not None}
cancel_preload()  # the window went to another: the slow file's helper is stopped
"""
    )
    result = run_script(script, str(slow), str(busy_lprof))

    assert result == {"good taken": True, "forks": 2, "child left": False}


def test_a_helper_ends_with_the_process_that_started_it(busy_lprof: Path, tmp_path: Path) -> None:
    """Killed, the window must not leave a helper stuck on a file, holding its terminal."""
    slow = tmp_path / "slow.lprof"
    slow.write_bytes(busy_lprof.read_bytes())
    script = (
        HANGING_SHARE
        + """
preload.preload_profiles([Path(sys.argv[1])])
print(preload._preloaded[0].helper.pid, flush=True)
os._exit(0)  # as a window killed with SIGKILL
"""
    )
    # Standard output is a pipe: run() returns only once every holder let go of it.
    done = subprocess.run(
        [sys.executable, "-c", COUNTING_FORKS + script, str(slow)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=True,
    )
    helper = Path(f"/proc/{int(done.stdout)}/stat")

    deadline = time.monotonic() + 10
    while helper.exists() and helper.read_text().split(") ")[-1][0] != "Z":
        assert time.monotonic() < deadline, "the helper outlived the process that started it"
        time.sleep(0.05)


def test_a_fifo_is_left_for_its_tab_to_read(busy_lprof: Path, tmp_path: Path) -> None:
    """Its times change as it is read: a preloaded copy would be thrown away, read twice."""
    fifo = tmp_path / "piped.lprof"
    os.mkfifo(fifo)
    script = """
from lprof_viewer.core import preload
preload.preload_profiles([Path(sys.argv[1]), Path(sys.argv[2])])
result = {"preloaded": [entry.path.name for entry in preload._preloaded]}
preload.cancel_preload()
"""
    result = run_script(script, str(fifo), str(busy_lprof))

    assert result == {"preloaded": ["busy.lprof"], "forks": 1, "child left": False}


@pytest.mark.parametrize("ending", ["SIGTERM", "SIGHUP"])
def test_a_diff_ended_by_a_signal_leaves_its_old_output_and_no_helper(
    ending: str, django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    """``timeout`` and a cancelled CI job send SIGTERM; a closed terminal SIGHUP."""
    out = tmp_path / "report.txt"
    out.write_text("yesterday's report\n", encoding="utf-8")
    script = """
import signal
import lprof_viewer.core.diff_export as diff_export
from lprof_viewer.cli import main

diff_export.PARALLEL_FROM = 1  # a helper writes half of the functions
exporter = diff_export.DiffTextExporter
real_text = exporter.function_text
def function_text(self, index, function):  # the signal comes halfway through
    if not in_helper():
        os.kill(os.getpid(), getattr(signal, sys.argv[4]))
    return real_text(self, index, function)
exporter.function_text = function_text
result = {"status": main(["diff", sys.argv[1], sys.argv[2], "-o", sys.argv[3]])}
"""
    a, b = django_before_after_lprofs

    result = run_script(script, str(a), str(b), str(out), ending)

    number = {"SIGTERM": 15, "SIGHUP": 1}[ending]
    assert result == {"status": 128 + number, "forks": 2, "child left": False}
    assert out.read_text(encoding="utf-8") == "yesterday's report\n"
    assert [path.name for path in tmp_path.iterdir()] == ["report.txt"]
