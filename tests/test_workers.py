"""Background work: answers come back on the GUI thread, and only the newest one counts."""

import threading

from lprof_viewer.ui.workers import LatestTask


def test_a_reload_replacing_a_slow_one_is_not_overwritten_by_its_late_answer(qtbot):
    release = threading.Event()
    answers: list[str] = []
    loader = LatestTask()

    def slow() -> str:
        release.wait(10)
        return "old file"

    loader.start(answers.append, answers.append, slow)
    loader.start(answers.append, answers.append, lambda: "new file")
    qtbot.waitUntil(lambda: answers == ["new file"], timeout=5_000)
    release.set()  # the first load ends last
    qtbot.wait(300)

    assert answers == ["new file"]


def test_an_error_comes_back_as_one_sentence(qtbot):
    errors: list[str] = []

    def broken() -> None:
        raise ValueError("bad bytes")

    LatestTask().start(lambda _: None, errors.append, broken)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)

    assert errors == ["Unexpected error: ValueError: bad bytes"]
