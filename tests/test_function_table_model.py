"""The functions table model, tested without widgets (as vorta tests its models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import recorded
from PySide6.QtCore import Qt
from ui_helpers import line_profiler_timings, total_ticks

from lprof_viewer.core.lprof_reader import load_lprof
from lprof_viewer.core.model import FunctionProfile, Profile
from lprof_viewer.core.units import TimeUnit
from lprof_viewer.ui.function_table_model import FunctionTableModel
from lprof_viewer.ui.roles import SHARE_ROLE, SORT_ROLE

M = FunctionTableModel


@pytest.fixture
def model(qapp, busy_lprof: Path) -> FunctionTableModel:
    model = FunctionTableModel()
    model.set_profile(load_lprof(busy_lprof))
    return model


def names(model: FunctionTableModel) -> list[str]:
    return [model.data(model.index(row, M.NAME)) for row in range(model.rowCount())]


def test_rows_are_sorted_by_total_time_as_line_profiler_sums_it(model, busy_lprof):
    timings, _ = line_profiler_timings(busy_lprof)
    expected = [key[2] for key in sorted(timings, key=lambda k: -total_ticks(timings[k]))]
    assert names(model)[0] == expected[0] == "slow_sum"
    assert names(model)[: len(expected) - 1] == expected[: len(expected) - 1]


def test_total_time_and_hits_match_line_profiler(model, busy_lprof):
    timings, unit = line_profiler_timings(busy_lprof)
    model.set_unit(TimeUnit("ms"))
    for row in range(model.rowCount()):
        key = next(k for k in timings if k[2] == model.data(model.index(row, M.NAME)))
        lines = timings[key]
        # Rounded as line_profiler rounds a line's time: ticks * (timer unit / ms).
        assert model.data(model.index(row, M.TOTAL)) == f"{total_ticks(lines) * (unit / 1e-3):.1f}"
        assert model.data(model.index(row, M.HITS)) == f"{sum(h for _, h, _ in lines):,}"
        assert model.data(model.index(row, M.TOTAL), SORT_ROLE) == total_ticks(lines)
    assert model.headerData(M.TOTAL, Qt.Orientation.Horizontal) == "Total time (ms)"


def test_sorting_by_hits_orders_by_the_native_hit_count(model):
    model.sort(M.HITS, Qt.SortOrder.DescendingOrder)
    hits = [model.data(model.index(r, M.HITS), SORT_ROLE) for r in range(model.rowCount())]
    assert hits == sorted(hits, reverse=True)
    model.sort(M.NAME, Qt.SortOrder.AscendingOrder)
    assert names(model) == sorted(names(model), key=str.casefold)


def test_filter_matches_name_or_file_and_can_hide_functions_that_never_ran(model):
    model.set_filter("proc", hide_never_ran=False)
    assert names(model) == [recorded("Worker.process")]
    model.set_filter("busy.py", hide_never_ran=False)
    assert len(names(model)) == 6
    model.set_filter("", hide_never_ran=True)
    assert "never_called" not in names(model)
    assert len(names(model)) == 5


def test_share_column_gives_each_function_its_part_of_the_whole(model):
    shares = [model.data(model.index(r, M.SHARE), SHARE_ROLE) or 0 for r in range(model.rowCount())]
    assert sum(shares) == pytest.approx(1.0)
    assert shares[0] == max(shares)


def test_sort_values_stay_exact_beyond_64_bits(qapp):
    huge = 2**70
    functions = [
        FunctionProfile(("a.py", 1, "big"), [(2, 1, huge)], 1e-9),
        FunctionProfile(("a.py", 9, "bigger"), [(10, 1, huge + 1)], 1e-9),
    ]
    model = FunctionTableModel()
    model.set_profile(Profile(functions, 1e-9))
    assert model.data(model.index(0, M.TOTAL), SORT_ROLE) == huge + 1
    model.sort(M.TOTAL, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["big", "bigger"]
