"""The profile model's derived numbers and merging, against line_profiler's own code.

``show_func`` defines time (``time * scalar``), per hit (``float(time) * scalar / nhits``) and
% Time (``100 * time / total_time``); ``LineStats.from_stats_objects`` defines merging. Every
expected number here is computed by those formulas or that code from ``load_stats``.
"""

import copy
import io
import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import PROFILE_FIXTURES, run_kernprof
from line_profiler import load_stats
from line_profiler._line_profiler import LineStats as LineStats3x
from line_profiler.line_profiler import LineStats

from lprof_viewer.cli import main
from lprof_viewer.core.lprof_reader import load_lprof, load_profiles, read_stats
from lprof_viewer.core.merge import merge_stats
from lprof_viewer.core.model import Profile, RawStats


def _plain(timings: dict) -> dict:
    return {tuple(key): [tuple(line) for line in lines] for key, lines in timings.items()}


@pytest.fixture(scope="module")
def busy_second_run(busy_lprof: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second kernprof run of the same busy.py: the same functions, other timings."""
    out = tmp_path_factory.mktemp("busy_second") / "busy2.lprof"
    run_kernprof(busy_lprof.parent / "busy.py", out)
    return out


@pytest.fixture(scope="module")
def busy_in_microseconds(busy_lprof: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """busy.lprof re-pickled with a 1 µs timer: whole ticks, another unit, the same keys."""
    stats = load_stats(busy_lprof)
    factor = stats.unit / 1e-6
    timings = {
        key: [(lineno, hits, round(time * factor)) for lineno, hits, time in lines]
        for key, lines in stats.timings.items()
    }
    out = tmp_path_factory.mktemp("busy_us") / "busy_us.lprof"
    LineStats(timings, 1e-6).to_file(out)
    assert load_stats(out).unit != stats.unit
    return out


# --- derived numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_line_numbers_are_show_funcs(fixture_name: str, request: pytest.FixtureRequest):
    path: Path = request.getfixturevalue(fixture_name)
    expected = load_stats(path)
    unit = expected.unit
    profile = load_lprof(path)

    for function in profile:
        timings = expected.timings[function.key]
        total_time = sum(t[2] for t in timings)  # show_func's own names and formulas
        stats = {stat.lineno: stat for stat in function.line_stats()}
        assert set(stats) == {lineno for lineno, _, _ in timings}
        for lineno, nhits, time in timings:
            stat = stats[lineno]
            assert stat.hits == nhits
            assert stat.time == time * unit
            assert stat.per_hit == float(time) * unit / nhits
            assert stat.percent == 100 * time / total_time
        assert function.total_time == total_time * unit


@pytest.mark.parametrize("fixture_name", ["busy_lprof", "django_wsgi_lprof", "raises_lprof"])
def test_percent_of_total_sums_to_100(fixture_name: str, request: pytest.FixtureRequest):
    profile = load_lprof(request.getfixturevalue(fixture_name))

    function_shares = [profile.percent_of_total(f) or 0.0 for f in profile]
    line_shares = [s.percent_of_total for f in profile for s in profile.line_stats(f)]
    line_percents = [[s.percent for s in f.line_stats()] for f in profile if f.total_ticks]

    assert math.fsum(function_shares) == pytest.approx(100.0)
    assert math.fsum(line_shares) == pytest.approx(100.0)
    for percents in line_percents:
        assert math.fsum(percents) == pytest.approx(100.0)
    whole = sum(
        sum(t for *_, t in lines) for lines in load_stats(profile.paths[0]).timings.values()
    )
    for function in profile:
        assert profile.percent_of_total(function) == 100.0 * function.total_ticks / whole


def test_function_that_never_ran(never_called_lprof: Path):
    (function,) = load_lprof(never_called_lprof)

    assert function.lines == []
    assert function.total_hits == 0
    assert function.total_time == 0
    assert not function.ran
    assert function.hottest_line is None


def test_hottest_line_and_never_hit_lines():
    raw = RawStats({("app.py", 1, "f"): [(2, 3, 30), (3, 0, 0), (4, 1, 70)]}, 1e-6)

    (function,) = Profile.from_raw(raw)
    stats = {stat.lineno: stat for stat in function.line_stats()}

    assert function.hottest_line == 4
    assert stats[3].per_hit is None  # line_profiler would divide by zero here
    assert stats[2].per_hit == 30 * 1e-6 / 3


# --- merging ---------------------------------------------------------------------------------


def _merged_by_line_profiler(*paths: Path) -> LineStats:
    return LineStats.from_stats_objects(*(load_stats(p) for p in paths))


def _found_beside(path: Path) -> LineStats:
    """``path``'s stats with each relative file name made the file beside the profile.

    The window and export merge profiles so: two projects' ``busy.py``, both
    recorded by that bare name, are two files.
    """
    stats = load_stats(path)
    timings = {
        (str(path.parent / file) if not os.path.isabs(file) else file, line, name): lines
        for (file, line, name), lines in stats.timings.items()
    }
    return LineStats(timings, stats.unit)


@pytest.mark.parametrize(
    "names",
    [
        ("busy_lprof", "busy_second_run"),
        ("busy_lprof", "busy_in_microseconds"),
        ("busy_in_microseconds", "busy_lprof", "busy_second_run"),
        ("busy_lprof", "busy_lprof"),
        ("django_view_lprof", "django_wsgi_lprof", "busy_relative_lprof"),
    ],
)
def test_merge_equals_from_stats_objects(names: tuple[str, ...], request: pytest.FixtureRequest):
    paths = [request.getfixturevalue(name) for name in names]
    expected = _merged_by_line_profiler(*paths)

    merged = merge_stats([read_stats(p) for p in paths])
    profile = load_profiles(paths)

    assert merged.unit == expected.unit
    assert _plain(merged.timings) == _plain(expected.timings)
    assert profile.unit == expected.unit
    found = LineStats.from_stats_objects(*map(_found_beside, paths))
    assert profile.timings() == _plain(found.timings)
    assert profile.paths == tuple(paths)
    assert profile.recorded_at == max(os.path.getmtime(p) for p in paths)
    totals = [f.total_ticks for f in profile]
    assert totals == sorted(totals, reverse=True)


def test_merge_rescales_to_the_coarser_unit(busy_lprof: Path, busy_in_microseconds: Path):
    fine, coarse = load_stats(busy_lprof), load_stats(busy_in_microseconds)

    profile = load_profiles([busy_lprof, busy_in_microseconds])

    assert profile.unit == max(fine.unit, coarse.unit) == 1e-6
    key = next(iter(fine.timings))
    lineno, hits, _ = fine.timings[key][0]
    merged_line = dict((n, (h, t)) for n, h, t in profile.timings()[key])[lineno]
    fine_time = dict((n, t) for n, _, t in fine.timings[key])[lineno]
    coarse_time = dict((n, t) for n, _, t in coarse.timings[key])[lineno]
    factor = fine.unit / coarse.unit  # from_stats_objects' factor, finest unit added first
    assert merged_line == (2 * hits, round(factor * fine_time + 1.0 * coarse_time))
    assert all(type(t) is int for lines in profile.timings().values() for _, _, t in lines)


def test_merge_order_does_not_matter(busy_lprof: Path, busy_second_run: Path, busy_in_microseconds):
    paths = [busy_lprof, busy_second_run, busy_in_microseconds]

    forward = load_profiles(paths)
    backward = load_profiles(paths[::-1])

    assert forward.timings() == backward.timings()
    assert forward.unit == backward.unit


def test_merge_of_one_file_is_a_copy(busy_lprof: Path):
    (raw,) = [read_stats(busy_lprof)]

    merged = merge_stats([raw])
    merged.timings[next(iter(merged.timings))].clear()

    assert raw.timings == _plain(load_stats(busy_lprof).timings)


def test_merge_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        merge_stats([])
    with pytest.raises(ValueError):
        load_profiles([])


# --- lprof-viewer merge ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [("busy_lprof", "busy_second_run"), ("busy_lprof", "busy_in_microseconds", "raises_lprof")],
)
def test_cli_merge_writes_what_line_profiler_reads(
    names: tuple[str, ...],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    paths = [request.getfixturevalue(name) for name in names]
    out = tmp_path / "merged.lprof"

    status = main(["merge", *map(str, paths), "-o", str(out)], stdout=io.StringIO())

    assert status == 0
    assert f"Merged {len(paths)} files into {out}" in capsys.readouterr().err
    expected = _merged_by_line_profiler(*paths)
    written = load_stats(out)
    assert written.unit == expected.unit
    assert _plain(written.timings) == _plain(expected.timings)
    assert load_lprof(out).timings() == _plain(expected.timings)
    shown = subprocess.run(
        [sys.executable, "-m", "line_profiler", "--no-config", str(out)],
        cwd=paths[0].parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("Total time:") == len(expected.timings)


def test_cli_merge_output_is_a_pickled_linestats(busy_lprof: Path, tmp_path: Path):
    out = tmp_path / "copy.lprof"

    assert main(["merge", str(busy_lprof), "-o", str(out)], stdout=io.StringIO()) == 0

    with out.open("rb") as stream:  # our own output, so plain pickle is safe here
        stats = pickle.load(stream)
    # The class line_profiler has had since 3.x (5.1's LineStats derives from it).
    assert type(stats) is LineStats3x
    expected = load_stats(busy_lprof)
    assert (stats.timings, stats.unit) == (expected.timings, expected.unit)
    assert [p.name for p in tmp_path.iterdir()] == ["copy.lprof"], "a temporary file was left"


def test_cli_merge_into_a_missing_folder_is_a_usage_error(
    busy_lprof: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "no" / "such" / "folder" / "merged.lprof"

    status = main(["merge", str(busy_lprof), "-o", str(out)], stdout=io.StringIO())

    assert status == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("lprof-viewer: cannot write")


def test_functions_of_a_loaded_profile_copy_and_pickle(busy_lprof: Path):
    """Functions share their profile's packed columns; a copy keeps the same numbers."""
    profile = load_lprof(busy_lprof)
    function = profile.functions[0]

    for again in (copy.copy(function), pickle.loads(pickle.dumps(function))):
        assert again.key == function.key and again.lines == function.lines
        assert again.total_time == function.total_time and again.total_hits == function.total_hits
        assert again is not function and again != function  # compared by identity, as objects are
