"""Running kernprof from the window: toolbar, console, stop, history."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from fixtures import SCRIPTS_DIR
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from ui_helpers import cell, contrast, palette, use_fake_editor

from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.run_history import RunHistory
from lprof_viewer.ui.function_table_model import FunctionTableModel as F
from lprof_viewer.ui.main_window import MainWindow
from lprof_viewer.ui.settings import AppSettings

RUN_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot, tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, history=RunHistory(tmp_path / "history"))
    qtbot.addWidget(window)
    window.show()
    return window


def run_to_the_end(qtbot, window: MainWindow, script: Path, body: str) -> None:
    """Write ``body`` as a profiled ``main()`` in ``script``, run it and wait until it is kept."""
    script.write_text(f"import os, signal\n\n\n@profile\ndef main():\n{body}\n\nmain()\n")
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script))


def script_copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "scripts"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(SCRIPTS_DIR / name, folder / name))


def accept_run_dialog_soon() -> None:
    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(200, accept)


def test_run_script_from_the_toolbar_opens_the_new_profile(qtbot, window, tmp_path):
    script = script_copy(tmp_path, "busy.py")
    with qtbot.waitSignal(window.all_ready, timeout=RUN_TIMEOUT_MS):
        window.open_paths([script])  # the script in front is the one Run Script runs
    accept_run_dialog_soon()
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.run_action.trigger()
    tab = window.current_tab()
    assert tab.run is not None and not tab.run.failed
    assert cell(tab.function_table, 0, F.NAME) == "slow_sum"
    console = window.runs.console.toPlainText()
    assert "-m kernprof -l" in console and "finished in" in console
    assert window.tabs.count() == 2  # the script tab is still there
    # F5 runs it again without asking; the history lists both runs.
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.rerun_action.trigger()
    assert window.tabs.count() == 3
    panel = window.runs.history_panel
    assert panel.model.rowCount() == 2
    assert panel.script_label.text().startswith("2 runs of ")
    assert [cell(panel.table, 0, column) for column in (1, 4)] == ["OK", "busy.py"]
    assert "-m kernprof -l" in panel.model.data(
        panel.model.index(0, 4), Qt.ItemDataRole.ToolTipRole
    )


def test_a_failing_script_opens_its_partial_profile_marked_failed(qtbot, window, tmp_path):
    script = script_copy(tmp_path, "raises.py")
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script))
    tab = window.current_tab()
    assert "(failed run)" in window.tabs.tabText(window.tabs.currentIndex())
    assert tab.file_banner.isVisible() and "exited with status 1" in tab.file_banner.text
    assert tab.function_model.rowCount() == 1
    assert "FixtureError" in window.runs.console.toPlainText()
    assert "exited with status 1" in window.statusBar().currentMessage()


def test_the_window_stays_responsive_and_stop_ends_the_run_and_its_children(
    qtbot, window, tmp_path
):
    script = script_copy(tmp_path, "sleeper.py")
    pid_file = tmp_path / "child.pid"
    config = RunConfig.for_script(script)
    config.args = [str(pid_file)]
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    assert window.runs.start(config)
    qtbot.waitUntil(lambda: "sleeping" in window.runs.console.toPlainText(), timeout=30_000)
    ticks.clear()
    qtbot.wait(1000)
    assert len(ticks) >= 12  # the event loop kept turning while the script ran
    assert "Running…" in window.runs.elapsed_label.text()
    kernprof_pid = window.runs.process.pid
    child_pid = int(pid_file.read_text())
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.stop_action.trigger()
    timer.stop()
    for pid in (kernprof_pid, child_pid):
        qtbot.waitUntil(lambda pid=pid: not _alive(pid), timeout=10_000)
    # Stopped as Ctrl+C stops kernprof: the profile of what ran is kept and shown.
    assert window.statusBar().currentMessage().startswith("sleeper.py was stopped after ")
    assert window.statusBar().currentMessage().endswith("its profile holds what ran until then.")
    assert window.current_tab().function_model.rowCount() == 1
    assert window.tabs.tabText(window.tabs.currentIndex()).endswith("(stopped run)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent to reap it is gone for our purposes
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_bad_interpreter_and_missing_script_say_so_and_keep_open_tabs(
    qtbot, window, tmp_path, busy_lprof
):
    with qtbot.waitSignal(window.all_ready, timeout=RUN_TIMEOUT_MS):
        window.open_paths([busy_lprof])
    script = script_copy(tmp_path, "busy.py")
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig(script, tmp_path / "nowhere" / "python", script.parent))
    assert "does not exist" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(tmp_path / "missing.py"))
    assert "missing.py does not exist" in window.statusBar().currentMessage()
    not_python = Path(shutil.which("true") or "/bin/true")  # starts, exits 0, is no Python
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig(script, not_python, script.parent))
    said = window.statusBar().currentMessage()
    assert said == f"{not_python} is not a Python interpreter that can run kernprof."
    assert window.tabs.count() == 1 and window.current_tab().function_model.rowCount() == 6


def test_a_script_that_asks_for_input_ends_instead_of_waiting_forever(qtbot, window, tmp_path):
    # Nobody can type into the console: a prompt (a Django "Type 'yes'", a
    # forgotten breakpoint()) must read end of file, not wait for Stop.
    run_to_the_end(qtbot, window, tmp_path / "asks.py", '    return input("Your name? ")')
    assert "EOFError" in window.runs.console.toPlainText()
    assert "exited with status 1" in window.statusBar().currentMessage()


def test_output_of_any_length_keeps_every_character(qtbot, window, tmp_path):
    from lprof_viewer.ui.run_console import CUT, MAX_LINE_CHARS

    # Read in chunks, a character's bytes may fall in two reads.
    script = tmp_path / "chatty.py"
    script.write_text(
        "import sys\n\n\n@profile\ndef main():\n    for _ in range(20):\n"
        "        sys.stdout.write('aé日' * 5_000 + '\\n')\n\n\nmain()\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script))
    console = window.runs.console.toPlainText()
    assert "\ufffd" not in console
    assert console.count(("aé日" * 5_000)[:MAX_LINE_CHARS] + CUT + "\n") == 20  # shown cut
    kept = window.runs.history_panel.model.runs[0].console.read_text(encoding="utf-8")
    assert "\ufffd" not in kept and kept.count("aé日" * 5_000) == 20


def test_the_console_redraws_a_progress_bar_in_place_and_cuts_endless_lines(qtbot):
    from lprof_viewer.ui.run_console import CUT, MAX_LINE_CHARS, RunConsole

    console = RunConsole()
    qtbot.addWidget(console)
    # As the pipe delivers it: a bar redrawn with \r, a \r\n cut in two, a huge line.
    for chunk in ["  0%|", "\r 50%|##", "\r100%|####\n", "windows line\r", "\nnext\n"]:
        console.append_text(chunk)
    for _ in range(12):
        console.append_text("x" * 1_000)
    console.append_text("\nafter\n")

    assert console.toPlainText().split("\n") == [
        "100%|####",
        "windows line",
        "next",
        "x" * MAX_LINE_CHARS + CUT,
        "after",
        "",
    ]


def test_a_history_folder_that_cannot_be_made_is_said_and_nothing_runs(qtbot, tmp_path):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the history folder should be")
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, history=RunHistory(blocked))
    qtbot.addWidget(window)
    script = script_copy(tmp_path, "busy.py")

    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script))

    said = window.statusBar().currentMessage()
    assert said.startswith(f"Cannot keep the run under {blocked}") and said.endswith(".")
    assert not window.runs.stop_action.isEnabled() and not window.runs.process.running


def test_history_opens_and_deletes_runs(qtbot, window, tmp_path):
    script = script_copy(tmp_path, "busy.py")
    for _ in range(2):
        with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
            window.runs.start(RunConfig.for_script(script))
    panel = window.runs.history_panel
    assert panel.model.rowCount() == 2
    panel.table.selectRow(1)
    with qtbot.waitSignal(window.all_ready, timeout=RUN_TIMEOUT_MS):
        panel.open_selected()
    assert window.tabs.count() == 3
    # Recent names a kept run by its script and time, not its folder in the history.
    recent = [action.text() for action in window.recent_menu.actions()]
    assert f"{panel.model.runs[1].label}, kept run" in recent
    oldest = panel.model.runs[1]
    panel.table.selectRow(1)
    panel.delete_selected()
    assert panel.model.rowCount() == 1
    assert not oldest.folder.exists()


def test_a_run_ended_by_a_signal_says_which(qtbot, window, tmp_path):
    run_to_the_end(
        qtbot, window, tmp_path / "killed.py", "    os.kill(os.getpid(), signal.SIGKILL)"
    )

    said = window.statusBar().currentMessage()
    assert said.startswith(
        "kernprof wrote no profile for killed.py (killed.py was killed by SIGKILL)"
    )
    panel = window.runs.history_panel
    (run,) = panel.model.runs
    assert run.exit_status == -9 and cell(panel.table, 0, 3) == "SIGKILL"


def test_a_script_that_goes_on_after_stop_is_said_to_be_killed(qtbot, window, tmp_path):
    script = tmp_path / "stubborn.py"
    script.write_text(
        "import time\n\n\n@profile\ndef main():\n    print('sleeping', flush=True)\n"
        "    while True:\n        try:\n            time.sleep(0.1)\n"
        "        except KeyboardInterrupt:\n            pass\n\n\nmain()\n"
    )
    assert window.runs.start(RunConfig.for_script(script))
    qtbot.waitUntil(lambda: "sleeping" in window.runs.console.toPlainText(), timeout=30_000)
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.stop_action.trigger()

    said = window.statusBar().currentMessage()
    assert said.startswith("stubborn.py was stopped after ")
    assert said.endswith(
        "; it went on when asked to stop, so it was killed before kernprof wrote a profile."
    )


def test_the_run_going_on_is_not_deleted_from_the_history(qtbot, window, tmp_path):
    script = script_copy(tmp_path, "sleeper.py")
    config = RunConfig.for_script(script)
    config.args = [str(tmp_path / "child.pid")]
    assert window.runs.start(config)
    qtbot.waitUntil(lambda: "sleeping" in window.runs.console.toPlainText(), timeout=30_000)
    panel = window.runs.history_panel
    panel.show_script(script)
    (going,) = panel.model.runs

    panel.table.selectRow(0)
    panel.delete_selected()

    assert going.folder.is_dir() and panel.model.rowCount() == 1
    assert window.statusBar().currentMessage() == (
        f"{going.label} is still running: stop it before deleting it."
    )
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.stop_action.trigger()
    assert window.current_tab().function_model.rowCount() == 1  # its profile was kept


def test_opening_a_run_that_wrote_no_profile_shows_what_it_printed(qtbot, window, tmp_path):
    body = "    print('about to leave', flush=True)\n    os._exit(3)"
    run_to_the_end(qtbot, window, tmp_path / "hard_exit.py", body)
    window.runs.console.clear()  # as after a restart: the run's output is only in the history
    panel = window.runs.history_panel
    (run,) = panel.model.runs
    assert not run.has_profile

    panel.table.selectRow(0)
    panel.open_selected()

    assert window.tabs.count() == 0  # no tab saying profile.lprof does not exist
    assert "about to leave" in window.runs.console.toPlainText()
    assert window.statusBar().currentMessage() == (
        f"{run.label} wrote no profile; the Console shows what it printed."
    )


def test_recent_names_a_kept_run_under_a_linked_data_folder(qtbot, tmp_path):
    real = tmp_path / "real_data"
    real.mkdir()
    linked = tmp_path / "data"
    linked.symlink_to(real)  # a data folder reached through a link, as many homes are
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, history=RunHistory(linked))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script_copy(tmp_path, "busy.py")))

    (run,) = window.runs.history_panel.model.runs
    assert [action.text() for action in window.recent_menu.actions()] == [f"{run.label}, kept run"]


def test_a_runs_line_whose_script_was_deleted_opens_the_runs_copy_and_says_so(
    qtbot, window, tmp_path
):
    record = use_fake_editor(window, tmp_path)
    script = script_copy(tmp_path, "busy.py")
    with qtbot.waitSignal(window.runs.run_settled, timeout=RUN_TIMEOUT_MS):
        window.runs.start(RunConfig.for_script(script))
    script.unlink()  # the developer deleted (or renamed) the script since

    window.current_tab().source_table.doubleClicked.emit(
        window.current_tab().source_model.index(3, 0)
    )

    qtbot.waitUntil(lambda: record.exists() and record.read_text().strip() != "", timeout=5_000)
    opened = Path(record.read_text().split()[0])
    assert opened.name == "busy.py" and opened.is_relative_to(window.history.runs_dir)
    assert window.statusBar().currentMessage() == (
        "busy.py is no longer where the run found it: the editor shows the run's copy of "
        "the code it measured."
    )


def test_an_opened_script_lists_what_it_profiles_beside_its_code(qtbot, window, tmp_path):
    script = script_copy(tmp_path, "busy.py")
    with qtbot.waitSignal(window.all_ready, timeout=RUN_TIMEOUT_MS):
        (tab,) = window.open_paths([script])
    targets = [tab.targets.item(row).text() for row in range(tab.targets.count())]
    assert any(text.startswith("slow_sum  (line") for text in targets)
    assert tab.summary.text() == f"busy.py marks {len(targets)} function(s) for profiling:"
    assert "def slow_sum" in tab.source.toPlainText()

    script.unlink()
    with qtbot.waitSignal(tab.ready, timeout=RUN_TIMEOUT_MS):
        tab.reload()
    assert tab.summary.text().startswith("busy.py cannot be read: ")


@pytest.mark.parametrize("dark", [False, True])
def test_the_run_dialogs_problem_reads_on_light_and_dark(qtbot, tmp_path, dark):
    from lprof_viewer.ui.run_dialog import RunDialog

    with palette(dark):
        dialog = RunDialog(RunConfig(tmp_path / "missing.py", Path(sys.executable), tmp_path))
        qtbot.addWidget(dialog)
        colour = QColor(dialog.problem.styleSheet().removeprefix("color: ").rstrip(";"))
        window = dialog.palette().color(QPalette.ColorRole.Window)
    assert contrast(colour, window) >= 4.5  # WCAG AA for text


def test_the_run_dialog_names_the_field_at_fault_and_waits_to_run(qtbot, tmp_path):
    from lprof_viewer.ui.run_dialog import RunDialog

    script = tmp_path / "s.py"
    script.write_text("print('hi')\n")
    dialog = RunDialog(RunConfig(script, Path(sys.executable), tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.run_button.isEnabled() and dialog.problem.text() == ""

    dialog.args.setText('--flag "unterminated')
    assert dialog.problem.text() == "Arguments: No closing quotation."
    assert not dialog.run_button.isEnabled()

    dialog.args.setText("--flag")
    dialog.env.setPlainText("NOEQUALS")
    assert dialog.problem.text() == "environment setting 'NOEQUALS' is not KEY=VALUE."
    assert not dialog.run_button.isEnabled()

    dialog.env.setPlainText("")
    assert dialog.run_button.isEnabled() and "--flag" in dialog.command.text()

    # An empty field is not the app's own folder ('.'), and a folder is no interpreter.
    for edit, said in (
        (dialog.python, "Name the Python interpreter to run it with."),
        (dialog.cwd, "Choose the folder to run it in."),
        (dialog.script, "Choose the script to run."),
    ):
        text = edit.text()
        edit.setText("  ")
        assert dialog.problem.text() == said and not dialog.run_button.isEnabled()
        edit.setText(text)
    dialog.python.setText(str(tmp_path))
    assert (
        dialog.problem.text()
        == f"The interpreter {tmp_path} is a folder, not a Python interpreter."
    )
    dialog.python.setText(sys.executable)

    # Spaced as an assignment, the value does not begin with the space.
    dialog.env.setPlainText("DJANGO_SETTINGS_MODULE = site.settings\nPADDED= kept")
    assert dialog.config().env == {"DJANGO_SETTINGS_MODULE": "site.settings", "PADDED": " kept"}


def test_tab_leaves_the_run_dialogs_environment_box(qtbot, tmp_path):
    from lprof_viewer.ui.run_dialog import RunDialog

    dialog = RunDialog(RunConfig(tmp_path / "s.py", Path(sys.executable), tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    dialog.env.setPlainText("DJANGO_SETTINGS_MODULE=site.settings")
    dialog.env.setFocus()
    qtbot.waitUntil(dialog.env.hasFocus, timeout=5_000)
    qtbot.keyClick(dialog.env, Qt.Key.Key_Tab)

    assert dialog.env.toPlainText() == "DJANGO_SETTINGS_MODULE=site.settings"  # no tab typed
    assert not dialog.env.hasFocus()


def test_closing_the_window_during_a_run_stops_it_as_stop_does(
    qtbot, window, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args: asked.append(args) or QMessageBox.StandardButton.Yes
    )
    script = script_copy(tmp_path, "sleeper.py")
    pid_file = tmp_path / "child.pid"
    config = RunConfig.for_script(script)
    config.args = [str(pid_file)]
    assert window.runs.start(config)
    qtbot.waitUntil(lambda: "sleeping" in window.runs.console.toPlainText(), timeout=30_000)
    child_pid = int(pid_file.read_text())

    window.close()
    assert len(asked) == 1 and window.isVisible()  # asked first; closes once the run is kept
    window.close()  # impatient: asked once is enough while it stops
    assert len(asked) == 1
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT_MS)

    (record,) = window.history.runs_for(script)
    assert record.message.endswith("its profile holds what ran until then.")
    qtbot.waitUntil(lambda: not _alive(child_pid), timeout=10_000)
