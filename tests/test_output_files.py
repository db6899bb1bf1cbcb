"""Outputs are replaced whole, except where replacing would change more than the contents.

An export writes a new file beside the old and renames it over (the cases
where that keeps the old file are in ``test_command_line``); where that would
change the file's owner, its other links or another stream, it is written
into as ``open`` writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lprof_viewer.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


def _export_to(profile: Path, out: Path | str) -> int:
    return main(["export", str(profile), "-o", str(out)])


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="a system without /dev/stdout")
def test_dev_stdout_writes_into_the_stream_the_shell_redirected(
    busy_lprof: Path, tmp_path: Path
) -> None:
    out = tmp_path / "log.txt"
    command = (
        f"{{ echo before; {sys.executable} -m lprof_viewer export '{busy_lprof}' "
        f"-o /dev/stdout; echo after; }} > '{out}'"
    )

    subprocess.run(["sh", "-c", command], cwd=REPO_ROOT, check=True, timeout=120)

    text = out.read_text(encoding="utf-8")
    assert text.startswith("before\nTimer unit:") and text.endswith("\nafter\n")


def test_a_file_with_other_links_is_written_into_so_they_see_it(
    busy_lprof: Path, tmp_path: Path
) -> None:
    out, other = tmp_path / "report.txt", tmp_path / "same-report.txt"
    out.write_text("old\n", encoding="utf-8")
    os.link(out, other)

    assert _export_to(busy_lprof, out) == 0

    assert other.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").startswith("Timer unit:")
    assert out.stat().st_ino == other.stat().st_ino


def test_another_users_file_is_written_into_and_stays_theirs(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replacing it would make the new file ours; they could no longer edit it."""
    out = tmp_path / "report.txt"
    out.write_text("old\n", encoding="utf-8")
    inode = out.stat().st_ino
    monkeypatch.setattr(os, "geteuid", lambda: out.stat().st_uid + 1)  # as if someone else's

    assert _export_to(busy_lprof, out) == 0

    assert out.stat().st_ino == inode
    assert out.read_text(encoding="utf-8").startswith("Timer unit:")


def test_a_name_too_long_for_a_file_beside_it_is_still_written(
    busy_lprof: Path, tmp_path: Path
) -> None:
    """The new file's name is 14 characters longer; a 250-character name is valid."""
    out = tmp_path / ("r" * 246 + ".txt")

    assert _export_to(busy_lprof, out) == 0

    assert out.read_text(encoding="utf-8").startswith("Timer unit:")
    assert [path.name for path in tmp_path.iterdir()] == [out.name]


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="a system without /dev/stdout")
def test_a_link_to_dev_stdout_writes_into_the_stream_too(busy_lprof: Path, tmp_path: Path) -> None:
    """Any name of this process's standard output (a link, /proc/$$/fd/1) is that stream."""
    link, out = tmp_path / "to-stdout.txt", tmp_path / "log.txt"
    link.symlink_to("/dev/stdout")
    command = (
        f"{{ echo before; {sys.executable} -m lprof_viewer export '{busy_lprof}' "
        f"-o '{link}'; }} > '{out}'"
    )

    subprocess.run(["sh", "-c", command], cwd=REPO_ROOT, check=True, timeout=120)

    assert out.read_text(encoding="utf-8").startswith("before\nTimer unit:")
    assert link.is_symlink()


@pytest.mark.parametrize(
    ("name", "problem"),
    [("/dev/fd/99999999999999999999", "Bad file descriptor"), ("loop", "symbolic links")],
)
def test_an_output_that_cannot_be_a_file_is_one_sentence(
    name: str,
    problem: str,
    busy_lprof: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("loop").symlink_to("other")
    Path("other").symlink_to("loop")

    assert _export_to(busy_lprof, name) == 2

    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"lprof-viewer: cannot write {name}: ") and problem in line
    assert Path("loop").is_symlink() and Path("other").is_symlink()


def test_merging_into_another_users_file_is_not_a_failure(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a file's owner may set its times (which a merge copies from its inputs)."""
    out = tmp_path / "all.lprof"
    out.write_bytes(b"")

    def not_the_owner(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "utime", not_the_owner)

    assert main(["merge", str(busy_lprof), str(busy_lprof), "-o", str(out)]) == 0
    assert out.stat().st_size > 0
