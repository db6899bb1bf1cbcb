"""One window per user: a second launch hands its files to the first; macOS file-open events.

The hand-off tests start real ``python -m lprof_viewer`` processes (offscreen), each test
with a server name of its own, and ask the first window what it shows with the protocol's
status query.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import LOAD_TIMEOUT_MS, make_window

from lprof_viewer.desktop.instance_protocol import (
    INSTANCE_ENV,
    decode,
    encode,
    is_standalone,
    requested_paths,
    server_name,
)
from lprof_viewer.ui.app import make_application
from lprof_viewer.ui.application import ViewerApplication
from lprof_viewer.ui.single_instance import ask_running_window

START_TIMEOUT_S = 60.0


@pytest.fixture
def instance_env() -> Iterator[dict[str, str]]:
    """An environment with a private server name, its socket in a short private folder."""
    runtime = tempfile.mkdtemp(prefix="lpv-")  # Unix socket paths must stay short
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        INSTANCE_ENV: f"test-{uuid.uuid4().hex[:12]}",
        "XDG_RUNTIME_DIR": runtime,
    }
    yield env
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Started app processes, always ended after the test."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def launch(
    processes: list[subprocess.Popen[str]], env: dict[str, str], cwd: Path, *args: str
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "lprof_viewer", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    processes.append(process)
    return process


def status(env: dict[str, str]) -> dict | None:
    return ask_running_window({"status": True}, server_name(env), timeout_ms=2_000)


def wait_for_tabs(env: dict[str, str], process: subprocess.Popen[str], count: int) -> dict:
    """The first window's status once it serves and shows ``count`` tabs."""
    deadline = time.monotonic() + START_TIMEOUT_S
    reply = None
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        reply = status(env)
        if reply is not None and len(reply["tabs"]) >= count:
            return reply
        time.sleep(0.1)
    raise AssertionError(f"the window never showed {count} tabs: {reply}")


def profiles(folder: Path, source: Path, *names: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    copies = [folder / name for name in names]
    for copy in copies:
        shutil.copy(source, copy)
    return copies


def test_a_second_launch_hands_its_files_to_the_running_window(
    tmp_path, busy_lprof, instance_env, processes
):
    (first_file,) = profiles(tmp_path / "one", busy_lprof, "first.lprof")
    profiles(tmp_path / "two", busy_lprof, "second.lprof", "third.lprof")
    first = launch(processes, instance_env, tmp_path / "one", "first.lprof")
    assert wait_for_tabs(instance_env, first, 1)["tabs"] == ["first.lprof"]

    started = time.monotonic()
    # Relative paths, from another folder: they must arrive meaning the same files.
    second = launch(processes, instance_env, tmp_path / "two", "second.lprof", "third.lprof")
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, out + err
    assert time.monotonic() - started < 20

    reply = wait_for_tabs(instance_env, first, 3)
    assert reply["tabs"] == ["first.lprof", "second.lprof", "third.lprof"]
    assert reply["active"] is True
    assert first.poll() is None, "the first window must stay open"
    assert first_file.exists()


def test_two_launches_at_the_same_moment_end_in_one_window(
    tmp_path, busy_lprof, instance_env, processes
):
    # Explorer starts one process per selected file: neither finds a window to hand off
    # to, so the one that cannot listen must give its file to the one that can.
    profiles(tmp_path, busy_lprof, "left.lprof", "right.lprof")
    left = launch(processes, instance_env, tmp_path, "left.lprof")
    right = launch(processes, instance_env, tmp_path, "right.lprof")
    survivor = None
    deadline = time.monotonic() + START_TIMEOUT_S
    while survivor is None and time.monotonic() < deadline:
        finished = [p for p in (left, right) if p.poll() is not None]
        if finished:
            (quitter,) = finished
            assert quitter.returncode == 0, quitter.communicate()
            survivor = right if quitter is left else left
        time.sleep(0.1)
    assert survivor is not None, "both launches kept a window of their own"
    assert sorted(wait_for_tabs(instance_env, survivor, 2)["tabs"]) == ["left.lprof", "right.lprof"]


def test_a_launch_with_no_running_window_opens_its_own_and_clears_a_stale_socket(
    tmp_path, busy_lprof, instance_env, processes
):
    # A window that crashed leaves its socket file behind, with nobody listening.
    stale = server_name(instance_env)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(stale)
    dead.close()
    assert status(instance_env) is None

    profiles(tmp_path, busy_lprof, "mine.lprof")
    first = launch(processes, instance_env, tmp_path, "mine.lprof")
    assert wait_for_tabs(instance_env, first, 1)["tabs"] == ["mine.lprof"]


def test_screenshots_and_new_instance_launches_stand_alone(
    tmp_path, busy_lprof, instance_env, processes
):
    profiles(tmp_path, busy_lprof, "a.lprof", "b.lprof")
    first = launch(processes, instance_env, tmp_path, "a.lprof")
    wait_for_tabs(instance_env, first, 1)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "lprof_viewer", "--screenshot", str(shot), "b.lprof"],
        cwd=tmp_path,
        env=instance_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:4] == b"\x89PNG"
    assert status(instance_env)["tabs"] == ["a.lprof"]  # nothing was handed over
    own = launch(processes, instance_env, tmp_path, "--new-instance", "b.lprof")
    time.sleep(3)
    assert own.poll() is None, "a --new-instance launch keeps its own window open"
    assert status(instance_env)["tabs"] == ["a.lprof"]


def test_asking_when_no_window_runs_answers_none_at_once(instance_env) -> None:
    started = time.monotonic()
    assert status(instance_env) is None
    assert time.monotonic() - started < 0.2


def test_which_launches_hand_off() -> None:
    window_args = {
        "files": [],
        "demo": False,
        "run": None,
        "diff": None,
        "screenshot": None,
        "source_map": [],
        "palette": "system",
        "new_instance": False,
    }

    def launch_args(**changes: object) -> argparse.Namespace:
        return argparse.Namespace(**{**window_args, **changes})

    assert not is_standalone(launch_args(files=[Path("a.lprof")]))
    assert not is_standalone(launch_args(demo=True))
    assert is_standalone(launch_args(screenshot=Path("x.png")))
    assert is_standalone(launch_args(new_instance=True))
    assert is_standalone(launch_args(run=Path("s.py")))
    assert is_standalone(launch_args(diff=[Path("a"), Path("b")]))
    assert is_standalone(launch_args(palette="dark"))
    paths = requested_paths(launch_args(files=[Path("rel/a.lprof")], demo=True))
    assert paths[0] == Path.cwd() / "rel" / "a.lprof"
    assert paths[1].name == "demo.lprof" and paths[1].is_absolute()


def test_messages_are_one_json_object_per_line() -> None:
    assert decode(encode({"open": ["/a b/ü.lprof"]})) == {"open": ["/a b/ü.lprof"]}
    assert encode({"status": True}).count(b"\n") == 1
    with pytest.raises(ValueError):
        decode(b"[1, 2]")
    with pytest.raises(ValueError):
        decode(b"not json")


def test_the_server_name_is_per_user_and_private(tmp_path) -> None:
    name = server_name({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert Path(name).parent == tmp_path and Path(name).name.startswith("lprof-viewer-")
    assert server_name({INSTANCE_ENV: "x", "XDG_RUNTIME_DIR": str(tmp_path)}) == str(tmp_path / "x")
    # Without $XDG_RUNTIME_DIR: a user-only folder of ours in the temporary folder.
    temp = tmp_path / "tmp"
    temp.mkdir()
    name = Path(server_name({}, temp=str(temp)))
    assert name.parent == temp / f"lprof-viewer-{os.getuid()}"
    assert stat.S_IMODE(name.parent.stat().st_mode) == 0o700
    assert server_name({}, temp=str(temp)) == str(name)  # the next launch finds it


def test_a_folder_another_could_listen_in_is_not_used(tmp_path) -> None:
    temp = tmp_path / "tmp"
    squatted = temp / f"lprof-viewer-{os.getuid()}"
    squatted.mkdir(parents=True)
    squatted.chmod(0o777)  # anyone could put a socket there first
    name = Path(server_name({}, temp=str(temp)))
    assert name.parent != squatted


def test_the_application_is_the_viewers_own(qapp) -> None:
    assert isinstance(qapp, ViewerApplication)
    assert make_application() is qapp


def test_a_file_open_event_opens_a_tab(qapp, qtbot, tmp_path, busy_lprof) -> None:
    window = make_window(qtbot, tmp_path)
    qapp.set_window(window)
    try:
        with qtbot.waitSignal(window.all_ready, timeout=LOAD_TIMEOUT_MS):
            QApplication.postEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(busy_lprof))))
        assert window.tabs.count() == 1
        assert window.tabs.tabText(0) == "busy.lprof"
    finally:
        qapp.set_window(None)


def test_files_opened_before_the_window_exists_wait_for_it(
    qapp, qtbot, tmp_path, busy_lprof
) -> None:
    qapp.set_window(None)
    QApplication.sendEvent(qapp, QFileOpenEvent(str(busy_lprof)))
    assert qapp.pending == [busy_lprof]
    window = make_window(qtbot, tmp_path)
    try:
        with qtbot.waitSignal(window.all_ready, timeout=LOAD_TIMEOUT_MS):
            qapp.set_window(window)
        assert qapp.pending == []
        assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["busy.lprof"]
    finally:
        qapp.set_window(None)
