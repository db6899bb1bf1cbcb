"""Times written in a fixed unit round exactly as ``python -m line_profiler -u`` rounds them."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
from line_profiler import LineStats
from line_profiler.line_profiler import show_func

from lprof_viewer.core.lprof_reader import load_lprof
from lprof_viewer.core.units import UNIT_SECONDS, TimeUnit

TICKS = range(1, 4_001)


def shown_by_line_profiler(timer_unit: float, output_unit: float, hits: int) -> list[list[str]]:
    """Time and Per Hit of lines timed 1, 2, ... 4000 ticks, as show_func writes them."""
    timings = [(lineno, hits, ticks) for lineno, ticks in enumerate(TICKS, start=1)]
    text = io.StringIO()
    show_func("no_such_file.py", 1, "f", timings, timer_unit, output_unit, stream=text)
    rows = [row.split() for row in text.getvalue().splitlines()]
    return [row[2:4] for row in rows if len(row) == 5 and row[0].isdigit()]


@pytest.mark.parametrize(
    "timer_unit, unit",
    [(1e-6, "ms"), (1e-9, "us"), (1e-9, "ms"), (1e-6, "us"), (1e-7, "ms"), (1e-6, "s")],
)
@pytest.mark.parametrize("hits", [1, 3])
def test_time_and_per_hit_round_as_line_profiler_rounds(timer_unit: float, unit: str, hits: int):
    expected = shown_by_line_profiler(timer_unit, UNIT_SECONDS[unit], hits)
    chosen = TimeUnit(unit)

    ours = [
        [chosen.format_ticks(ticks, timer_unit), chosen.format_ticks(ticks, timer_unit, hits)]
        for ticks in TICKS
    ]

    assert len(expected) == len(TICKS)
    assert ours == expected
    # A whole column at once (the text diff's way) writes the same Time texts.
    assert chosen.ticks_texts([*TICKS, None], timer_unit) == [*(row[0] for row in expected), ""]


@pytest.mark.parametrize("timer_unit, unit", [(1e-9, "us"), (1e-6, "ms"), (1e-7, "ms")])
def test_a_functions_total_rounds_as_line_profiler_rounds_a_line_of_as_many_ticks(
    tmp_path: Path, timer_unit: float, unit: str
):
    # A function of one line shows one time in the functions table and in its source:
    # 250 ns was '0.3' µs as a total (250e-9 / 1e-6 is 0.25000000000000006) and '0.2'
    # as the line, which is what line_profiler writes.
    timings = {("f.py", ticks, f"f{ticks}"): [(ticks + 1, 1, ticks)] for ticks in TICKS}
    lprof = tmp_path / "rounding.lprof"
    lprof.write_bytes(pickle.dumps(LineStats(timings, timer_unit)))
    functions = sorted(load_lprof(lprof).functions, key=lambda f: f.start_line)

    totals = [TimeUnit(unit).format_total(function) for function in functions]

    expected = shown_by_line_profiler(timer_unit, UNIT_SECONDS[unit], hits=1)
    assert totals == [time for time, _per_hit in expected]


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0"),
        (2.5, "2.50 s"),
        (12.25, "12.2 s"),
        (0.999, "999.0 ms"),
        (1e-3, "1.00 ms"),
        (-0.0125, "-12.5 ms"),
        (9.5e-6, "9.50 µs"),
        (123.4e-9, "123.4 ns"),
        (5e-10, "0.50 ns"),
        # Rounded up to the next step: written at it, as a person would write it.
        (0.99996, "1.00 s"),
        (-999.96e-6, "-1.00 ms"),
        (999.96e-9, "1.00 µs"),
        (9.996e-3, "10.0 ms"),
        (9.999, "10.0 s"),
    ],
)
def test_auto_writes_each_time_in_the_unit_that_reads_best(seconds: float, text: str) -> None:
    auto = TimeUnit("auto")
    assert auto.format(seconds) == text
    assert auto.ticks_texts([seconds * 1e9], 1e-9) == [auto.format(seconds * 1e9 * 1e-9)]


def test_the_widest_auto_time_is_found_though_a_larger_one_is_written_shorter():
    from lprof_viewer.core.model import LineStat
    from lprof_viewer.core.units import widest_stat_texts

    unit = 1e-6
    shorter_but_larger = LineStat(1, 1, 1_500, unit, 2_499, 2_499)  # '1.50 ms'
    longer = LineStat(2, 1, 999, unit, 2_499, 2_499)  # '999.0 µs'
    widest = widest_stat_texts([shorter_but_larger, longer], TimeUnit("auto"))
    assert widest["time"] == "999.0 µs" and widest["per_hit"] == "999.0 µs"
    fixed = widest_stat_texts([shorter_but_larger, longer], TimeUnit("us"))
    assert fixed["time"] == "1500.0"
