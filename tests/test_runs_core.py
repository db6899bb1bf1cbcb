"""Profiling runs without the window: command building, the history, `lprof-viewer run`."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
from fixtures import SCRIPTS_DIR, copy_django_site, recorded

from lprof_viewer.cli import main
from lprof_viewer.core.kernprof_command import RunConfig, find_project_python, parse_env
from lprof_viewer.core.lprof_reader import load_lprof
from lprof_viewer.core.run_headless import RunError, run_and_record
from lprof_viewer.core.run_history import (
    FAILED,
    NOTHING_RAN,
    OK,
    ConsoleLog,
    RunHistory,
    open_with_sources,
)


@pytest.fixture
def history(tmp_path: Path) -> RunHistory:
    return RunHistory(tmp_path / "history")


def script_copy(tmp_path: Path, name: str, folder: str = "work") -> Path:
    target = tmp_path / folder
    target.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SCRIPTS_DIR / name, target / name))


def test_project_python_is_the_venv_beside_or_above_the_script(tmp_path):
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    venv.create(project / ".venv", with_pip=False)
    script = project / "scripts" / "profile_it.py"
    script.write_text("print(1)\n")
    assert find_project_python(script) == project / ".venv" / "bin" / "python"
    lone = tmp_path / "lone.py"
    lone.write_text("")
    assert find_project_python(lone, {"VIRTUAL_ENV": str(project / ".venv")}) == (
        project / ".venv" / "bin" / "python"
    )
    assert find_project_python(lone, {}) == Path(sys.executable)


def test_command_is_python_m_kernprof_with_targets_and_arguments(tmp_path):
    config = RunConfig(tmp_path / "s.py", Path("/py"), tmp_path, ["--n", "3"], {}, ["app.views"])
    assert config.command(tmp_path / "o.lprof") == [
        "/py", "-m", "kernprof", "-l", "-o", str(tmp_path / "o.lprof"),
        "-p", "app.views", str(tmp_path / "s.py"), "--n", "3",
    ]  # fmt: skip
    # Spaced as an assignment, the value does not begin with the space.
    assert parse_env("A=1\n# note\n\nB = two=2") == {"A": "1", "B": "two=2"}
    assert parse_env("X=site.settings  \n") == {"X": "site.settings"}  # a stray space typed
    with pytest.raises(ValueError):
        parse_env("no equals sign")


def test_a_successful_run_is_kept_with_profile_snapshot_and_plain_copy(tmp_path, history):
    script = script_copy(tmp_path, "busy.py")
    out = io.StringIO()
    record = run_and_record(RunConfig.for_script(script), history, out)
    assert record.outcome == OK and record.exit_status == 0
    assert record.duration is not None and record.duration > 0
    assert "Wrote profile results" in out.getvalue()
    assert load_lprof(record.profile).functions[0].name == "slow_sum"
    beside = script.with_name("busy.py.lprof")  # where plain kernprof -l writes
    assert beside.read_bytes() == record.profile.read_bytes()
    snapshot = record.snapshot_files()[str(script)]
    assert snapshot.read_bytes() == script.read_bytes()
    # Kept across restarts: a fresh history object over the same folder finds it.
    again = RunHistory(history.root).runs_for(script)
    assert [r.run_id for r in again] == [record.run_id]
    assert again[0].command[1:4] == ["-m", "kernprof", "-l"]
    # Named by the time it started; on a later day, by its date too (tabs of two
    # days' runs of one script must not read alike).
    started = time.localtime(record.started_at)
    assert record.label == f"busy.py {time.strftime('%H:%M:%S', started)}"
    record.started_at -= 2 * 24 * 3600
    earlier = time.localtime(record.started_at)
    assert record.label == f"busy.py {time.strftime('%Y-%m-%d %H:%M:%S', earlier)}"


def test_code_compiled_under_a_name_too_long_for_a_file_is_kept_without_a_snapshot(
    tmp_path, history
):
    script = script_copy(tmp_path, "generated_code.py")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    assert record.outcome == OK
    assert list(record.snapshot_files()) == [str(script)]
    names = {function.short_name for function in load_lprof(record.profile).functions}
    assert names == {"total", "caller"}


def test_a_profile_from_a_run_is_shown_with_the_code_it_measured(tmp_path, history):
    from lprof_viewer.core.annotate import ProfileAnnotator

    script = script_copy(tmp_path, "busy.py")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    script.write_text("# rewritten since\n" * 40)  # the code moves on
    beside = script.with_name("busy.py.lprof")
    found = history.run_for_profile(beside)
    assert found is not None and found.run_id == record.run_id
    profile = load_lprof(beside)
    annotated = ProfileAnnotator(profile, snapshots=found.snapshot_files()).annotate(
        profile.functions[0]
    )
    assert not annotated.stale
    assert any("def slow_sum" in annotated.text(n) for n in annotated.line_numbers)


def test_export_shows_a_runs_profile_with_the_code_it_measured(
    tmp_path, history, monkeypatch, capsys
):
    script = script_copy(tmp_path, "busy.py")
    run_and_record(RunConfig.for_script(script), history, io.StringIO())
    script.write_text("# rewritten since\n" * 40)
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(history.root))

    assert main(["export", str(script.with_name("busy.py.lprof"))]) == 0

    out = capsys.readouterr().out
    assert "def slow_sum(" in out and "changed since it was profiled" not in out


def test_a_script_that_raises_keeps_its_partial_profile(tmp_path, history):
    script = script_copy(tmp_path, "raises.py")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    assert record.outcome == FAILED and record.exit_status == 1
    assert "lines that ran before the error" in record.message
    assert load_lprof(record.profile).functions[0].total_hits > 0


def test_a_script_whose_profiled_function_never_runs_says_so(tmp_path, history):
    script = script_copy(tmp_path, "never_called.py")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    assert record.outcome == NOTHING_RAN
    assert "no profiled function ever ran" in record.message


@pytest.mark.parametrize("script_name", ["profile_view.py", "profile_wsgi.py"])
def test_django_scripts_run_both_ways(tmp_path, history, script_name):
    site = copy_django_site(tmp_path / "django_site")
    config = RunConfig.for_script(site / script_name)
    config.env = {"DJANGO_SETTINGS_MODULE": "django_site.settings"}
    record = run_and_record(config, history, io.StringIO())
    assert record.outcome == OK, record.message + record.console.read_text()
    names = {f.name for f in load_lprof(record.profile) if f.ran}
    assert recorded("BookListView.get_context_data") in names


def test_bad_input_gets_one_sentence_and_loses_nothing(tmp_path, history):
    missing = RunConfig(tmp_path / "nope.py", Path(sys.executable), tmp_path)
    with pytest.raises(RunError, match="does not exist"):
        run_and_record(missing, history, io.StringIO())
    script = script_copy(tmp_path, "busy.py")
    no_python = RunConfig(script, tmp_path / "no" / "python", script.parent)
    with pytest.raises(RunError, match=r"interpreter .* does not exist"):
        run_and_record(no_python, history, io.StringIO())
    bare = tmp_path / "bare-venv"
    venv.create(bare, with_pip=False)
    without = RunConfig(script, bare / "bin" / "python", script.parent)
    with pytest.raises(RunError, match=r"line_profiler is not installed.*pip install"):
        run_and_record(without, history, io.StringIO())
    not_python = tmp_path / "not-python"
    not_python.write_text("#!/bin/sh\necho 'usage: not-python FILE'\n")
    not_python.chmod(0o755)
    for program in (not_python, Path(shutil.which("true") or "/bin/true")):
        wrong = RunConfig(script, program, script.parent)
        with pytest.raises(RunError, match=rf"^{program} is not a Python interpreter"):
            run_and_record(wrong, history, io.StringIO())
    assert not history.runs_for(script)  # nothing half-made was kept


def test_line_profiler_reachable_through_the_runs_own_pythonpath_is_found(tmp_path, history):
    import line_profiler

    script = script_copy(tmp_path, "busy.py")
    bare = tmp_path / "bare-venv"
    venv.create(bare, with_pip=False)
    config = RunConfig(script, bare / "bin" / "python", script.parent)
    config.env = {"PYTHONPATH": str(Path(line_profiler.__file__).parents[1])}
    record = run_and_record(config, history, io.StringIO())
    assert record.outcome == OK


def test_a_broken_python_is_not_sent_to_pip(tmp_path, history):
    script = script_copy(tmp_path, "busy.py")
    config = RunConfig(script, Path(sys.executable), script.parent)
    config.env = {"PYTHONHOME": str(tmp_path / "nowhere")}  # Python cannot find its library
    with pytest.raises(RunError, match=r"cannot be started: .*encodings") as error:
        run_and_record(config, history, io.StringIO())
    assert "pip" not in str(error.value)


def test_a_script_that_does_not_compile_is_said_to_have_run_nothing(tmp_path, history):
    script = tmp_path / "broken.py"
    script.write_text("@profile\ndef work(:\n    pass\n")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    assert record.outcome == FAILED and record.exit_status != 0
    assert "before any profiled line ran: SyntaxError" in record.message


def test_paths_with_spaces_and_non_ascii_characters(tmp_path, history):
    script = script_copy(tmp_path, "busy.py", folder="mes scripts été")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    assert record.outcome == OK
    assert record.snapshot_files()


def test_run_verb_streams_output_and_exits_with_the_scripts_status(tmp_path, capsys):
    env_home = tmp_path / "data"
    os.environ["LPROF_VIEWER_DATA"] = str(env_home)
    try:
        ok = script_copy(tmp_path, "busy.py")
        out = tmp_path / "copy.lprof"
        assert main(["run", str(ok), "-o", str(out)]) == 0
        assert load_lprof(out).functions[0].name == "slow_sum"
        failing = script_copy(tmp_path, "raises.py")
        assert main(["run", str(failing)]) == 1
        assert main(["run", str(tmp_path / "missing.py")]) == 2
        err = capsys.readouterr().err
        assert "does not exist" in err and "Traceback" not in err.split("does not exist")[1]
    finally:
        del os.environ["LPROF_VIEWER_DATA"]
    assert len(RunHistory(env_home).runs_for(ok)) == 1


def test_run_verb_passes_environment_values_exactly(tmp_path):
    script = tmp_path / "env.py"
    script.write_text(
        "import os\n@profile\ndef show():\n    print(repr(os.environ['PADDED']),"
        " repr(os.environ['#HASH']))\nshow()\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lprof_viewer",
            "run",
            str(script),
            "--env",
            "PADDED= hi ",
            "--env",
            "#HASH=1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")},
        check=False,
    )
    assert "' hi ' '1'" in result.stdout, result.stderr


def test_run_verb_passes_arguments_after_the_double_dash(tmp_path):
    script = tmp_path / "args.py"
    script.write_text(
        "import sys\n@profile\ndef show():\n    print('ARGS', sys.argv[1:])\nshow()\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lprof_viewer", "run", str(script), "--", "--flag", "x y"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr
    assert "ARGS ['--flag', 'x y']" in result.stdout


def test_run_verb_output_it_cannot_write_is_one_sentence_and_the_run_is_kept(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(tmp_path / "data"))
    script = script_copy(tmp_path, "busy.py")
    out = tmp_path / f"{'x' * 300}.lprof"  # its folder exists; the name is too long to make

    assert main(["run", str(script), "-o", str(out)]) == 2

    err = capsys.readouterr().err
    assert f"lprof-viewer: cannot write {out}: File name too long." in err
    assert "Traceback" not in err
    (run,) = RunHistory(tmp_path / "data").runs_for(script)
    assert run.outcome == OK and load_lprof(run.profile).functions[0].name == "slow_sum"


def test_run_verb_output_in_a_missing_folder_is_refused_before_the_run(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(tmp_path / "data"))
    script = script_copy(tmp_path, "busy.py")
    out = tmp_path / "no such folder" / "copy.lprof"

    assert main(["run", str(script), "-o", str(out)]) == 2

    err = capsys.readouterr().err
    assert err == f"lprof-viewer: cannot write {out}: its folder does not exist.\n"
    assert RunHistory(tmp_path / "data").runs_for(script) == []  # minutes not spent for nothing


@pytest.mark.parametrize("output", ["the script", "another script", "a folder"])
def test_run_verb_output_that_would_replace_code_or_is_a_folder_is_refused(
    tmp_path, capsys, monkeypatch, output: str
):
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(tmp_path / "data"))
    script = script_copy(tmp_path, "busy.py")
    other = script_copy(tmp_path, "sleeper.py")
    target = {"the script": script, "another script": other, "a folder": tmp_path}[output]
    before = {path: path.read_bytes() for path in (script, other)}

    assert main(["run", str(script), "-o", str(target)]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"lprof-viewer: {target} is ") or err.startswith(
        f"lprof-viewer: cannot write {target}: it is a folder"
    )
    assert err.count("\n") == 1
    assert {path: path.read_bytes() for path in (script, other)} == before
    assert RunHistory(tmp_path / "data").runs_for(script) == []


def test_a_chatty_run_keeps_all_its_output_in_its_console_file(tmp_path, history):
    script = tmp_path / "chatty.py"
    script.write_text(
        "@profile\ndef talk():\n    for n in range(20_000):\n        print('line', n)\n"
        "    print('all said')\ntalk()\n"
    )
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())

    kept = record.console.read_text(encoding="utf-8")
    assert "line 0\n" in kept and "line 19999\n" in kept and "all said" in kept
    assert record.outcome == OK
    # What the History shows of it: the end, from a line's start.
    tail = record.printed_tail(limit=1_000)
    assert tail.startswith("…\nline ") and "line 19999\nall said\n" in tail
    assert len(tail) <= 1_002 and kept.endswith(tail.removeprefix("…\n"))
    assert record.printed_tail() == kept[-100_000:].partition("\n")[2].join(["…\n", ""])


@pytest.mark.parametrize(
    "status, said",
    [
        (-9, "; it went on when asked to stop, so it was killed before kernprof wrote a profile."),
        (-2, "; it was killed by SIGINT before kernprof wrote a profile."),  # Ctrl+C itself
    ],
)
def test_a_stopped_run_without_a_profile_says_how_it_ended(tmp_path, history, status, said):
    record = history.start(RunConfig.for_script(script_copy(tmp_path, "busy.py")))

    history.finish(record, status, 0.2, ConsoleLog(record.console), stopped=True)

    assert record.message == f"busy.py was stopped after 0.2 s{said}"


def test_the_console_log_holds_only_a_tail_in_memory(tmp_path):
    log = ConsoleLog(tmp_path / "console.txt")
    for n in range(10_000):
        log.write(f"line {n}\n")
    log.close()
    log.write("after the end\n")  # the run is kept: nothing more is added

    assert len(log.tail) <= ConsoleLog.TAIL_CHARS and log.tail.endswith("line 9999\n")
    kept = (tmp_path / "console.txt").read_text(encoding="utf-8")
    assert kept.count("\n") == 10_000 and "after" not in kept


def test_a_history_copied_elsewhere_keeps_its_runs_to_itself(tmp_path, history):
    script = script_copy(tmp_path, "busy.py")
    run_and_record(RunConfig.for_script(script), history, io.StringIO())
    copy = Path(shutil.copytree(history.root, tmp_path / "copied history"))

    (run,) = RunHistory(copy).runs_for(script)
    assert run.folder.is_relative_to(copy)  # not the original's folder, named in run.json
    found = RunHistory(copy).run_for_profile(run.profile)  # through the copied index
    assert found is not None and found.folder.is_relative_to(copy)
    RunHistory(copy).delete(found)

    assert len(history.runs_for(script)) == 1 and history.runs_for(script)[0].has_profile


SAVED_WHILE_RUNNING = """
import pathlib


@profile
def work():
    total = 0
    for i in range(1000):
        total += i % 7
    return total


work()
# The developer saves an edit while the run goes on.
source = pathlib.Path(__file__)
source.write_text(source.read_text().replace("total += i % 7", "total += (i * 3) % 7"))
"""


def test_a_script_saved_while_it_runs_is_shown_as_it_ran(tmp_path, history):
    script = tmp_path / "work" / "saved.py"
    script.parent.mkdir()
    script.write_text(SAVED_WHILE_RUNNING.lstrip())

    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())

    assert "(i * 3)" in script.read_text()  # the file on disk is the edited one
    annotator, _ = open_with_sources([record.profile], [], history)
    (work,) = annotator.profile.functions
    annotated = annotator.annotate(work)
    assert annotated.staleness is None
    assert [annotated.text(n).strip() for n in work.linenos][2] == "total += i % 7"


def test_a_module_saved_while_the_run_went_on_is_flagged(tmp_path, history):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "helper.py").write_text(
        "@profile\ndef helper():\n    return sum(range(1000))\n", encoding="utf-8"
    )
    script = folder / "main.py"
    script.write_text(
        "import os, pathlib, time\nfrom helper import helper\n\nhelper()\n"
        "module = pathlib.Path(__file__).with_name('helper.py')\n"
        "module.write_text(module.read_text() + '# edited\\n')\n"
        "os.utime(module, (time.time() + 10, time.time() + 10))  # saved well after the start\n",
        encoding="utf-8",
    )

    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())

    annotator, _ = open_with_sources([record.profile], [], history)
    (helper,) = annotator.profile.functions
    staleness = annotator.annotate(helper).staleness
    assert staleness is not None and not staleness.mismatched
    assert staleness.reason == "helper.py was modified after it was profiled."


def test_the_editor_opens_a_runs_line_where_that_code_now_is(tmp_path, history):
    script = script_copy(tmp_path, "busy.py")
    record = run_and_record(RunConfig.for_script(script), history, io.StringIO())
    measured = script.read_text(encoding="utf-8").splitlines()
    # Since the run: three lines above slow_sum, and its loop's line edited.
    edited = [
        *measured[:10],
        "import math",
        "import os",
        "import sys",
        *measured[10:],
    ]
    hot = next(n for n, text in enumerate(edited) if "total += i * i % 7" in text)
    edited[hot] = edited[hot].replace("% 7", "% 11")
    script.write_text("\n".join(edited) + "\n", encoding="utf-8")
    annotator, _ = open_with_sources([record.profile], (), history)
    slow = next(f for f in annotator.profile.functions if f.name == "slow_sum")
    annotated = annotator.annotate(slow)
    shown = {annotated.text(n).strip(): n for n in annotated.line_numbers}

    # The tab shows the code the run measured; the editor opens the developer's file,
    # on the same code there.
    for code in ("def slow_sum(n: int = 200_000) -> int:", "total = 0", "return total"):
        path, line = annotator.place_to_edit(annotated, shown[code])
        assert path == script and edited[line - 1].strip() == code
    path, line = annotator.place_to_edit(annotated, shown["total += i * i % 7"])
    assert line == hot + 1 and "% 11" in edited[line - 1]  # edited in place: its new version
