"""The source table model: one function's lines with line_profiler's numbers and heat."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from ui_helpers import line_profiler_fields

from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.lprof_reader import load_lprof
from lprof_viewer.core.units import UNIT_SECONDS, TimeUnit
from lprof_viewer.ui.source_table_model import SourceTableModel

S = SourceTableModel


def model_for(path: Path, name: str, unit: str = "us") -> SourceTableModel:
    profile = load_lprof(path)
    function = next(f for f in profile if f.name == name)
    model = SourceTableModel()
    model.set_unit(TimeUnit(unit))
    model.set_function(ProfileAnnotator(profile).annotate(function))
    return model


def row_by_line(model: SourceTableModel) -> dict[int, int]:
    return {int(model.data(model.index(r, S.LINE))): r for r in range(model.rowCount())}


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_every_timed_line_shows_line_profilers_numbers(qapp, busy_lprof, unit):
    expected = line_profiler_fields(busy_lprof, UNIT_SECONDS[unit])
    profile = load_lprof(busy_lprof)
    annotator = ProfileAnnotator(profile)
    model = SourceTableModel()
    model.set_unit(TimeUnit(unit))
    shown = {}
    for function in profile:
        model.set_function(annotator.annotate(function))
        for lineno, row in row_by_line(model).items():
            if model.data(model.index(row, S.HITS)):
                columns = (S.HITS, S.TIME, S.PER_HIT, S.PERCENT)
                texts = [model.data(model.index(row, column)) for column in columns]
                shown[function.name, lineno] = [texts[0].replace(",", ""), *texts[1:]]
    assert len(expected) > 10
    assert {key: shown[key] for key in expected} == expected
    label = "µs" if unit == "us" else unit
    assert model.headerData(S.TIME, Qt.Orientation.Horizontal) == f"Time ({label})"


def test_rows_cover_the_whole_function_with_its_source(qapp, busy_lprof):
    model = model_for(busy_lprof, "slow_sum")
    code = [model.data(model.index(r, S.CODE)) for r in range(model.rowCount())]
    assert code[0] == "@profile"
    assert code[1].startswith("def slow_sum(")
    assert code[-1].strip() == "return total"
    assert model.tokens(0)  # highlighted


def test_heat_tells_hot_lines_never_run_code_and_non_code_apart(qapp, busy_lprof):
    model = model_for(busy_lprof, "slow_sum")
    rows = row_by_line(model)
    hottest = model.hottest_row()
    assert hottest is not None
    background = Qt.ItemDataRole.BackgroundRole
    hot: QColor = model.data(model.index(hottest, S.CODE), background)
    decorator = model.data(model.index(0, S.CODE), background)
    assert decorator is None  # not code that runs: no shading
    timed = [r for line, r in rows.items() if model.data(model.index(r, S.HITS))]
    coolest = min(timed, key=lambda r: float(model.data(model.index(r, S.TIME))))
    cool: QColor = model.data(model.index(coolest, S.CODE), background)
    assert hot.lightness() < cool.lightness()  # hotter is more saturated, darker
    never = model_for(busy_lprof, "never_called")
    body = [r for r in range(never.rowCount()) if "y = x + 1" in never.data(never.index(r, S.CODE))]
    tint = never.data(never.index(body[0], S.CODE), background)
    assert tint is not None and tint != hot  # code that never ran: its own tint


def test_highlighting_is_lexed_only_for_the_rows_asked_for(qapp, tmp_path):
    from lprof_viewer.core.model import FunctionProfile, Profile

    body = [f"    value_{i} = value_{i - 1} + {i}" for i in range(1, 20_001)]
    source = tmp_path / "long.py"
    source.write_text("\n".join(["def long(value_0):", *body, "    return value_0"]) + "\n")
    lines = [(n, 1, n) for n in range(2, 20_003)]
    profile = Profile([FunctionProfile((str(source), 1, "long"), lines, 1e-9)], 1e-9)
    model = SourceTableModel()
    model.set_function(ProfileAnnotator(profile).annotate(profile.functions[0]))
    assert model.rowCount() == 20_002
    middle = model.index(10_000, S.CODE)
    tokens = model.tokens(10_000)
    assert "".join(text for _, text in tokens) == model.data(middle)
    assert model._highlighter is not None and model._highlighter.chunks_lexed == 1


def _tinted_as_never_ran(model: SourceTableModel) -> list[str]:
    """The code of the rows shaded though untimed: the never-ran tint."""
    background = Qt.ItemDataRole.BackgroundRole
    return [
        model.data(model.index(r, S.CODE)).strip()
        for r in range(model.rowCount())
        if not model.data(model.index(r, S.HITS))
        and model.data(model.index(r, S.CODE), background) is not None
    ]


def test_only_statements_that_never_ran_are_tinted(qapp, statements_lprof):
    # The branch not taken: its first line, not the lines going on with it.
    assert _tinted_as_never_ran(model_for(statements_lprof, "spread_over_lines")) == [
        "items.append("
    ]
    # A docstring, even with a line at column 0, is not code that never ran.
    assert _tinted_as_never_ran(model_for(statements_lprof, "documented")) == []
    # Nor are else:, finally: and global, which Python never reports running.
    assert _tinted_as_never_ran(model_for(statements_lprof, "with_clauses")) == [
        "except TypeError:",
        "total = 0",
    ]
    # A nested function's and class's bodies run as code of their own (the helper
    # ran), and a bare annotation compiles to nothing: only the branch not taken.
    # (Box.size: int evaluates Box, so it is code; limit's annotation is never evaluated.)
    assert _tinted_as_never_ran(model_for(statements_lprof, "with_nested_code")) == [
        "count = Box.size",
        "Box.size: int",
        "total += count",
    ]


def test_code_is_drawn_with_tabs_at_the_lines_stops_and_each_line_on_one_row():
    from lprof_viewer.core.highlight import tokenize_lines
    from lprof_viewer.ui.delegates import drawn_tokens

    lines = ["\t\t\tt += i\t# tab\tinside", 's = "a\u2028b"  # a line separator in a string']
    tabbed, separated = (
        "".join(text for _, text in drawn_tokens(tokens)) for tokens in tokenize_lines(lines)
    )

    assert tabbed == lines[0].expandtabs(8)  # as an editor shows it: '# tab' at column 32
    assert separated == 's = "a\\u2028b"  # a line separator in a string'
