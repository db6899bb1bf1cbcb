"""The comparison screen, driven as a person would."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fixtures import SCRIPTS_DIR, run_kernprof, two_checkouts_of_two_apps
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTableView
from ui_helpers import cell, column_texts, contrast, make_window, palette, use_fake_editor

from lprof_viewer.core.kernprof_command import RunConfig
from lprof_viewer.core.units import TimeUnit
from lprof_viewer.ui.diff_models import DiffFunctionTableModel as D
from lprof_viewer.ui.diff_models import DiffSideModel as S

BEFORE = """
@profile
def lookup(items, wanted):
    for item in items:
        if item == wanted:
            return item
    return None


@profile
def main():
    items = list(range(3000))
    found = 0
    for wanted in range(0, 3000, 7):
        found += lookup(items, wanted) is not None
    return found


main()
"""

AFTER = """
@profile
def lookup(items, wanted):
    # A set answers at once: the change under test.
    return wanted if wanted in items else None


@profile
def main():
    items = set(range(3000))
    found = 0
    for wanted in range(0, 3000, 7):
        found += lookup(items, wanted) is not None
    return found


main()
"""


def profile_versions(tmp_path: Path, before: str = BEFORE, after: str = AFTER) -> tuple[Path, Path]:
    """The same script before and after an optimisation, each profiled by kernprof."""
    outputs = []
    for name, text in (("before", before), ("after", after)):
        folder = tmp_path / name
        folder.mkdir()
        script = folder / "search.py"
        script.write_text(text.lstrip())
        out = folder / f"{name}.lprof"
        run_kernprof(script, out)
        outputs.append(out)
    return outputs[0], outputs[1]


def open_diff(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    before, after = profile_versions(tmp_path)
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(before, after)
    return window, tab


def test_summary_and_functions_sorted_by_the_size_of_the_change(qtbot, tmp_path):
    _window, tab = open_diff(qtbot, tmp_path)
    assert "faster" in tab.summary.text() and "→" in tab.summary.text()
    # main calls lookup, profiled too: the second line says their totals overlap.
    assert tab.nesting_note.isVisible()
    assert tab.nesting_note.text().startswith("lookup runs inside main, so its time counts twice")
    functions = tab.findChild(QTableView, "diffFunctionTable")
    changes = [
        abs(tab.function_model.function_at(r).delta) for r in range(functions.model().rowCount())
    ]
    assert changes == sorted(changes, reverse=True)
    assert set(column_texts(functions, D.NAME)) == {"lookup", "main"}
    for row in range(2):
        assert cell(functions, row, D.CHANGE).startswith("▼")  # an arrow, not colour alone
        assert cell(functions, row, D.RATIO).endswith("faster")


def test_lines_are_aligned_by_code_and_changes_are_marked(qtbot, tmp_path):
    _window, tab = open_diff(qtbot, tmp_path)
    functions = tab.findChild(QTableView, "diffFunctionTable")
    row = column_texts(functions, D.NAME).index("lookup")
    rect = functions.visualRect(functions.model().index(row, 0))
    qtbot.mouseClick(functions.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown(qtbot, tab)
    side_a = tab.findChild(QTableView, "diffSourceA")
    side_b = tab.findChild(QTableView, "diffSourceB")
    assert side_a.model().rowCount() == side_b.model().rowCount()
    code_a, code_b = column_texts(side_a, S.CODE), column_texts(side_b, S.CODE)
    same = [i for i, (a, b) in enumerate(zip(code_a, code_b, strict=True)) if a and a == b]
    assert any("def lookup" in code_a[i] for i in same)
    assert any("for item in items" in text for text in code_a)
    assert any("return wanted if wanted in items" in text for text in code_b)
    # B has fewer lines: some rows of B are empty, marked as absent.
    assert "" in column_texts(side_b, S.LINE)
    changed_rows = [i for i in range(len(code_a)) if code_a[i] != code_b[i]]
    background = Qt.ItemDataRole.BackgroundRole
    for index in changed_rows:
        marked = side_b.model().data(side_b.model().index(index, S.LINE), background)
        assert marked is not None


def test_the_panes_scroll_together_line_for_line(qtbot, tmp_path):
    _window, tab = open_diff(qtbot, tmp_path)
    tab.resize(900, 300)
    assert tab.current_function() is not None  # the first function is selected on open
    side_a = tab.findChild(QTableView, "diffSourceA")
    side_b = tab.findChild(QTableView, "diffSourceB")
    change = tab.findChild(QTableView, "diffChange")
    side_b.verticalScrollBar().setValue(side_b.verticalScrollBar().maximum())
    assert side_a.verticalScrollBar().value() == side_b.verticalScrollBar().value()
    assert change.verticalScrollBar().value() == side_b.verticalScrollBar().value()
    side_a.setCurrentIndex(side_a.model().index(1, 0))
    assert side_b.currentIndex().row() == 1 and change.currentIndex().row() == 1


def test_every_pane_reaches_its_last_line_when_one_pane_has_long_code(qtbot, tmp_path):
    long_line = f"    label = '{'x' * 300}'\n"
    after = AFTER.replace("    found = 0\n", long_line + "    found = 0\n", 1)
    a, b = profile_versions(tmp_path, after=after)
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(a, b)
    window.resize(1600, 330)
    tab.function_table.selectRow(column_texts(tab.function_table, D.NAME).index("main"))
    panes = [tab.findChild(QTableView, name) for name in ("diffSourceA", "diffChange")]
    panes.append(tab.findChild(QTableView, "diffSourceB"))
    qtbot.waitUntil(lambda: panes[2].verticalScrollBar().maximum() > 0)

    # One range for all three: a pane that ends sooner would pull the others back
    # from their last line (it sets their position too).
    assert len({pane.verticalScrollBar().maximum() for pane in panes}) == 1
    panes[2].verticalScrollBar().setValue(panes[2].verticalScrollBar().maximum())
    for pane in panes:
        last = pane.model().index(pane.model().rowCount() - 1, 0)
        assert pane.visualRect(last).bottom() < pane.viewport().height(), pane.objectName()


def test_a_function_of_one_run_has_blank_numbers_for_the_other(qtbot, tmp_path):
    extra = "\n\n@profile\ndef extra():\n    return 1\n\n\nextra()\n"
    a, b = profile_versions(tmp_path, after=AFTER + extra)
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(a, b)
    table = tab.function_table
    row = column_texts(table, D.NAME).index("extra (only in B)")

    assert [cell(table, row, column) for column in (D.TIME_A, D.HITS_A)] == ["", ""]
    assert cell(table, row, D.HITS_B) == "1" and cell(table, row, D.RATIO) == "new"


@pytest.mark.parametrize("dark", [False, True])
def test_faster_and_slower_read_on_light_and_dark(qtbot, tmp_path, dark):
    with palette(dark):
        _window, tab = open_diff(qtbot, tmp_path)
        functions = tab.function_model
        base = tab.function_table.palette().color(QPalette.ColorRole.Base)
        colours = [
            functions.data(functions.index(row, D.CHANGE), Qt.ItemDataRole.ForegroundRole)
            for row in range(functions.rowCount())
        ]
    assert colours and all(colours)
    assert all(contrast(colour, base) >= 4.5 for colour in colours)  # WCAG AA for text


def test_unit_and_filter_work_on_the_diff_too(qtbot, tmp_path):
    window, tab = open_diff(qtbot, tmp_path)
    window.set_unit("ms")
    functions = tab.findChild(QTableView, "diffFunctionTable")
    assert functions.model().headerData(D.TIME_A, Qt.Orientation.Horizontal) == "Time A (ms)"
    total_a = tab.diff.total_a * 1000
    assert tab.summary.text().startswith(f"Total {total_a:.1f} ms → ")
    # The change column between the panes names the unit too.
    assert tab.change_model.headerData(0, Qt.Orientation.Horizontal) == "Change (ms)"
    qtbot.keyClicks(tab.filter_edit, "look")
    assert column_texts(functions, D.NAME) == ["lookup"]


def test_functions_of_one_name_in_two_files_are_told_apart_by_their_files(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(*two_checkouts_of_two_apps(tmp_path))

    names = sorted(column_texts(tab.function_table, D.NAME))

    after = tmp_path / "after"
    assert names == [f"index — {after / app / 'views.py'}" for app in ("app1", "app2")]


def test_a_new_unit_or_sort_keeps_the_function_and_its_lines_shown(qtbot, tmp_path):
    window, tab = open_diff(qtbot, tmp_path)
    tab.function_table.selectRow(1)
    # Not yet aligned: its lines are aligned on a pool thread, not the GUI thread.
    assert tab.shown_function is not tab.current_function()
    shown(qtbot, tab)
    chosen = tab.current_function()
    rows = tab.side_b.rowCount()
    assert chosen is not None and rows > 0

    window.set_unit("us")
    assert tab.current_function() is chosen and tab.side_b.rowCount() == rows
    assert tab.side_b.headerData(S.TIME, Qt.Orientation.Horizontal) == "Time (µs)"
    times = [text for text in column_texts(tab.source_b, S.TIME) if text]
    in_us = [TimeUnit("us").format(line.stat_b.time) for line in chosen.lines if line.stat_b]
    assert times == in_us and times

    tab.function_table.sortByColumn(D.NAME, Qt.SortOrder.AscendingOrder)
    assert tab.current_function() is chosen and tab.side_b.rowCount() == rows


def test_a_broken_file_shows_one_sentence_in_the_tab(qtbot, tmp_path):
    before, _ = profile_versions(tmp_path)
    broken = tmp_path / "broken.lprof"
    broken.write_bytes(before.read_bytes()[:40])
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(before, broken)
    assert "broken.lprof is truncated" in tab.pages.error_label.text()


def test_compare_from_the_history_opens_a_diff_of_two_runs(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    script = Path(shutil.copy(SCRIPTS_DIR / "busy.py", tmp_path / "busy.py"))
    for _ in range(2):
        with qtbot.waitSignal(window.runs.run_settled, timeout=60_000):
            window.runs.start(RunConfig.for_script(script))
    panel = window.runs.history_panel
    panel.table.selectRow(0)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        panel.compare_selected()
    tab = window.current_tab()
    older, newer = panel.model.runs[1], panel.model.runs[0]
    assert tab.paths == [older.profile, newer.profile]
    assert tab.title.count("busy.py") == 2
    title_a, title_b = tab.title.split(" ↔ ")
    assert title_a != title_b  # even for two runs started in the same second
    assert tab.function_model.rowCount() == 6
    panel.table.selectRow(1)  # the oldest run: nothing before it to compare with
    panel.compare_selected()
    assert window.statusBar().currentMessage().startswith("To compare, select two runs")
    # The same two runs' files, chosen with File > Compare…: called as the history calls them.
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        by_files = window.open_diff(older.profile, newer.profile)
    assert by_files.title == tab.title
    assert window.tabs.tabText(window.tabs.indexOf(by_files)) == tab.title
    # One run against itself: A and B, not earlier and later.
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        itself = window.open_diff(newer.profile, newer.profile)
    assert itself.title == f"{newer.label} (A) ↔ {newer.label} (B)"


def test_compare_with_the_run_before_skips_runs_that_wrote_no_profile(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    script = Path(shutil.copy(SCRIPTS_DIR / "busy.py", tmp_path / "busy.py"))
    code = script.read_text(encoding="utf-8")
    for text in (code, "import os\nos._exit(3)\n", code):  # the middle run writes nothing
        script.write_text(text, encoding="utf-8")
        with qtbot.waitSignal(window.runs.run_settled, timeout=60_000):
            window.runs.start(RunConfig.for_script(script))
    panel = window.runs.history_panel
    newest, no_profile, oldest = panel.model.runs
    assert not no_profile.has_profile

    panel.table.selectRow(0)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        panel.compare_selected()
    assert window.current_tab().paths == [oldest.profile, newest.profile]

    panel.table.selectRow(1)
    panel.compare_selected()
    assert window.statusBar().currentMessage().startswith("A selected run wrote no profile")


def test_compare_with_the_run_before_skips_a_run_in_which_nothing_ran_and_names_a_failed_one(
    qtbot, tmp_path
):
    window = make_window(qtbot, tmp_path)
    script = Path(shutil.copy(SCRIPTS_DIR / "busy.py", tmp_path / "busy.py"))
    code = script.read_text(encoding="utf-8")
    never_called = "@profile\ndef idle():\n    return 0\n"
    failing = code + "\nraise SystemExit(4)\n"
    for text in (code, never_called, failing):
        script.write_text(text, encoding="utf-8")
        with qtbot.waitSignal(window.runs.run_settled, timeout=60_000):
            window.runs.start(RunConfig.for_script(script))
    panel = window.runs.history_panel
    failed, nothing, oldest = panel.model.runs
    assert nothing.has_profile and not nothing.ran and failed.failed

    panel.table.selectRow(0)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        panel.compare_selected()

    tab = window.current_tab()
    assert tab.paths == [oldest.profile, failed.profile]  # not against the empty run
    assert tab.title.endswith("(failed run)")  # B holds a partial profile: said so


def test_compare_while_the_run_is_still_going_says_so(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    script = Path(shutil.copy(SCRIPTS_DIR / "sleeper.py", tmp_path / "sleeper.py"))
    config = RunConfig.for_script(script)
    config.args = [str(tmp_path / "child.pid")]
    assert window.runs.start(config)
    qtbot.waitUntil(lambda: "sleeping" in window.runs.console.toPlainText(), timeout=30_000)
    panel = window.runs.history_panel
    panel.show_script(script)  # listed again while it runs (another script's shown, then this)
    panel.table.selectRow(0)

    panel.compare_selected()

    said = window.statusBar().currentMessage()
    with qtbot.waitSignal(window.runs.run_settled, timeout=60_000):
        window.runs.stop_action.trigger()
    (going,) = panel.model.runs
    assert said == f"{going.label} is still running: its profile comes when it ends."


def diff_with_the_last_function_chosen(qtbot, tmp_path):
    """A diff window on the two versions, its last function selected: (window, tab, names)."""
    a, b = profile_versions(tmp_path)
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(a, b)
    names = column_texts(tab.function_table, D.NAME)
    tab.function_table.selectRow(len(names) - 1)
    return window, tab, names


def test_a_reload_keeps_the_function_being_compared(qtbot, tmp_path):
    window, tab, names = diff_with_the_last_function_chosen(qtbot, tmp_path)
    chosen = names[-1]

    with qtbot.waitSignal(tab.ready, timeout=20_000):
        window.reload_current()

    assert tab.current_function().name == chosen and len(names) > 1


def test_a_filter_that_still_matches_keeps_the_function_being_compared(qtbot, tmp_path):
    _, tab, names = diff_with_the_last_function_chosen(qtbot, tmp_path)
    chosen = names[-1]

    qtbot.keyClicks(tab.filter_edit, Path(tab.current_function().filename).name)  # all match

    assert tab.function_model.rowCount() == len(names)
    assert tab.current_function().name == chosen


def test_a_failed_reload_keeps_the_comparison_and_says_why(qtbot, tmp_path):
    window, tab, names = diff_with_the_last_function_chosen(qtbot, tmp_path)
    shown(qtbot, tab)
    rows = tab.side_b.rowCount()
    status = window.status_labels[1].text()
    tab.paths[1].write_bytes(tab.paths[1].read_bytes()[:40])  # B rewritten, broken

    with qtbot.waitSignal(tab.ready, timeout=20_000):
        window.reload_current()

    assert tab.pages.currentWidget() is tab.content  # not an error page
    assert column_texts(tab.function_table, D.NAME) == names and tab.side_b.rowCount() == rows
    assert "after.lprof is truncated" in tab.file_banner.text and tab.file_banner.isVisible()
    assert window.status_labels[1].text() == status  # the totals shown, still true of them


def test_a_rewritten_profile_is_offered_for_a_reload(qtbot, tmp_path):
    _, tab = open_diff(qtbot, tmp_path)
    hits_before = max(f.hits_b for f in tab.diff.functions)
    after = tab.paths[1]
    script = after.parent / "search.py"
    script.write_text(script.read_text().replace("range(0, 3000, 7)", "range(0, 3000, 3)"))

    run_kernprof(script, after)  # kernprof run again: B rewritten

    qtbot.waitUntil(lambda: "after.lprof changed on disk." in tab.file_banner.text, timeout=10_000)
    with qtbot.waitSignal(tab.ready, timeout=20_000):
        tab.file_banner.button("Reload").click()
    assert not tab.file_banner.isVisible()
    assert max(f.hits_b for f in tab.diff.functions) > hits_before


def test_a_file_rewritten_while_it_is_reloaded_is_offered_again(qtbot, tmp_path, monkeypatch):
    from lprof_viewer.ui import diff_tab

    window, tab = open_diff(qtbot, tmp_path)
    reading = diff_tab.compute_diff

    def read_then_linger(*args):  # type: ignore[no-untyped-def]
        diff = reading(*args)
        time.sleep(1.5)  # the files are read: a change now is not in what is shown
        return diff

    monkeypatch.setattr(diff_tab, "compute_diff", read_then_linger)
    after = tab.paths[1]
    with qtbot.waitSignal(tab.ready, timeout=20_000):
        window.reload_current()
        qtbot.wait(700)
        after.write_bytes(after.read_bytes())  # kernprof -i writing it again

    qtbot.waitUntil(lambda: tab.file_banner.text == "after.lprof changed on disk.", timeout=5_000)


def test_a_file_rewritten_just_before_a_reload_is_not_offered_after_it(qtbot, tmp_path):
    window, tab = open_diff(qtbot, tmp_path)
    after = tab.paths[1]
    after.write_bytes(after.read_bytes())  # Qt tells of it while the reload reads it

    with qtbot.waitSignal(tab.ready, timeout=20_000):
        window.reload_current()

    qtbot.wait(300)
    assert not tab.file_banner.isVisible()


def test_typing_a_filter_keeps_the_place_in_the_panes(qtbot, tmp_path):
    _, tab = open_diff(qtbot, tmp_path)
    tab.function_table.selectRow(column_texts(tab.function_table, D.NAME).index("main"))
    shown(qtbot, tab)
    row = next(r for r in range(tab.side_b.rowCount()) if r != tab.source_b.currentIndex().row())
    tab.source_b.setCurrentIndex(tab.side_b.index(row, 0))

    qtbot.keyClicks(tab.filter_edit, "ma")  # "main" still matches
    tab.filter_edit.clear()

    assert tab.current_function().name == "main"
    assert tab.source_b.currentIndex().row() == row


def test_a_double_click_opens_the_line_shown_while_another_function_aligns(
    qtbot, tmp_path, monkeypatch
):
    from lprof_viewer.ui import diff_tab

    profiles = []
    for name, text in (("before", BEFORE), ("after", AFTER)):  # lookup in a module of its own
        folder = tmp_path / name
        folder.mkdir()
        lookup_code, _, main_code = text.partition("@profile\ndef main")
        (folder / "lookups.py").write_text(lookup_code.lstrip())
        main_code = "from lookups import lookup\n\n@profile\ndef main" + main_code
        (folder / "search.py").write_text(main_code)
        profiles.append(folder / f"{name}.lprof")
        run_kernprof(folder / "search.py", profiles[-1])
    window = make_window(qtbot, tmp_path)
    record = use_fake_editor(window, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        tab = window.open_diff(*profiles)
    shown(qtbot, tab)
    on_screen = tab.shown_function
    other = next(row for row in range(2) if tab.function_model.function_at(row) is not on_screen)
    slowly = diff_tab._aligned

    def slow_alignment(function):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        return slowly(function)

    monkeypatch.setattr(diff_tab, "_aligned", slow_alignment)
    tab.function_table.selectRow(other)  # aligned on a pool thread, slowly
    assert tab.current_function().filename != on_screen.filename
    side = tab.source_b
    row = next(r for r, text in enumerate(column_texts(side, S.CODE)) if "return" in text)
    line = cell(side, row, S.LINE)
    rect = side.visualRect(side.model().index(row, S.CODE))
    qtbot.mouseClick(side.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(side.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    qtbot.waitUntil(lambda: len(lines_of(record)) == 1, timeout=5_000)
    assert lines_of(record) == [f"{on_screen.filename} {line}"]  # the line clicked, its file
    shown(qtbot, tab)


def test_double_clicking_a_line_of_either_side_opens_that_sides_file_there(qtbot, tmp_path):
    window, tab = open_diff(qtbot, tmp_path)
    record = use_fake_editor(window, tmp_path)
    tab.function_table.selectRow(column_texts(tab.function_table, D.NAME).index("lookup"))
    shown(qtbot, tab)
    for name, folder, calls in (("diffSourceA", "before", 1), ("diffSourceB", "after", 2)):
        side = tab.findChild(QTableView, name)
        row = next(r for r, text in enumerate(column_texts(side, S.CODE)) if "return" in text)
        rect = side.visualRect(side.model().index(row, S.CODE))
        qtbot.mouseClick(side.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(side.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(lambda n=calls: len(lines_of(record)) == n, timeout=5_000)
        path, line = lines_of(record)[-1].split()
        assert Path(path) == tmp_path / folder / "search.py" and line == cell(side, row, S.LINE)


def lines_of(path: Path) -> list[str]:
    """The lines of a file a program writes, none before it exists."""
    return path.read_text().splitlines() if path.exists() else []


def shown(qtbot, tab) -> None:  # type: ignore[no-untyped-def]
    """Wait until the panes show the selected function (aligned on a pool thread)."""
    qtbot.waitUntil(lambda: tab.shown_function is tab.current_function(), timeout=10_000)
