"""Exports: text against ``python -m line_profiler``, and the JSON, CSV and HTML contracts.

Every expected number comes from line_profiler itself: its printed output for text, and
``load_stats`` (ticks times unit, show_func's formulas) for JSON and CSV.
"""

import csv
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fixtures import PROFILE_FIXTURES, python_env, run_python
from line_profiler import LineStats, load_stats

from lprof_viewer.cli import main
from lprof_viewer.core.heat import NEVER_RAN_LIGHT, hex_color
from lprof_viewer.core.model import RawLine

REPO_ROOT = Path(__file__).resolve().parent.parent


UNITS = {"us": "1e-6", "ms": "1e-3", "s": "1", "ns": "1e-9"}

BlockKey = tuple[str, int]


# --- running both tools ----------------------------------------------------------------------


def _line_profiler_text(paths: list[Path], unit: str, cwd: Path) -> str:
    """What ``python -m line_profiler -u UNIT PATHS`` prints when run in ``cwd``."""
    return _line_profiler_text_cached(tuple(paths), unit, cwd)


@cache  # the fixture profiles never change during a session
def _line_profiler_text_cached(paths: tuple[Path, ...], unit: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "line_profiler", "--no-config", "-u", unit, *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _export(args: list[str]) -> str:
    """``lprof-viewer export ARGS`` in this process; answer what it wrote to stdout."""
    out = io.StringIO()
    assert main(["export", *args], stdout=out) == 0
    return out.getvalue()


def _export_in(folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> str:
    """Export from ``folder``, the current folder line_profiler is run from too."""
    monkeypatch.chdir(folder)
    return _export(args)


# --- reading line_profiler-style text --------------------------------------------------------


def _blocks(text: str) -> dict[BlockKey, str]:
    """Function blocks keyed by (file, first line shown), as both tools print them."""
    head, *blocks = re.split(r"(?m)^(?=Total time: )", text)
    assert head.startswith("Timer unit: "), head
    keyed = {}
    for block in blocks:
        found = re.search(r"(?m)^(?:File: |Could not find file )(.*)$", block)
        assert found, block
        first_row = _table(block)[0]
        keyed[found.group(1), int(first_row[:6])] = block
    assert len(keyed) == len(blocks)
    return keyed


def _table(block: str) -> list[str]:
    lines = block.split("\n")
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Line #"))
    assert set(lines[header + 1]) == {"="}
    rows = lines[header + 2 :]
    while rows and rows[-1] == "":
        rows.pop()
    return rows


def _fields(block: str) -> dict[int, tuple[str, str, str, str]]:
    """Hits, Time, Per Hit and % Time of each line, cut at the header's column ends."""
    lines = block.split("\n")
    header = next(line for line in lines if line.lstrip().startswith("Line #"))
    ends, position = [], 0
    for name in ("Line #", "Hits", "Time", "Per Hit", "% Time"):
        position = header.index(name, position) + len(name)
        ends.append(position)
    fields = {}
    for row in _table(block):
        cells = [row[start + 1 : end] for start, end in pairwise(ends)]
        fields[int(row[: ends[0]])] = tuple(cell.strip() for cell in cells)
    return fields  # type: ignore[return-value]


def _function_names(text: str) -> list[str]:
    return re.findall(r"(?m)^Function: (.*) at line \d+$", text)


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["us", "ms"])
@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_text_fields_are_line_profilers(
    fixture_name: str, unit: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    lprof: Path = request.getfixturevalue(fixture_name)
    expected = _blocks(_line_profiler_text([lprof], UNITS[unit], lprof.parent))

    ours = _blocks(_export_in(lprof.parent, monkeypatch, [str(lprof), "--unit", unit]))

    assert ours.keys() == expected.keys()
    for key, block in expected.items():
        assert _fields(ours[key]) == _fields(block), key


@pytest.mark.parametrize("unit", list(UNITS))
@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_text_blocks_are_line_profilers(
    fixture_name: str, unit: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    lprof: Path = request.getfixturevalue(fixture_name)
    expected_text = _line_profiler_text([lprof], UNITS[unit], lprof.parent)

    ours_text = _export_in(lprof.parent, monkeypatch, [str(lprof), "--unit", unit])

    assert ours_text.splitlines()[0] == expected_text.splitlines()[0]  # Timer unit: ...
    assert _blocks(ours_text) == _blocks(expected_text)


def _with_slowest_changed(source: Path, out: Path, change: Callable[[RawLine], RawLine]) -> Path:
    """A copy of a real profile whose slowest function's lines went through ``change``."""
    stats = load_stats(source)
    slowest = max(stats.timings, key=lambda key: sum(t for _, _, t in stats.timings[key]))
    timings = {
        key: [change(line) if key == slowest else line for line in lines]
        for key, lines in stats.timings.items()
    }
    out.write_bytes(pickle.dumps(LineStats(timings, stats.unit), pickle.HIGHEST_PROTOCOL))
    return out


def test_text_widens_columns_as_line_profiler_does(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """One function's counts run far past the default column widths; the others keep them."""
    wide = _with_slowest_changed(
        busy_lprof,
        tmp_path / "wide.lprof",
        lambda line: (line[0], line[1] * 10**10, line[2] * 10**7),
    )
    expected = _line_profiler_text([wide], "1e-6", busy_lprof.parent)

    ours = _export_in(busy_lprof.parent, monkeypatch, [str(wide), "--unit", "us"])

    assert _blocks(ours) == _blocks(expected)
    headers = [line for line in ours.splitlines() if line.lstrip().startswith("Line #")]
    assert len(set(headers)) == 2  # the widened function's header, and everyone else's


def test_text_of_a_function_timed_at_zero_is_line_profilers(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A coarse timer can record hits in zero ticks: no percentages, zero per hit."""
    zero = _with_slowest_changed(busy_lprof, tmp_path / "zero.lprof", lambda line: (*line[:2], 0))
    expected = _line_profiler_text([zero], "1e-6", busy_lprof.parent)

    ours = _export_in(busy_lprof.parent, monkeypatch, [str(zero), "--unit", "us"])

    assert _blocks(ours) == _blocks(expected)
    assert "Total time: 0 s" in ours


def test_text_with_a_missing_source_is_line_profilers(
    busy_relative_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "copy"
    shutil.copytree(busy_relative_lprof.parent, folder)
    (folder / "busy.py").unlink()
    lprof = folder / busy_relative_lprof.name
    expected = _blocks(_line_profiler_text([lprof], "1e-6", folder))

    ours = _blocks(_export_in(folder, monkeypatch, [str(lprof)]))

    assert "Could not find file busy.py" in next(iter(expected.values()))
    assert ours == expected


def test_code_compiled_under_a_name_too_long_for_a_file_keeps_its_numbers(
    generated_code_lprof: Path, monkeypatch: pytest.MonkeyPatch
):
    # line_profiler prints this function without lines; its numbers are still shown here.
    folder = generated_code_lprof.parent
    expected = _line_profiler_text([generated_code_lprof], "1e-6", folder)

    ours = _blocks(_export_in(folder, monkeypatch, [str(generated_code_lprof)]))

    generated = next(key for key in ours if key[0].startswith("<generated model code"))
    assert "Could not find file <generated model code" in ours[generated]
    stats = load_stats(str(generated_code_lprof))
    (timings,) = [lines for key, lines in stats.timings.items() if key[0] == generated[0]]
    rows = [row.split() for row in ours[generated].splitlines() if re.match(r" +\d+ +\d", row)]
    assert [(int(row[0]), int(row[1])) for row in rows] == [(n, hits) for n, hits, _ in timings]
    caller = next(key for key in ours if key[0].endswith("generated_code.py"))
    assert ours[caller] in expected


@pytest.mark.parametrize("fixture_name", ["busy_lprof", "django_wsgi_lprof", "raises_lprof"])
def test_text_functions_biggest_first(fixture_name: str, request: pytest.FixtureRequest):
    lprof: Path = request.getfixturevalue(fixture_name)
    stats = load_stats(lprof)
    by_size = sorted(stats.timings, key=lambda k: -sum(t for *_, t in stats.timings[k]))

    text = _export([str(lprof)])

    assert _function_names(text) == [name for _, _, name in by_size]
    totals = [float(t) for t in re.findall(r"(?m)^Total time: (\S+) s$", text)]
    assert totals == sorted(totals, reverse=True)


def test_text_export_of_several_files_is_line_profilers_merge(
    busy_lprof: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Two runs of the same script, one re-pickled with a 1 µs timer, and another program.
    stats = load_stats(busy_lprof)
    coarse = tmp_path / "busy_us.lprof"
    factor = stats.unit / 1e-6
    LineStats(
        {k: [(n, h, round(t * factor)) for n, h, t in v] for k, v in stats.timings.items()},
        1e-6,
    ).to_file(coarse)
    paths = [busy_lprof, coarse]
    expected = _blocks(_line_profiler_text(paths, "1e-6", busy_lprof.parent))

    ours = _blocks(_export_in(busy_lprof.parent, monkeypatch, [*map(str, paths), "--unit", "us"]))

    assert ours == expected


# --- JSON ------------------------------------------------------------------------------------


def _json(args: list[str]) -> dict[str, Any]:
    return json.loads(_export([*args, "--format", "json"]))


def _source_lines(path: str) -> list[str]:
    with tokenize.open(path) as stream:
        return stream.read().splitlines()


@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_json_contract(fixture_name: str, request: pytest.FixtureRequest):
    lprof: Path = request.getfixturevalue(fixture_name)
    stats = load_stats(lprof)
    unit = stats.unit

    document = _json([str(lprof)])

    assert set(document) == {"unit", "total_time", "functions"}
    assert document["unit"] == unit
    all_ticks = sum(t for lines in stats.timings.values() for *_, t in lines)
    assert document["total_time"] == pytest.approx(all_ticks * unit, rel=1e-12)
    functions = document["functions"]
    assert len(functions) == len(stats.timings)
    for function in functions:
        assert set(function) == {
            "file",
            "name",
            "start_line",
            "total_time",
            "total_hits",
            "stale",
            "source_note",
            "lines",
        }
        assert function["source_note"] is None
        key = (function["file"], function["start_line"], function["name"])
        timings = stats.timings[key]
        total = sum(t for *_, t in timings)
        assert function["total_time"] == total * unit
        assert function["total_hits"] == sum(h for _, h, _ in timings)
        assert function["stale"] is False
        source = _source_lines(str(lprof.parent / key[0]))
        assert [line["line"] for line in function["lines"]] == [n for n, _, _ in timings]
        for line, (lineno, nhits, time) in zip(function["lines"], timings, strict=True):
            assert set(line) == {"line", "hits", "time", "per_hit", "percent", "source"}
            assert line["hits"] == nhits
            assert line["time"] == time * unit
            assert line["per_hit"] == float(time) * unit / nhits
            assert line["percent"] == 100 * time / total
            assert line["source"] == source[lineno - 1]
    totals = [function["total_time"] for function in functions]
    assert totals == sorted(totals, reverse=True)


def test_json_types(busy_lprof: Path):
    document = _json([str(busy_lprof)])

    assert type(document["unit"]) is float and type(document["total_time"]) is float
    for function in document["functions"]:
        assert type(function["start_line"]) is int and type(function["total_hits"]) is int
        assert type(function["stale"]) is bool and type(function["file"]) is str
        for line in function["lines"]:
            assert type(line["line"]) is int and type(line["hits"]) is int
            assert all(type(line[k]) is float for k in ("time", "per_hit", "percent"))
    never = next(f for f in document["functions"] if f["name"] == "never_called")
    assert never["lines"] == [] and never["total_time"] == 0 and never["total_hits"] == 0


def test_json_non_ascii_source(busy_lprof: Path):
    document = _json([str(busy_lprof)])
    fast = next(f for f in document["functions"] if f["name"] == "fast")
    assert any("GREETING.upper()" in line["source"] for line in fast["lines"])
    assert "café ✓" in Path(fast["file"]).read_text(encoding="utf-8")


def test_json_stale_flag(busy_relative_lprof: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(busy_relative_lprof.parent, folder)
    later = os.path.getmtime(folder / busy_relative_lprof.name) + 60
    os.utime(folder / "busy.py", (later, later))

    document = _json([str(folder / busy_relative_lprof.name)])

    assert all(function["stale"] is True for function in document["functions"])
    assert all(
        function["source_note"] == "busy.py was modified after it was profiled."
        for function in document["functions"]
    )


def test_json_says_when_the_source_is_missing(busy_relative_lprof: Path, tmp_path: Path):
    # Blank sources alone cannot be told from blank lines of code.
    folder = tmp_path / "copy"
    shutil.copytree(busy_relative_lprof.parent, folder)
    (folder / "busy.py").unlink()

    document = _json([str(folder / busy_relative_lprof.name)])

    for function in document["functions"]:
        assert function["source_note"] == (
            f"busy.py was not found, so {function['name']}'s numbers are shown without its code."
        )
        assert all(line["source"] == "" for line in function["lines"])


def test_json_of_several_files_is_merged(busy_lprof: Path, django_view_lprof: Path):
    merged = LineStats.from_stats_objects(load_stats(busy_lprof), load_stats(django_view_lprof))

    document = _json([str(busy_lprof), str(django_view_lprof)])

    assert document["unit"] == merged.unit
    got = {
        (f["file"], f["start_line"], f["name"]): [
            (line["line"], line["hits"], line["time"]) for line in f["lines"]
        ]
        for f in document["functions"]
    }
    assert got == {
        key: [(n, h, t * merged.unit) for n, h, t in lines] for key, lines in merged.timings.items()
    }


def test_json_merge_of_one_program_twice_doubles_hits(busy_lprof: Path):
    once = _json([str(busy_lprof)])
    twice = _json([str(busy_lprof), str(busy_lprof)])

    for single, double in zip(once["functions"], twice["functions"], strict=True):
        assert double["name"] == single["name"]
        assert double["total_hits"] == 2 * single["total_hits"]
        assert double["total_time"] == pytest.approx(2 * single["total_time"])


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture_name", ["busy_lprof", "django_wsgi_lprof", "latin1_lprof"])
def test_csv_rows_are_the_json_lines(fixture_name: str, request: pytest.FixtureRequest):
    lprof: Path = request.getfixturevalue(fixture_name)
    document = _json([str(lprof)])

    text = _export([str(lprof), "--format", "csv"])

    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header == [
        "file",
        "name",
        "start_line",
        "total_time",
        "total_hits",
        "stale",
        "line",
        "hits",
        "time",
        "per_hit",
        "percent",
        "source",
    ]
    rows = [dict(zip(header, row, strict=True)) for row in reader]
    expected = [(f, line) for f in document["functions"] for line in f["lines"]]
    assert len(rows) == len(expected)
    for row, (function, line) in zip(rows, expected, strict=True):
        assert row["file"] == function["file"] and row["name"] == function["name"]
        assert int(row["start_line"]) == function["start_line"]
        assert float(row["total_time"]) == function["total_time"]
        assert int(row["total_hits"]) == function["total_hits"]
        assert row["stale"] == str(function["stale"])
        assert int(row["line"]) == line["line"] and int(row["hits"]) == line["hits"]
        for field in ("time", "per_hit", "percent"):
            assert float(row[field]) == line[field]
        assert row["source"] == line["source"]


# --- HTML ------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """What a reader of the page sees: tags, links, headings, table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.headings: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self._in_h2 = False
        self._cell: list[str] | None = None
        self._cell_class = ""
        self.spans_in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        for name in ("src", "href", "action", "data", "srcset", "poster"):
            if attributes.get(name) is not None:
                self.links.append(str(attributes[name]))
        if tag == "h2":
            self._in_h2 = True
            self.headings.append("")
        elif tag == "tr":
            self.rows.append({"style": attributes.get("style") or "", "cells": []})
        elif tag == "td":
            self._cell = []
            self._cell_class = attributes.get("class") or ""
        elif tag == "span" and self._cell_class == "code":
            self.spans_in_code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None
            self._cell_class = ""

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings[-1] += data
        if self._cell is not None:
            self._cell.append(data)


def _html(args: list[str]) -> tuple[str, _Page]:
    text = _export([*args, "--format", "html"])
    page = _Page()
    page.feed(text)
    page.close()
    return text, page


@pytest.mark.parametrize("fixture_name", ["busy_lprof", "django_wsgi_lprof", "latin1_lprof"])
def test_html_is_one_self_contained_page(fixture_name: str, request: pytest.FixtureRequest):
    lprof: Path = request.getfixturevalue(fixture_name)

    text, page = _html([str(lprof)])

    assert text.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert page.links and all(link.startswith("#") for link in page.links), page.links
    assert "url(" not in text and "@import" not in text
    assert not re.search(r"https?://", text)
    assert page.tags.count("html") == 1 and page.tags.count("body") == 1


def test_html_functions_biggest_first_with_highlighted_source(busy_lprof: Path):
    stats = load_stats(busy_lprof)
    by_size = sorted(stats.timings, key=lambda k: -sum(t for *_, t in stats.timings[k]))

    _, page = _html([str(busy_lprof)])

    assert page.headings == [name for _, _, name in by_size]
    shown_code = [row["cells"][-1] for row in page.rows if len(row["cells"]) == 6]
    for line in (
        "    for i in range(n):",
        "        total += i * i % 7",
        "    word = GREETING.upper()",
    ):
        assert line in shown_code
    assert page.spans_in_code > 50  # Pygments token spans


def test_html_timed_rows_are_shaded(busy_lprof: Path):
    stats = load_stats(busy_lprof)
    timed = {(n, h) for lines in stats.timings.values() for n, h, _ in lines}

    _, page = _html([str(busy_lprof)])

    line_rows = [row for row in page.rows if len(row["cells"]) == 6]
    timed_rows = [row for row in line_rows if row["cells"][1]]
    assert {(int(r["cells"][0]), int(r["cells"][1])) for r in timed_rows} == timed
    for row in timed_rows:
        assert re.search(r"background:\s*#[0-9a-f]{6}", row["style"]), row
    colours = {row["style"] for row in timed_rows}
    assert len(colours) > 3, "the heat shading does not vary with time"
    blank_rows = [row for row in line_rows if not row["cells"][5].strip()]
    assert all("background" not in row["style"] for row in blank_rows)


def test_html_tints_the_body_that_never_ran_not_the_decorator_or_def(busy_lprof: Path):
    _, page = _html([str(busy_lprof)])

    rows = {row["cells"][5].strip(): row["style"] for row in page.rows if len(row["cells"]) == 6}
    tint = f"background:{hex_color(NEVER_RAN_LIGHT)}"
    assert tint in rows["y = x + 1"] and tint in rows["return y * 2"]  # never_called's body
    assert "background" not in rows["def never_called(x: int) -> int:"]


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_html_numbers_match_the_text_export(busy_lprof: Path, unit: str):
    text_fields = {}
    for block in _blocks(_export([str(busy_lprof), "--unit", unit])).values():
        text_fields.update(_fields(block))

    _, page = _html([str(busy_lprof), "--unit", unit])

    compared = 0
    for row in page.rows:
        if len(row["cells"]) == 6 and row["cells"][1]:
            fields = text_fields[int(row["cells"][0])]
            if any("e" in field for field in fields):  # too wide: line_profiler's %g
                continue
            assert row["cells"][1:5] == list(fields)
            compared += 1
    assert compared > 10


def test_html_of_several_files_is_merged(busy_lprof: Path, django_view_lprof: Path):
    merged = LineStats.from_stats_objects(load_stats(busy_lprof), load_stats(django_view_lprof))
    by_size = sorted(merged.timings, key=lambda k: -sum(t for *_, t in merged.timings[k]))

    _, page = _html([str(busy_lprof), str(django_view_lprof)])

    assert page.headings == [name for _, _, name in by_size]


# --- output destination ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_output_file_or_standard_output(busy_lprof: Path, tmp_path: Path, fmt: str):
    out = tmp_path / f"profile.{fmt}"
    to_stdout = _export([str(busy_lprof), "--format", fmt])

    written = io.StringIO()
    status = main(["export", str(busy_lprof), "--format", fmt, "-o", str(out)], stdout=written)

    assert status == 0
    assert written.getvalue() == ""
    assert out.read_text(encoding="utf-8") == to_stdout
    assert "slow_sum" in to_stdout


def test_export_as_a_real_process(busy_lprof: Path, tmp_path: Path):
    command = [sys.executable, "-m", "lprof_viewer", "export", str(busy_lprof), "--format", "json"]
    run = {"cwd": tmp_path, "env": python_env(), "capture_output": True, "timeout": 60}

    to_stdout = subprocess.run(command, **run, check=False)  # type: ignore[call-overload]
    to_file = subprocess.run([*command, "-o", "out.json"], **run, check=False)  # type: ignore[call-overload]

    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stderr == b""
    document = json.loads(to_stdout.stdout.decode("utf-8"))
    assert document["functions"][0]["name"] == "slow_sum"
    assert to_file.returncode == 0 and to_file.stdout == b""
    assert json.loads((tmp_path / "out.json").read_bytes()) == document


def test_export_to_an_unwritable_place_is_one_line(
    busy_lprof: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    status = main(["export", str(busy_lprof), "-o", str(tmp_path)], stdout=io.StringIO())

    assert status == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("lprof-viewer: cannot write")


# --- numbers no timer records ----------------------------------------------------------------


def _write_linestats(path: Path, timings: dict[Any, Any], unit: float = 1e-6) -> Path:
    stats = LineStats({}, unit)
    stats.timings = timings  # bypass nothing: LineStats holds whatever it is given
    stats.to_file(path)
    return path


@pytest.mark.parametrize(
    "timings",
    [
        {("app.py", 1, "f"): [(2, 1, 10**400)]},
        {("app.py", 1, "f"): [(2, 10**400, 5)]},
        {("app.py", 10**5000, "f"): [(2, 1, 5)]},
    ],
    ids=["time 10**400", "hits 10**400", "first line of 5,001 digits"],
)
def test_absurd_numbers_are_refused_or_exported(
    timings: dict[Any, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = _write_linestats(tmp_path / "absurd.lprof", timings)

    for fmt in ("text", "json", "csv", "html"):
        status = main(["export", str(path), "--format", fmt], stdout=io.StringIO())
        assert status in (0, 2)
        assert len(capsys.readouterr().err.splitlines()) == (status == 2)


_LIMITED_EXPORT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from lprof_viewer.cli import main
from lprof_viewer.core.model import RawLine
sys.exit(main(["export", sys.argv[1], "--format", "text"]))
"""


def test_far_away_line_number_does_not_hang_the_export(tmp_path: Path):
    path = _write_linestats(tmp_path / "far.lprof", {("app.py", 1, "f"): [(2_000_000_000, 1, 5)]})

    try:
        proc = run_python("-c", _LIMITED_EXPORT, str(path), cwd=tmp_path, timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("the export of a 100-byte profile ran for more than 3 s")
    assert proc.returncode in (0, 2), proc.stderr[-500:]
    assert "Traceback" not in proc.stderr


def test_html_code_on_hot_lines_stays_readable(busy_lprof: Path):
    from pygments.token import STANDARD_TYPES

    from lprof_viewer.core.heat import reads_on
    from lprof_viewer.core.token_styles import LIGHT, token_format

    def rgb(hex_digits: str) -> tuple[int, int, int]:
        return tuple(int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]

    colour_of = {css: token_format(LIGHT, kind)[0] for kind, css in STANDARD_TYPES.items() if css}
    page, _ = _html([str(busy_lprof)])
    rows = re.findall(r"<tr style='background:#(\w{6});color:#(\w{6})'>(.*?)</tr>", page)
    assert rows
    for shade, text, cells in rows:
        assert reads_on(rgb(text), rgb(shade))
        for css in re.findall(r"<span class='(\w+)'>", cells):
            colour = colour_of.get(css)
            assert colour is None or reads_on(rgb(colour), rgb(shade)), (css, colour, shade)
