"""The viewer window, driven as a person would: open, click, sort, filter, locate source."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fixtures import recorded, run_kernprof
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QStyle, QTableView
from ui_helpers import (
    cell,
    column_texts,
    line_profiler_timings,
    make_window,
    open_and_wait,
    total_ticks,
    use_fake_editor,
)

from lprof_viewer.ui.function_table_model import FunctionTableModel as F
from lprof_viewer.ui.profile_tab import ProfileTab
from lprof_viewer.ui.source_table_model import SourceTableModel as S
from lprof_viewer.ui.tables import select_row


def tables(window) -> tuple[QTableView, QTableView]:
    tab = window.current_tab()
    return tab.findChild(QTableView, "functionTable"), tab.findChild(QTableView, "sourceTable")


def click_row(qtbot, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_named(table: QTableView, name: str) -> int:
    return column_texts(table, F.NAME).index(name)


def test_first_row_is_the_function_with_the_largest_total_time(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    functions, source = tables(window)
    timings, _ = line_profiler_timings(busy_lprof)
    biggest = max(timings, key=lambda key: total_ticks(timings[key]))
    assert cell(functions, 0, F.NAME) == biggest[2]
    # ...and its source is already shown, hottest line selected.
    assert source.model().rowCount() > 0
    hottest_line = max(timings[biggest], key=lambda line: line[2])[0]
    assert cell(source, source.currentIndex().row(), S.LINE) == str(hottest_line)


def test_clicking_a_function_shows_its_lines_with_line_profilers_numbers(
    qtbot, tmp_path, busy_lprof
):
    window = make_window(qtbot, tmp_path)
    window.set_unit("us")
    open_and_wait(qtbot, window, busy_lprof)
    functions, source = tables(window)
    click_row(qtbot, functions, row_named(functions, recorded("Worker.process")))
    timings, unit = line_profiler_timings(busy_lprof)
    key = next(k for k in timings if k[2] == recorded("Worker.process"))
    shown = {cell(source, r, S.LINE): r for r in range(source.model().rowCount())}
    total = total_ticks(timings[key])
    for lineno, hits, ticks in timings[key]:
        row = shown[str(lineno)]
        assert cell(source, row, S.HITS) == f"{hits:,}"
        assert cell(source, row, S.TIME) == f"{ticks * (unit / 1e-6):.1f}"  # line_profiler's
        assert cell(source, row, S.PERCENT) == f"{100 * ticks / total:.1f}"
    appended = next(line for line, _, _ in timings[key] if line > key[1] + 4)
    assert "out.append(item * self.factor)" in column_texts(source, S.CODE)[shown[str(appended)]]


def test_a_function_of_a_file_not_read_yet_shows_once_read_and_the_last_click_wins(
    qtbot, tmp_path, django_wsgi_lprof
):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, django_wsgi_lprof)
    functions, source = tables(window)
    tab = window.current_tab()
    middleware = recorded("ServerTimingMiddleware.__call__")
    assert tab.current_function().name == middleware  # middleware.py

    # views.py is read off the GUI thread; a click meanwhile wins over its late answer.
    click_row(qtbot, functions, row_named(functions, "author_names"))
    click_row(qtbot, functions, row_named(functions, middleware))
    qtbot.wait(500)  # the dropped answer has come by now
    assert any("def __call__" in text for text in column_texts(source, S.CODE))

    click_row(qtbot, functions, row_named(functions, "author_names"))
    qtbot.waitUntil(lambda: any("def author_names" in t for t in column_texts(source, S.CODE)))


def test_a_filter_matching_nothing_drops_the_function_still_being_read(
    qtbot, tmp_path, django_wsgi_lprof
):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, django_wsgi_lprof)
    functions, source = tables(window)
    tab = window.current_tab()
    click_row(qtbot, functions, row_named(functions, "author_names"))  # views.py, not read yet
    tab.filter_edit.setText("no such function")  # before views.py is read
    assert functions.model().rowCount() == 0
    qtbot.wait(1500)  # the dropped answer has come by now
    assert source.model().rowCount() == 0


def test_sorting_by_hits_by_clicking_the_header(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    functions, _ = tables(window)
    header = functions.horizontalHeader()
    x = header.sectionViewportPosition(F.HITS) + header.sectionSize(F.HITS) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    first = [int(h.replace(",", "")) for h in column_texts(functions, F.HITS)]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    second = [int(h.replace(",", "")) for h in column_texts(functions, F.HITS)]
    assert {tuple(first), tuple(second)} == {
        tuple(sorted(first)),
        tuple(sorted(first, reverse=True)),
    }
    assert first != second


def test_filter_box_filters_and_ctrl_f_focuses_it(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    functions, source = tables(window)
    tab = window.current_tab()
    window.find_action.trigger()
    assert tab.filter_edit.hasFocus()
    qtbot.keyClicks(tab.filter_edit, "med")
    assert column_texts(functions, F.NAME) == ["medium"]
    assert any("def medium" in text for text in column_texts(source, S.CODE))
    assert window.status_labels[2].text() == "1 of 6 functions"
    tab.filter_edit.clear()
    assert window.status_labels[2].text() == "6 functions"
    tab.hide_never_ran.setChecked(True)
    assert "never_called" not in column_texts(functions, F.NAME)


def test_typing_a_filter_that_keeps_the_function_keeps_the_place_in_its_source(
    qtbot, tmp_path, busy_lprof
):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    _, source = tables(window)
    tab = window.current_tab()
    assert tab.current_function().name == "slow_sum"
    source.setCurrentIndex(source.model().index(0, S.LINE))  # away from the hottest line

    qtbot.keyClicks(tab.filter_edit, "slow")

    assert tab.current_function().name == "slow_sum"
    assert source.currentIndex().row() == 0


def test_enter_jumps_from_a_function_to_its_hottest_line(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    functions, source = tables(window)
    functions.setFocus()
    qtbot.keyClick(functions, Qt.Key.Key_Down)
    assert functions.currentIndex().row() == 1
    qtbot.keyClick(functions, Qt.Key.Key_Return)
    assert source.hasFocus()
    timings, _ = line_profiler_timings(busy_lprof)
    name = cell(functions, 1, F.NAME)
    key = next(k for k in timings if k[2] == name)
    hottest = max(timings[key], key=lambda line: line[2])[0]
    assert cell(source, source.currentIndex().row(), S.LINE) == str(hottest)


def test_code_compiled_from_a_string_is_not_offered_a_file_to_locate(
    qtbot, tmp_path, generated_code_lprof
):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, generated_code_lprof)
    tab: ProfileTab = window.current_tab()
    row = tab.function_model.row_of(
        next(f.key for f in tab.profile.functions if f.filename.startswith("<"))
    )
    tab.function_table.selectRow(row)
    qtbot.waitUntil(lambda: tab.source_banner.isVisible())

    banner = tab.source_banner
    assert banner.text.startswith("total was compiled from a string (<generated model code")
    assert banner.text.endswith(": no file holds its code.")
    assert banner.button("Locate source…") is None


def test_missing_source_shows_a_banner_and_locate_source_maps_the_folder(
    qtbot, tmp_path, busy_lprof
):
    recorded = tmp_path / "server" / "app"
    recorded.mkdir(parents=True)
    shutil.copy(busy_lprof.parent / "busy.py", recorded / "busy.py")
    profile = tmp_path / "busy.lprof"
    run_kernprof(recorded / "busy.py", profile)
    gone = tmp_path / "checkout" / "app"
    shutil.move(str(recorded), gone)  # the profile now names a file that is not there
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, profile)
    tab: ProfileTab = window.current_tab()
    _, source = tables(window)
    banner = tab.source_banner
    assert banner.isVisible()
    shown = tab.current_function()
    assert shown is not None
    assert banner.text == (
        f"{recorded / 'busy.py'} was not found, so {shown.name}'s numbers are shown "
        "without its code."
    )
    assert any(cell(source, r, S.HITS) for r in range(source.model().rowCount()))
    assert not any(column_texts(source, S.CODE))
    tab.choose_folder = lambda: str(gone)
    qtbot.mouseClick(banner.button("Locate source…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible())  # the file is read off the GUI thread
    assert not banner.isVisible()
    assert any("def slow_sum" in text for text in column_texts(source, S.CODE))
    remembered = window.settings.source_roots
    assert remembered[0].apply(str(recorded / "busy.py")) == gone / "busy.py"
    # Remembered for every later profile recorded under the same prefix.
    open_and_wait(qtbot, window, profile)
    assert not window.current_tab().source_banner.isVisible()


def test_locate_source_finds_a_file_recorded_by_a_relative_name(
    qtbot, tmp_path, busy_relative_lprof, monkeypatch
):
    # ``cd app && kernprof -l busy.py`` on a server records just busy.py; the
    # profile is read on a laptop, away from the checkout, in another folder.
    profile = Path(shutil.copy(busy_relative_lprof, tmp_path / "from_server.lprof"))
    checkout = tmp_path / "checkout" / "app"
    checkout.mkdir(parents=True)
    shutil.copy(busy_relative_lprof.parent / "busy.py", checkout / "busy.py")
    monkeypatch.chdir(tmp_path)
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, profile)
    tab: ProfileTab = window.current_tab()
    banner = tab.source_banner
    assert banner.isVisible() and banner.text.startswith("busy.py was not found")

    tab.choose_folder = lambda: str(checkout)
    qtbot.mouseClick(banner.button("Locate source…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible())

    _, source = tables(window)
    assert any("def slow_sum" in text for text in column_texts(source, S.CODE))
    (remembered,) = window.settings.source_roots
    assert remembered.apply("busy.py") == checkout / "busy.py"
    assert remembered.apply("/elsewhere/busy.py") is None  # only relative names


def test_a_changed_source_is_reported_stale_and_not_shown_beside_the_numbers(
    qtbot, tmp_path, busy_relative_lprof
):
    copy = tmp_path / "stale"  # the profile names busy.py relative to its own folder
    shutil.copytree(busy_relative_lprof.parent, copy)
    script = copy / "busy.py"
    script.write_text("# a new first line\n# and another\n" + script.read_text("utf-8"), "utf-8")
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, copy / busy_relative_lprof.name)
    tab = window.current_tab()
    assert tab.source_banner.isVisible()
    assert "changed since it was profiled" in tab.source_banner.text
    assert not any(column_texts(tab.source_table, S.CODE))  # no numbers beside wrong code
    assert any(column_texts(tab.source_table, S.HITS))


def test_a_hostile_file_shows_its_error_runs_nothing_and_keeps_other_tabs(
    qtbot, tmp_path, busy_lprof
):
    marker = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    hostile = tmp_path / "evil.lprof"
    hostile.write_bytes(pickle.dumps(Evil()))
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    good = window.current_tab()
    open_and_wait(qtbot, window, hostile)
    bad = window.current_tab()
    error = bad.findChild(QLabel, "loadError")
    assert error.isVisible()
    assert "evil.lprof" in error.text() and "refused" in error.text()
    assert "Traceback" not in error.text()
    assert not marker.exists()
    assert window.tabs.count() == 2
    assert good.function_model.rowCount() == 6
    assert window.settings.recent_files == [busy_lprof.resolve()]  # not the bad file


def test_status_bar_names_file_total_functions_and_timer_unit(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    texts = [label.text() for label in window.status_labels]
    _, unit = line_profiler_timings(busy_lprof)
    assert texts[0] == busy_lprof.name
    assert texts[1].startswith("total ")
    assert "counts in both" in window.status_labels[1].toolTip()  # what the total adds up
    assert texts[2] == "6 functions"
    assert texts[3] == f"timer unit {unit:g} s"


def test_unit_choice_renames_columns_in_every_tab(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof, busy_lprof)
    window.unit_combo.setCurrentIndex(window.unit_combo.findData("ms"))
    for tab in window.open_tabs():
        header = tab.source_table.model().headerData(S.TIME, Qt.Orientation.Horizontal)
        assert header == "Time (ms)"
    # The menu names the units as the box does, and follows it.
    menu = [action.text() for action in window.unit_actions.actions()]
    box = [window.unit_combo.itemText(i) for i in range(window.unit_combo.count())]
    assert menu == box == ["auto", "s", "ms", "µs", "ns"]
    assert window.unit_actions.checkedAction().text() == "ms"


def shown_whole(table: QTableView, columns: range) -> bool:
    """Every title and cell text of ``columns`` fits its column (nothing elided with '...')."""
    header, model = table.horizontalHeader(), table.model()
    titles, texts = header.fontMetrics(), table.fontMetrics()
    style, metric = table.style(), QStyle.PixelMetric
    margin = style.pixelMetric(metric.PM_HeaderMargin)
    # The room Qt's header takes beside a title: its margins, and a sort arrow where it sorts.
    beside_title = 2 * margin + (
        style.pixelMetric(metric.PM_HeaderMarkSize) + margin if table.isSortingEnabled() else 0
    )
    beside_text = 2 * (style.pixelMetric(metric.PM_FocusFrameHMargin) + 1)
    for column in columns:
        title = model.headerData(column, Qt.Orientation.Horizontal)
        widest = max(
            texts.horizontalAdvance(cell(table, row, column)) for row in range(model.rowCount())
        )
        needed = max(titles.horizontalAdvance(title) + beside_title, widest + beside_text)
        if needed > header.sectionSize(column):
            return False
    return True


@pytest.mark.parametrize("unit", ["ns", "s", "auto"])
def test_every_number_and_column_title_is_shown_whole_in_any_unit(
    qtbot, tmp_path, busy_lprof, unit
):
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, busy_lprof)
    window.set_unit(unit)
    for row in range(tab.function_model.rowCount()):
        select_row(tab.function_table, row)
        qtbot.waitUntil(lambda: tab.source_model.rowCount() > 0, timeout=5_000)
        assert shown_whole(tab.source_table, range(S.LINE, S.CODE))
    assert shown_whole(tab.function_table, range(F.LINE, F.SHARE))


def test_a_line_longer_than_the_pane_can_be_scrolled_to(qtbot, tmp_path):
    script = tmp_path / "wide.py"
    long_line = (
        "    rows = [" + ", ".join(f"dict(id={i}, title='Book {i}')" for i in range(12)) + "]"
    )
    script.write_text(f"@profile\ndef view():\n{long_line}\n    return rows\n\nview()\n")
    lprof = tmp_path / "wide.lprof"
    run_kernprof(script, lprof)
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, lprof)
    source = tab.source_table
    code_width = source.horizontalHeader().sectionSize(S.CODE)
    assert code_width > source.fontMetrics().horizontalAdvance(long_line)
    assert source.horizontalScrollBar().maximum() > 0


def test_a_profile_with_nothing_marked_says_so(qtbot, tmp_path, nothing_profiled_lprof):
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, nothing_profiled_lprof)

    assert tab.error is None and tab.function_model.rowCount() == 0
    assert tab.file_banner.isVisible()
    assert "holds no timings" in tab.file_banner.text and "@profile" in tab.file_banner.text


def test_reload_close_and_find_wait_for_a_tab(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    actions = (window.reload_action, window.close_action, window.find_action)
    assert not any(action.isEnabled() for action in actions)

    open_and_wait(qtbot, window, busy_lprof)
    assert all(action.isEnabled() for action in actions)

    window.close_current()
    assert not any(action.isEnabled() for action in actions)


def test_try_again_opens_a_profile_that_was_not_there_yet(qtbot, tmp_path, busy_lprof):
    later = tmp_path / "later.lprof"
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, later)
    assert tab.pages.error_label.isVisible() and "does not exist" in tab.pages.error_label.text()

    later.write_bytes(busy_lprof.read_bytes())  # kernprof finished
    with qtbot.waitSignal(tab.ready, timeout=20_000):
        qtbot.mouseClick(tab.pages.retry_button, Qt.MouseButton.LeftButton)

    assert tab.error is None and tab.function_model.rowCount() == 6


def test_two_files_of_one_name_are_told_apart_by_their_folders(qtbot, tmp_path, busy_lprof):
    copies = []
    for folder in ("before/out", "after/out"):  # the nearest folders alike: further up
        (tmp_path / folder).mkdir(parents=True)
        copies.append(tmp_path / folder / busy_lprof.name)
        copies[-1].write_bytes(busy_lprof.read_bytes())
    window = make_window(qtbot, tmp_path)

    open_and_wait(qtbot, window, *copies)

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [f"before/out/{busy_lprof.name}", f"after/out/{busy_lprof.name}"]
    window.close_current()
    assert window.tabs.tabText(0) == busy_lprof.name  # no other left to tell it from


def test_dropping_files_opens_each_in_a_tab(qtbot, tmp_path, busy_lprof, never_called_lprof):
    window = make_window(qtbot, tmp_path)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(busy_lprof)), QUrl.fromLocalFile(str(never_called_lprof))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        window.dropEvent(event)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        busy_lprof.name,
        never_called_lprof.name,
    ]


def test_reload_keeps_the_selected_function_and_reports_changes_on_disk(
    qtbot, tmp_path, busy_lprof
):
    copy = tmp_path / "reload"
    shutil.copytree(busy_lprof.parent, copy)
    profile = copy / busy_lprof.name
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, profile)
    tab = window.current_tab()
    functions, _ = tables(window)
    click_row(qtbot, functions, row_named(functions, "medium"))
    profile.write_bytes(profile.read_bytes())  # kernprof -i rewrites the file
    qtbot.waitUntil(lambda: tab.file_banner.isVisible(), timeout=5_000)
    assert "changed on disk" in tab.file_banner.text
    with qtbot.waitSignal(tab.ready, timeout=20_000):
        qtbot.mouseClick(tab.file_banner.button("Reload"), Qt.MouseButton.LeftButton)
    assert tab.current_function().name == "medium"


def test_closing_tabs_that_are_still_loading_drops_their_answers(
    qtbot, tmp_path, busy_lprof, monkeypatch
):
    # Each kind of tab is closed while its background read waits; the read
    # then finishes into a deleted tab, which must not be touched.
    import lprof_viewer.ui.diff_tab as diff_tab
    import lprof_viewer.ui.profile_tab as profile_tab
    import lprof_viewer.ui.script_tab as script_tab

    release = threading.Event()
    finished: list[str] = []

    def held(module, name: str) -> None:
        original = getattr(module, name)

        def wait_then_run(*args, **kwargs):
            release.wait(10)
            try:
                return original(*args, **kwargs)
            finally:
                finished.append(name)

        monkeypatch.setattr(module, name, wait_then_run)

    held(profile_tab, "load_in_background")
    held(diff_tab, "compute_diff")
    held(script_tab, "read_script")
    window = make_window(qtbot, tmp_path)
    window.open_paths([busy_lprof, busy_lprof.with_name("busy.py")])
    window.open_diff(busy_lprof, busy_lprof)
    assert window.tabs.count() == 3
    while window.tabs.count():
        window.close_current()
    qtbot.wait(50)  # the closed tabs are deleted
    release.set()
    qtbot.waitUntil(lambda: len(finished) == 3, timeout=10_000)
    qtbot.wait(200)  # the answers reach the GUI thread (pytest-qt fails on any exception)

    assert window.tabs.count() == 0 and window.stack.currentWidget() is window.welcome


def test_recent_files_and_the_welcome_page(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    assert window.stack.currentWidget() is window.welcome
    open_and_wait(qtbot, window, busy_lprof)
    window.close_current()
    assert window.stack.currentWidget() is window.welcome
    assert window.settings.recent_files == [busy_lprof.resolve()]
    assert [a.text() for a in window.recent_menu.actions()] == [str(busy_lprof.resolve())]


def test_a_function_that_never_ran_says_so_above_its_code(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, busy_lprof)
    functions, source = tables(window)
    assert not tab.source_banner.isVisible()  # the hottest function ran

    click_row(qtbot, functions, column_texts(functions, F.NAME).index("never_called"))
    qtbot.waitUntil(lambda: any("def never_called" in t for t in column_texts(source, S.CODE)))

    assert tab.source_banner.isVisible()
    assert tab.source_banner.text.startswith("never_called never ran while it was profiled")


def test_opening_a_script_lists_what_it_marks_for_profiling(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, window, busy_lprof.parent / "busy.py")
    tab = window.current_tab()
    listed = [tab.targets.item(i).text() for i in range(tab.targets.count())]
    for name in ("slow_sum", "medium", "fast", "Worker.process", "never_called"):
        assert any(item.startswith(f"{name} ") for item in listed), listed
    assert "café ✓" in tab.source.toPlainText()


def test_a_script_tab_follows_the_script_as_it_is_edited(qtbot, tmp_path):
    script = tmp_path / "job.py"
    script.write_text("@profile\ndef first():\n    return 1\n\nfirst()\n")
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, script)
    assert [tab.targets.item(i).text().split()[0] for i in range(tab.targets.count())] == ["first"]

    script.write_text("@profile\ndef second():\n    return 2\n\nsecond()\n")

    qtbot.waitUntil(lambda: "def second" in tab.source.toPlainText(), timeout=10_000)
    assert tab.targets.item(0).text().startswith("second")

    script.unlink()  # an editor, or a checkout, removes it and writes it anew
    qtbot.waitUntil(lambda: tab.error is not None, timeout=10_000)
    script.write_text("@profile\ndef third():\n    return 3\n\nthird()\n")
    qtbot.waitUntil(lambda: "def third" in tab.source.toPlainText(), timeout=10_000)


def test_demo_opens_the_bundled_profile_with_its_source(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.all_ready, timeout=20_000):
        window.open_demo()
    tab = window.current_tab()
    assert tab.function_model.rowCount() >= 3
    assert not tab.source_banner.isVisible()
    assert any("def " in t for t in column_texts(tab.source_table, S.CODE))


def test_screenshot_command_writes_a_png_of_the_loaded_window(tmp_path, busy_lprof):
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "lprof_viewer", "--screenshot", str(out), str(busy_lprof)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert image.width() >= 800 and image.height() >= 500


def test_screenshot_of_a_run_that_cannot_start_says_why_and_fails(tmp_path):
    out, missing = tmp_path / "shot.png", tmp_path / "nosuch.py"
    result = subprocess.run(
        [sys.executable, "-m", "lprof_viewer", "--screenshot", str(out), "--run", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(tmp_path),
            "LPROF_VIEWER_DATA": str(tmp_path / "data"),
        },
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"lprof-viewer: The script {missing} does not exist."
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_of_a_file_that_cannot_be_opened_says_why_and_fails(tmp_path):
    out, missing = tmp_path / "shot.png", tmp_path / "missing.lprof"
    result = subprocess.run(
        [sys.executable, "-m", "lprof_viewer", "--screenshot", str(out), str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"lprof-viewer: missing.lprof does not exist ({missing})."
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the error page, pictured


@pytest.mark.parametrize("fault", ["missing", "unbalanced quote"])
def test_an_editor_that_cannot_start_is_said_in_the_status_bar(qtbot, tmp_path, busy_lprof, fault):
    window = make_window(qtbot, tmp_path)
    missing = tmp_path / "no-such-editor"
    command = f"{missing} {{file}}" if fault == "missing" else "code -g '{file}:{line}"
    expected = (
        f"The editor {missing} was not found (Settings > Editor Command)."
        if fault == "missing"
        else f"The editor command {command!r} cannot be read: no closing quotation "
        "(Settings > Editor Command)."
    )
    window.settings.editor_command = command
    open_and_wait(qtbot, window, busy_lprof)
    _, source = tables(window)
    rect = source.visualRect(source.model().index(3, S.CODE))
    qtbot.mouseClick(source.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(source.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    status = window.statusBar()
    qtbot.waitUntil(lambda: status.currentMessage() != "", timeout=5_000)
    assert status.currentMessage() == expected
    # The file name and totals make way for it, or it would not be drawn at all.
    assert not any(label.isVisible() for label in window.status_labels)
    status.clearMessage()
    assert window.status_labels[0].isVisible()


def test_an_editor_command_that_cannot_be_read_is_not_saved(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window = make_window(qtbot, tmp_path)
    window.settings.editor_command = "code -g {file}:{line}"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("code -g '{file}", True))

    window.ask_editor_command()

    assert window.settings.editor_command == "code -g {file}:{line}"
    assert window.statusBar().currentMessage() == (
        'The editor command "code -g \'{file}" cannot be read: no closing quotation; '
        "it was not saved."
    )


def test_double_clicking_a_source_line_opens_the_editor_at_that_line(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    record = use_fake_editor(window, tmp_path)
    open_and_wait(qtbot, window, busy_lprof)
    _, source = tables(window)
    row = 3
    rect = source.visualRect(source.model().index(row, S.CODE))
    # A real double-click is a press, a release, then the double-click event.
    qtbot.mouseClick(source.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(source.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(record.exists, timeout=5_000)
    qtbot.waitUntil(lambda: record.read_text().strip() != "", timeout=5_000)
    path, line = record.read_text().split()
    assert Path(path).resolve() == (busy_lprof.parent / "busy.py").resolve()
    assert line == cell(source, row, S.LINE)


def test_a_script_reads_in_a_dark_palette_with_its_line_numbers_apart(qtbot, tmp_path, busy_lprof):
    from PySide6.QtGui import QColor, QPalette

    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, busy_lprof.with_name("busy.py"))
    light = tab.source.toPlainText().splitlines()
    dark_palette = tab.source.palette()
    dark_palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    tab.source.setPalette(dark_palette)
    with qtbot.waitSignal(tab.ready, timeout=10_000):
        tab.reload()

    script = busy_lprof.with_name("busy.py").read_text(encoding="utf-8").splitlines()
    width = len(str(len(script)))
    assert light[:3] == [f"{n:>{width}}  {line}" for n, line in enumerate(script[:3], start=1)]
    # A def's name: dark blue (#0000FF) on light, light blue (#d2a8ff) on dark.
    html = tab.source.toHtml().lower()
    assert "#d2a8ff" in html and "#0000ff" not in html


def test_a_column_the_user_widened_stays_wide_from_function_to_function(
    qtbot, tmp_path, busy_lprof
):
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, busy_lprof)
    header = tab.source_table.horizontalHeader()
    header.resizeSection(S.HITS, 240)  # dragged by the user
    for row in range(tab.function_model.rowCount()):
        select_row(tab.function_table, row)
        qtbot.waitUntil(lambda: tab.source_model.rowCount() > 0, timeout=5_000)
        assert header.sectionSize(S.HITS) == 240


def test_enter_in_the_filter_box_moves_on_to_the_functions_it_kept(qtbot, tmp_path, busy_lprof):
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, busy_lprof)
    window.activateWindow()
    tab.focus_filter()
    qtbot.keyClicks(tab.filter_edit, "medium")
    qtbot.keyClick(tab.filter_edit, Qt.Key.Key_Return)

    qtbot.waitUntil(tab.function_table.hasFocus, timeout=5_000)
    assert cell(tab.function_table, tab.function_table.currentIndex().row(), F.NAME) == "medium"


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes only on Linux")
def test_a_folder_name_that_is_not_utf8_is_shown_escaped_not_dropped(qtbot, tmp_path):
    from fixtures import copy_script

    folder = tmp_path / os.fsdecode(b"caf\xe9")  # Latin-1 bytes: not UTF-8
    script = copy_script("busy.py", folder)
    lprof = folder / "busy.lprof"
    run_kernprof(script, lprof)
    window = make_window(qtbot, tmp_path)
    (tab,) = open_and_wait(qtbot, window, lprof)

    model = tab.function_model
    tooltip = model.data(model.index(0, F.FILE), Qt.ItemDataRole.ToolTipRole)
    assert "caf\\xe9" in tooltip  # Qt would drop a lone surrogate: '/caf/busy.py'
