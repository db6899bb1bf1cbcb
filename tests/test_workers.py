"""Background work: answers come back on the GUI thread, and only the newest one counts."""

import threading

from PySide6.QtCore import QObject
from shiboken6 import isValid

from lprof_viewer.ui.workers import LatestTask


def held_until(release: threading.Event, answer: str):
    """Work that answers ``answer`` once ``release`` is set (a slow load)."""

    def slow() -> str:
        release.wait(10)
        return answer

    return slow


def slow_load(answer: str):
    """A task loading slowly until released: (release, answers, owner, its task)."""
    release = threading.Event()
    answers: list[str] = []
    owner = QObject()
    loader = LatestTask(owner)
    loader.start(answers.append, answers.append, held_until(release, answer))
    return release, answers, owner, loader


def test_a_reload_replacing_a_slow_one_is_not_overwritten_by_its_late_answer(qtbot):
    release, answers, _owner, loader = slow_load("old file")
    loader.start(answers.append, answers.append, lambda: "new file")
    qtbot.waitUntil(lambda: answers == ["new file"], timeout=5_000)
    release.set()  # the first load ends last
    qtbot.wait(300)

    assert answers == ["new file"]


def test_an_error_comes_back_as_one_sentence(qtbot):
    errors: list[str] = []

    def broken() -> None:
        raise ValueError("bad bytes")

    owner = QObject()
    LatestTask(owner).start(lambda _: None, errors.append, broken)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)

    assert errors == ["Unexpected error: ValueError: bad bytes"]


def test_the_answer_of_a_task_whose_owner_was_deleted_is_dropped(qtbot):
    release, answers, owner, _loader = slow_load("late")
    owner.deleteLater()  # a tab closed while it loads
    qtbot.waitUntil(lambda: not isValid(owner), timeout=5_000)
    release.set()
    qtbot.wait(300)

    assert answers == []
