"""The headless commands where real machines differ: odd names, typos, odd places to write."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures import copy_script, repickle, run_kernprof
from line_profiler import load_stats

from lprof_viewer.cli import main
from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.run_headless import run_and_record
from lprof_viewer.core.run_history import OK, RunHistory
from lprof_viewer.core.sources import SourceRoot


def test_a_mistyped_verb_is_named_instead_of_opening_a_window(capsys, busy_lprof: Path):
    assert main(["exprot", str(busy_lprof)]) == 2
    assert capsys.readouterr().err == (
        "lprof-viewer: unknown command 'exprot'; did you mean 'export'?\n"
    )


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_unit_for_json_or_csv_is_refused_not_ignored(capsys, busy_lprof: Path, fmt: str):
    assert main(["export", str(busy_lprof), "--format", fmt, "--unit", "ms"]) == 2
    assert capsys.readouterr().err == (
        f"lprof-viewer: --unit applies to text and HTML; {fmt.upper()} times are always "
        "in seconds.\n"
    )
    if fmt == "json":  # a diff's too
        assert main(["diff", str(busy_lprof), str(busy_lprof), "-f", "json", "--unit", "ms"]) == 2
        assert "JSON times are always in seconds." in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes only on Linux")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_folder_name_that_is_not_utf8_is_written_escaped(tmp_path: Path, fmt: str):
    folder = tmp_path / os.fsdecode(b"caf\xe9")  # Latin-1 bytes: not UTF-8
    script = copy_script("busy.py", folder)
    profile = folder / "busy.lprof"
    run_kernprof(script, profile)
    out = tmp_path / f"out.{fmt}"

    assert main(["export", str(profile), "--format", fmt, "-o", str(out)]) == 0

    written = out.read_text(encoding="utf-8")
    if fmt == "json":
        names = {function["file"] for function in json.loads(written)["functions"]}
        assert names == {str(script)}  # the \udce9 escape reads back as the same name
    else:
        assert "caf\\udce9" in written and "slow_sum" in written


def test_a_source_map_to_a_folder_under_home_is_expanded(
    tmp_path: Path, busy_lprof: Path, monkeypatch, capsys
):
    on_server = repickle(
        busy_lprof, tmp_path / "server.lprof", lambda key: ("/srv/app/busy.py", *key[1:])
    )
    home = tmp_path / "home"
    copy_script("busy.py", home / "src")
    monkeypatch.setenv("HOME", str(home))

    # As typed in a shell, which leaves a ~ after OLD= alone.
    assert main(["export", str(on_server), "--source-map", "/srv/app=~/src"]) == 0
    assert "def slow_sum(" in capsys.readouterr().out

    with pytest.raises(SystemExit) as usage_error:
        main(["export", str(on_server), "--source-map", "/srv/app=~/nowhere"])
    assert usage_error.value.code == 2
    assert "home/nowhere is not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", str(on_server), "--source-map", "/srv/app=/" + "x" * 300])
    assert "cannot be checked: File name too long" in capsys.readouterr().err


def test_windows_server_paths_map_whatever_the_case_of_their_drive():
    root = SourceRoot.parse(r"c:\proj=/home/me/proj")
    assert root.apply(r"C:\Proj\app\models.py") == Path("/home/me/proj/app/models.py")
    assert SourceRoot.parse("/srv/App=/src").apply("/srv/app/models.py") is None  # POSIX: exact


def test_merge_writes_a_file_anyone_may_read_as_the_umask_allows(tmp_path: Path, busy_lprof: Path):
    out = tmp_path / "merged.lprof"
    old = os.umask(0o022)
    try:
        assert main(["merge", str(busy_lprof), str(busy_lprof), "-o", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o600)  # merging onto a private file keeps it private
    assert main(["merge", str(busy_lprof), "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_history_folder_that_cannot_be_made_is_one_sentence(tmp_path: Path, monkeypatch, capsys):
    script = copy_script("busy.py", tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(blocker / "data"))

    assert main(["run", str(script)]) == 2

    err = capsys.readouterr().err
    assert err.startswith("lprof-viewer: cannot keep the run under ") and err.count("\n") == 1


class ClosedPipe(io.StringIO):
    """A terminal reader that goes away after two lines (``| head -2``)."""

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= 2:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_run_whose_reader_goes_away_is_finished_and_kept(tmp_path: Path):
    script = tmp_path / "chatty.py"
    script.write_text(
        "@profile\ndef work():\n    for i in range(50):\n        print('line', i)\n\nwork()\n"
    )
    history = RunHistory(tmp_path / "history")

    record = run_and_record(RunConfig.for_script(script), history, ClosedPipe())

    assert record.outcome == OK and record.exit_status == 0
    assert "line 49" in record.console.read_text()
    assert record.snapshot_files() and script.with_name("chatty.py.lprof").is_file()


def test_run_piped_into_head_exits_with_the_scripts_status_quietly(tmp_path: Path):
    script = tmp_path / "chatty.py"
    script.write_text(
        "@profile\ndef work():\n    for i in range(20000):\n        print('line', i)\n\nwork()\n"
    )
    env = {**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")}
    shell = f"{sys.executable} -m lprof_viewer run {script} | head -2; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "line 0\nline 1\n"
    assert "Traceback" not in done.stderr and "finished" in done.stderr


CHATTY_WHEN_STOPPED = """\
import time


@profile
def work():
    try:
        print("sleeping", flush=True)
        for _ in range(600):
            time.sleep(0.1)
    finally:  # more than a pipe holds, printed after Ctrl+C
        for i in range(5000):
            print("cleaning up", i, "x" * 40)


work()
"""


@pytest.mark.parametrize(
    "sent",
    [
        signal.SIGINT,  # what Ctrl+C sends to the terminal's foreground process
        signal.SIGHUP,  # closing the terminal
        signal.SIGTERM,  # kill
    ],
)
def test_ctrl_c_stops_a_run_and_keeps_the_profile_of_what_ran(tmp_path: Path, sent: signal.Signals):
    script = tmp_path / "chatty.py"
    script.write_text(CHATTY_WHEN_STOPPED)
    env = {**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")}
    command = [sys.executable, "-m", "lprof_viewer", "run", str(script)]
    run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert run.stdout is not None
    assert run.stdout.readline() == "sleeping\n"
    run.send_signal(sent)
    out, err = run.communicate(timeout=60)

    assert "chatty.py was stopped after" in err and "holds what ran until then" in err
    assert "cleaning up 4999" in out
    (record,) = RunHistory(tmp_path / "data").runs_for(script)
    assert record.has_profile and script.with_name("chatty.py.lprof").is_file()


def test_closing_the_terminal_of_a_run_still_writes_its_output_copy(tmp_path: Path):
    import pty

    script = tmp_path / "chatty.py"
    started = tmp_path / "started"
    marked = CHATTY_WHEN_STOPPED.replace("print(", f"open({str(started)!r}, 'w'); print(", 1)
    script.write_text(marked)
    out = tmp_path / "copy.lprof"
    env = {**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")}
    terminal, attached = pty.openpty()
    command = [sys.executable, "-m", "lprof_viewer", "run", str(script), "-o", str(out)]
    run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdin=attached, stdout=attached, stderr=attached
    )
    os.close(attached)
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    os.close(terminal)  # the terminal window closes: writes to it fail from now on
    run.send_signal(signal.SIGHUP)

    run.wait(timeout=60)
    assert out.is_file()  # the profile of what ran, where -o asked
    (record,) = RunHistory(tmp_path / "data").runs_for(script)
    assert record.has_profile and out.read_bytes() == record.profile.read_bytes()


@pytest.mark.parametrize(
    "sent, started_in_background",
    [
        (signal.SIGHUP, True),
        (signal.SIGTERM, True),
        (signal.SIGINT, False),  # Ctrl+C in the terminal it was started from
    ],
)
def test_a_window_told_to_end_stops_its_run_and_keeps_it(
    tmp_path: Path, sent: signal.Signals, started_in_background: bool
):
    # The terminal the window was started from closes (SIGHUP), or a kill (SIGTERM):
    # the run, a session of its own, must not go on unseen, and must be kept.
    script = tmp_path / "chatty.py"
    started = tmp_path / "started"
    script.write_text(
        CHATTY_WHEN_STOPPED.replace("print(", f"open({str(started)!r}, 'w'); print(", 1)
    )
    data = tmp_path / "data"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "LPROF_VIEWER_DATA": str(data),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    command = [sys.executable, "-m", "lprof_viewer", "--new-instance", "--run", str(script)]
    # Started as ``lprof-viewer --run s.py &`` from a script starts it: ignoring SIGINT,
    # which its run inherits unless told otherwise (Stop is a SIGINT).
    ignore = signal.SIG_IGN if started_in_background else signal.SIG_DFL
    window = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, ignore),
    )
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not started.exists():
        window.kill()
        pytest.fail("the run did not start")

    window.send_signal(sent)
    _, said = window.communicate(timeout=60)
    assert window.returncode == 0 and "Traceback" not in said

    (record,) = RunHistory(data).runs_for(script)
    assert record.outcome is not None and record.has_profile
    assert "was stopped after" in record.message
    assert "cleaning up 4999" in record.console.read_text()  # it ended as Stop ends it


def test_run_takes_its_options_anywhere_and_the_python_by_name(tmp_path: Path):
    # As the README writes it: options after the script, its arguments after --
    # (a -- among them is the script's own).
    script = tmp_path / "project" / "args.py"
    script.parent.mkdir()
    script.write_text(
        "import os, sys\n@profile\ndef show():\n"
        "    print('GOT', sys.argv[1:], os.environ['MODE'], sys.executable)\nshow()\n"
    )
    here = Path(sys.executable).parent
    env = {**os.environ, "LPROF_VIEWER_DATA": str(tmp_path / "data")}
    env["PATH"] = os.pathsep.join([str(here), env.get("PATH", "")])
    by_name = Path(sys.executable).name  # found on PATH, as a shell would
    relative = os.path.relpath(sys.executable, tmp_path)  # from here, not the script's folder
    for python in (by_name, relative):
        command = [sys.executable, "-m", "lprof_viewer", "run", str(script), "--env", "MODE=fast"]
        command += ["--python", python, "--", "--flag", "--", "2"]
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        got = next(line for line in done.stdout.splitlines() if line.startswith("GOT"))
        assert got.startswith("GOT ['--flag', '--', '2'] fast ")
        # Python 3.10 leaves a relative interpreter's path as given (x/../bin/python).
        assert Path(os.path.normpath(got.rsplit(" ", 1)[1])).parent == here


def exported_staleness(capsys, *args: str) -> dict[str, bool]:
    """Each function's "stale" flag in the JSON export."""
    capsys.readouterr()
    assert main(["export", *args, "--format", "json"]) == 0
    return {f["name"]: f["stale"] for f in json.loads(capsys.readouterr().out)["functions"]}


def test_a_merge_of_workers_still_flags_a_source_edited_since_they_ran(tmp_path: Path, capsys):
    script = copy_script("busy.py", tmp_path)
    worker = tmp_path / "worker.lprof"
    run_kernprof(script, worker)
    os.utime(worker, (time.time() - 60, time.time() - 60))  # recorded a minute ago
    script.write_text(script.read_text(encoding="utf-8") + "\n# edited since\n", encoding="utf-8")
    merged = tmp_path / "merged.lprof"
    assert main(["merge", str(worker), str(worker), "-o", str(merged)]) == 0

    for profile in (worker, merged):
        stale = exported_staleness(capsys, str(profile))
        assert stale and all(stale.values())


def test_sources_copied_to_another_folder_are_not_called_modified(
    tmp_path: Path, busy_lprof: Path, capsys
):
    on_server = repickle(
        busy_lprof, tmp_path / "server.lprof", lambda key: ("/srv/app/busy.py", *key[1:])
    )
    os.utime(on_server, (time.time() - 60, time.time() - 60))
    clone = tmp_path / "clone"
    copy_script("busy.py", clone).touch()  # a checkout: files newer than the profile

    stale = exported_staleness(capsys, str(on_server), "--source-map", f"/srv/app={clone}")

    assert stale and not any(stale.values())


def test_merge_is_readable_by_every_line_profiler_since_3(tmp_path: Path, busy_lprof: Path):
    import pickletools

    out = tmp_path / "merged.lprof"
    assert main(["merge", str(busy_lprof), str(busy_lprof), "-o", str(out)]) == 0
    ops = list(pickletools.genops(out.read_bytes()))
    protocol = next(arg for op, arg, _ in ops if op.name == "PROTO")
    names = [arg for op, arg, _ in ops if op.name in ("SHORT_BINUNICODE", "BINUNICODE")]
    # The class 3.x to 5.1 all have (5.1's own 'line_profiler.line_profiler' is new in 5.1).
    assert protocol <= 4 and names[:2] == ["line_profiler._line_profiler", "LineStats"]


def test_a_merge_written_elsewhere_still_finds_sources_recorded_by_relative_names(
    tmp_path: Path, capsys
):
    project = tmp_path / "project"
    copy_script("busy.py", project)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    # kernprof run from the profiles folder on ../project/busy.py records that relative name.
    run_kernprof(Path("../project/busy.py"), profiles / "worker.lprof", cwd=profiles)
    merged = tmp_path / "merged" / "all.lprof"
    merged.parent.mkdir()

    # A second worker profiled it by absolute path: one file, so one set of functions.
    run_kernprof(project / "busy.py", profiles / "other.lprof")
    workers = [str(profiles / "worker.lprof"), str(profiles / "other.lprof")]

    assert main(["merge", *workers, "-o", str(merged)]) == 0
    capsys.readouterr()
    assert main(["export", str(merged)]) == 0
    out = capsys.readouterr().out
    assert "def slow_sum(" in out and "Could not find file" not in out
    assert main(["export", str(merged), "--format", "json"]) == 0
    functions = json.loads(capsys.readouterr().out)["functions"]
    assert len(functions) == len({(f["file"], f["name"]) for f in functions}) == 6
    assert {f["file"] for f in functions} == {str(project / "busy.py")}  # no "../" left


def test_profiles_of_two_scripts_of_one_relative_name_are_not_summed_together(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    # Two projects' busy.py, each run as ``kernprof -l busy.py`` in its own folder:
    # both profiles record the bare name busy.py, for two different files.
    profiles = []
    for project, runs in (("shop", 1), ("blog", 3)):
        script = copy_script("busy.py", tmp_path / project)
        script.write_text(script.read_text().replace("range(5)", f"range({runs})"))
        profiles.append(tmp_path / project / "busy.lprof")
        run_kernprof(Path("busy.py"), profiles[-1], cwd=script.parent)
    monkeypatch.chdir(tmp_path)

    assert main(["export", *map(str, profiles), "--format", "json"]) == 0
    functions = json.loads(capsys.readouterr().out)["functions"]

    for profile in profiles:
        expected = load_stats(profile)
        own = {f["name"]: f for f in functions if f["file"] == str(profile.parent / "busy.py")}
        assert set(own) == {name for _, _, name in expected.timings}
        for (_, _, name), lines in expected.timings.items():
            assert [(line["line"], line["hits"]) for line in own[name]["lines"]] == [
                (lineno, hits) for lineno, hits, _ in lines
            ]


@pytest.mark.parametrize("verb", ["export", "diff"])
def test_an_output_that_is_one_of_the_profiles_read_is_refused(
    tmp_path: Path, capsys, busy_lprof: Path, verb: str
):
    profile = tmp_path / "run.lprof"
    profile.write_bytes(busy_lprof.read_bytes())
    inputs = [str(profile)] if verb == "export" else [str(busy_lprof), str(profile)]

    assert main([verb, *inputs, "-o", str(profile)]) == 2

    assert capsys.readouterr().err == (
        f"lprof-viewer: {profile} is one of the profiles being read; writing there would "
        "replace it.\n"
    )
    assert profile.read_bytes() == busy_lprof.read_bytes()


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("verb", ["export", "diff"])
def test_standard_output_that_cannot_be_written_is_one_sentence(
    capsys, monkeypatch, busy_lprof: Path, verb: str
):
    inputs = [str(busy_lprof)] * (1 if verb == "export" else 2)

    assert main([verb, *inputs], stdout=_FullDisk()) == 2
    assert capsys.readouterr().err == (
        "lprof-viewer: cannot write to standard output: No space left on device.\n"
    )

    monkeypatch.setattr(sys, "stdout", None)  # started with standard output closed
    assert main([verb, *inputs]) == 2
    assert "standard output is closed; name a file with -o." in capsys.readouterr().err


def test_merge_into_a_pipe_writes_through_it_without_replacing_it(tmp_path: Path, busy_lprof: Path):
    import threading

    from lprof_viewer.core.lprof_reader import load_lprof

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = tmp_path / "received.lprof"
    reader = threading.Thread(target=lambda: received.write_bytes(pipe.read_bytes()))
    reader.start()

    assert main(["merge", str(busy_lprof), "-o", str(pipe)]) == 0

    reader.join(timeout=30)
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # still the pipe, not a file put in its place
    assert load_lprof(received).total_time == load_lprof(busy_lprof).total_time


def test_run_names_a_folder_given_as_the_script_and_a_python_not_on_path(tmp_path: Path, capsys):
    assert main(["run", str(tmp_path)]) == 2
    assert f"The script {tmp_path} is a folder, not a Python file." in capsys.readouterr().err

    script = tmp_path / "s.py"
    script.write_text("print('hi')\n")
    assert main(["run", str(script), "--python", "no-such-python-3"]) == 2
    assert capsys.readouterr().err == (
        "lprof-viewer: there is no interpreter called no-such-python-3 on the PATH.\n"
    )


def test_merge_through_a_link_replaces_the_file_it_points_to(tmp_path: Path, busy_lprof: Path):
    from lprof_viewer.core.lprof_reader import load_lprof

    target = tmp_path / "real.lprof"
    target.write_bytes(b"old")
    link = tmp_path / "link.lprof"
    link.symlink_to(target)

    assert main(["merge", str(busy_lprof), "-o", str(link)]) == 0

    assert link.is_symlink() and link.resolve() == target
    assert load_lprof(target).total_time == load_lprof(busy_lprof).total_time


def test_run_with_standard_output_closed_runs_and_keeps_the_run(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(tmp_path / "data"))
    script = copy_script("busy.py", tmp_path)
    monkeypatch.setattr(sys, "stdout", None)

    assert main(["run", str(script)]) == 0

    (run,) = RunHistory(tmp_path / "data").runs_for(script)
    assert run.outcome == OK


@pytest.mark.parametrize("verb", ["export", "diff"])
def test_the_output_files_suffix_chooses_the_format_unless_one_is_given(
    tmp_path: Path, busy_lprof: Path, verb: str
):
    inputs = [str(busy_lprof)] * (1 if verb == "export" else 2)
    page, document, text = tmp_path / "a.html", tmp_path / "a.JSON", tmp_path / "a.log"

    for out in (page, document, text):
        assert main([verb, *inputs, "-o", str(out)]) == 0
    assert main([verb, *inputs, "-o", str(tmp_path / "b.json"), "--format", "text"]) == 0

    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(document.read_text(encoding="utf-8"))["functions"]
    for plain in (text, tmp_path / "b.json"):
        assert not plain.read_text(encoding="utf-8").startswith(("{", "<"))


def test_a_screenshot_must_be_named_png(tmp_path: Path, capsys):
    assert main(["--screenshot", str(tmp_path / "shot.jpg"), "--demo"]) == 2
    assert capsys.readouterr().err == (
        "lprof-viewer: --screenshot writes a PNG picture; name it .png, not shot.jpg.\n"
    )


def test_a_python_given_as_a_path_is_that_file_not_the_one_on_path(tmp_path: Path, monkeypatch):
    from lprof_viewer.cli import parse_run_arguments, run_config

    local = tmp_path / "python3"
    local.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    local.chmod(0o755)
    monkeypatch.chdir(tmp_path)

    config = run_config(parse_run_arguments(["s.py", "--python", "./python3"]))

    assert config.python == local


def test_a_suffix_the_command_cannot_write_is_refused_not_filled_with_text(
    tmp_path: Path, capsys, busy_lprof: Path
):
    other = tmp_path / "other.lprof"
    other.write_bytes(busy_lprof.read_bytes())

    assert main(["export", str(busy_lprof), "-o", str(other)]) == 2
    assert capsys.readouterr().err == (
        f"lprof-viewer: {other} would hold text, not a profile; lprof-viewer merge writes "
        ".lprof files.\n"
    )
    assert other.read_bytes() == busy_lprof.read_bytes()

    table = tmp_path / "d.csv"
    assert main(["diff", str(busy_lprof), str(busy_lprof), "-o", str(table)]) == 2
    assert "this command cannot write CSV; choose one with --format." in capsys.readouterr().err
    assert not table.exists()

    # A document's name promises a program that cannot open text.
    document = tmp_path / "report.PDF"
    assert main(["export", str(busy_lprof), "-o", str(document)]) == 2
    assert capsys.readouterr().err == (
        "lprof-viewer: this command cannot write PDF; choose one with --format.\n"
    )
    assert not document.exists()
    # Asked for by name, text goes where it is told; any other name gets text.
    assert main(["export", str(busy_lprof), "--format", "text", "-o", str(document)]) == 0
    assert main(["export", str(busy_lprof), "-o", str(tmp_path / "run.out")]) == 0
    assert (tmp_path / "run.out").read_text().startswith("Timer unit:")


@pytest.mark.parametrize("failure", ["full disk", "Ctrl+C"])
@pytest.mark.parametrize("verb", ["export", "diff"])
def test_an_output_file_is_left_whole_when_writing_it_fails_halfway(
    failure: str,
    verb: str,
    busy_lprof: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """Yesterday's export is still there after today's stops at its first function."""
    from lprof_viewer.core.diff_export import DiffTextExporter
    from lprof_viewer.core.exporters.text_export import TextExporter

    out = tmp_path / "report.txt"
    inputs = [str(busy_lprof)] * (1 if verb == "export" else 2)
    assert main([verb, *inputs, "-o", str(out)]) == 0
    yesterday = out.read_bytes()
    out.chmod(0o640)
    error = (
        OSError(28, "No space left on device") if failure == "full disk" else KeyboardInterrupt()
    )

    def fail(*args: object, **kwargs: object) -> str:
        raise error

    exporter = TextExporter if verb == "export" else DiffTextExporter
    monkeypatch.setattr(exporter, "function_text", fail)
    capsys.readouterr()

    status = main([verb, *inputs, "-o", str(out)])

    said = capsys.readouterr().err
    if failure == "full disk":
        assert status == 2
        assert said == f"lprof-viewer: cannot write {out}: No space left on device.\n"
    else:
        assert status == 130 and said == ""  # the shell shows ^C
    assert out.read_bytes() == yesterday
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # nothing half-written beside


def test_a_read_only_output_file_is_refused_not_replaced(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    """As ``open`` refuses it (the tests may run as root, whom permissions do not stop)."""
    out = tmp_path / "report.txt"
    out.write_text("keep me\n", encoding="utf-8")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: mode != os.W_OK and real_access(path, mode)
    )

    assert main(["export", str(busy_lprof), "-o", str(out)]) == 2

    assert capsys.readouterr().err == f"lprof-viewer: cannot write {out}: Permission denied.\n"
    assert out.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="a system without SIGHUP")
def test_a_signal_ignored_under_nohup_stays_ignored_while_a_command_runs():
    """``nohup lprof-viewer run ...``: closing the terminal must not stop the run."""
    from lprof_viewer.core.ending_signals import ending_signals_handled

    def handler(*_: object) -> None:
        raise AssertionError("not to be called")

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with ending_signals_handled(handler):
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is handler
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
