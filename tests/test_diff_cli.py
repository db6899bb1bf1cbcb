"""``lprof-viewer diff A B``: the JSON contract, the text and HTML pages, and bad input.

Expected times come from line_profiler itself: ``load_stats`` ticks times unit.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fixtures import recorded, repickle, run_kernprof
from line_profiler import LineStats, load_stats

from lprof_viewer.cli import main
from lprof_viewer.core.diff import side_names, signed_change
from lprof_viewer.core.run_history import RunHistory
from lprof_viewer.core.units import TimeUnit

REPO_ROOT = Path(__file__).resolve().parent.parent

TOP_KEYS = {"total_a", "total_b", "functions"}
FUNCTION_KEYS = {
    "name",
    "file",
    "start_line_a",
    "start_line_b",
    "time_a",
    "time_b",
    "delta",
    "ratio",
    "only_in",
    "lines",
    "aligned_by",  # beyond issue 5's list: "source" or "offset", and why, for a reader
    "note",  # that cannot see the window's note above the panes
}
LINE_KEYS = {
    "line_a",
    "line_b",
    "source_a",
    "source_b",
    "hits_a",
    "hits_b",
    "time_a",
    "time_b",
    "delta",
    "kind",  # beyond issue 5's list: same, changed, inserted or removed, as the window marks
}
N_PLUS_ONE_LINE = "        name = book.author.name"
ONE_QUERY_LINE = (
    '    rows = Book.objects.filter(pk__in=pks).order_by("title").values_list("author__name")'
)


def diff_output(a: Path, b: Path, fmt: str, *options: str) -> str:
    """What ``lprof-viewer diff A B --format FMT [OPTIONS]`` writes to standard output."""
    out = io.StringIO()
    assert main(["diff", str(a), str(b), "--format", fmt, *options], stdout=out) == 0
    return out.getvalue()


def diff_json(a: Path, b: Path) -> dict[str, Any]:
    """The JSON diff of two profiles, parsed."""
    document: dict[str, Any] = json.loads(diff_output(a, b, "json"))
    return document


def merged(paths: list[Path], out: Path) -> Path:
    """``lprof-viewer merge PATHS -o OUT``; answer ``out``."""
    assert main(["merge", *map(str, paths), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def mixed_pair(
    django_before_after_lprofs: tuple[Path, Path],
    busy_lprof: Path,
    never_called_lprof: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """Merged files: the Django view before + busy.py, after + never_called.py.

    Functions in every state: matched across runs, only in A and only in B.
    """
    before, after = django_before_after_lprofs
    folder = tmp_path_factory.mktemp("mixed")
    return (
        merged([before, busy_lprof], folder / "a.lprof"),
        merged([after, never_called_lprof], folder / "b.lprof"),
    )


def ticks_by_function(stats: LineStats) -> dict[tuple[str, int], list[tuple[int, int, int]]]:
    """line_profiler's own timings keyed by (name, first line)."""
    return {(name, start): lines for (_, start, name), lines in stats.timings.items()}


# -- JSON ------------------------------------------------------------------------------------


def test_json_keys_are_exactly_the_contract(mixed_pair: tuple[Path, Path]) -> None:
    document = diff_json(*mixed_pair)
    assert set(document) == TOP_KEYS
    assert document["functions"]
    for function in document["functions"]:
        assert set(function) == FUNCTION_KEYS
        assert function["only_in"] in (None, "a", "b")
        assert function["aligned_by"] in ("source", "offset")
        for line in function["lines"]:
            assert set(line) == LINE_KEYS
            assert line["kind"] in ("same", "changed", "inserted", "removed")


def test_json_of_the_same_times_in_a_finer_unit_changes_nothing(
    busy_lprof: Path, tmp_path: Path
) -> None:
    picos = repickle(busy_lprof, tmp_path / "picos.lprof", unit=1e-12)  # every tick times 1000

    functions = diff_json(busy_lprof, picos)["functions"]

    assert all(f["delta"] == 0 for f in functions)
    assert all(line["delta"] == 0 for f in functions for line in f["lines"])


def test_json_times_are_line_profilers_seconds(mixed_pair: tuple[Path, Path]) -> None:
    a, b = mixed_pair
    document = diff_json(a, b)
    stats = {"a": load_stats(a), "b": load_stats(b)}
    timings = {side: ticks_by_function(s) for side, s in stats.items()}
    assert document["total_a"] == pytest.approx(
        sum(t for lines in stats["a"].timings.values() for _, _, t in lines) * stats["a"].unit,
        rel=1e-12,
    )
    for function in document["functions"]:
        for side in ("a", "b"):
            start = function[f"start_line_{side}"]
            if start is None:
                assert function[f"time_{side}"] == 0
                assert all(line[f"line_{side}"] is None for line in function["lines"])
                continue
            # A's name may differ from the name shown (B's), but not in these files.
            lines = timings[side][(function["name"], start)]
            unit = stats[side].unit
            assert function[f"time_{side}"] == pytest.approx(
                sum(t for _, _, t in lines) * unit, rel=1e-12
            )
            by_line = {lineno: (hits, t * unit) for lineno, hits, t in lines}
            for line in function["lines"]:
                hits, seconds = by_line.get(line[f"line_{side}"], (0, 0.0))
                assert (line[f"hits_{side}"], line[f"time_{side}"]) == (hits, seconds)
        for line in function["lines"]:
            assert line["delta"] == pytest.approx(line["time_b"] - line["time_a"], abs=1e-15)
        assert function["delta"] == pytest.approx(function["time_b"] - function["time_a"])


def test_json_functions_sorted_by_size_of_change_with_only_in(
    mixed_pair: tuple[Path, Path],
) -> None:
    functions = diff_json(*mixed_pair)["functions"]
    changes = [abs(f["delta"]) for f in functions]
    assert changes == sorted(changes, reverse=True)
    only_in = {f["name"]: f["only_in"] for f in functions}
    assert only_in["author_names"] is None
    assert only_in["slow_sum"] == only_in[recorded("Worker.process")] == "a"
    assert only_in["unused"] == "b"
    unused = next(f for f in functions if f["name"] == "unused")
    assert unused["start_line_a"] is None and unused["time_a"] == 0 and unused["ratio"] is None
    slow = next(f for f in functions if f["name"] == "slow_sum")
    assert slow["start_line_b"] is None and slow["time_b"] == 0 and slow["ratio"] == 0


def test_json_hot_function_lines_side_by_side(
    django_before_after_lprofs: tuple[Path, Path],
) -> None:
    functions = diff_json(*django_before_after_lprofs)["functions"]
    hot = next(f for f in functions if f["name"] == "author_names")
    recorded_b = {name: file for file, _, name in load_stats(django_before_after_lprofs[1]).timings}
    assert hot["file"] == recorded_b["author_names"]  # B's file: the newer run
    assert hot["time_b"] < hot["time_a"] and 0 < hot["ratio"] < 1
    rows = {(line["source_a"] or line["source_b"]).strip(): line for line in hot["lines"]}
    n_plus_one = rows[N_PLUS_ONE_LINE.strip()]
    assert n_plus_one["hits_a"] == 200 and n_plus_one["line_b"] is None
    assert (n_plus_one["source_b"], n_plus_one["hits_b"], n_plus_one["time_b"]) == ("", 0, 0)
    query = rows[ONE_QUERY_LINE.strip()]
    assert query["line_a"] is None and query["source_a"] == "" and query["hits_b"] == 1
    unchanged = rows["if name not in seen:"]
    assert unchanged["line_b"] == unchanged["line_a"] + 2
    assert unchanged["source_a"] == unchanged["source_b"]
    assert unchanged["hits_a"] == unchanged["hits_b"] == 200


def test_the_installed_command_writes_the_same_json(
    django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = django_before_after_lprofs
    out = tmp_path / "diff.json"
    command = [sys.executable, "-m", "lprof_viewer", "diff", str(a), str(b)]
    proc = subprocess.run(
        [*command, "--format", "json", "-o", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == diff_json(a, b)


def test_a_run_from_the_history_is_diffed_with_its_snapshot(
    two_runs: tuple[RunHistory, Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    history, a, b, _ = two_runs
    monkeypatch.setenv("LPROF_VIEWER_DATA", str(history.root))
    (work,) = diff_json(a, b)["functions"]
    inserted = [line["source_b"].strip() for line in work["lines"] if line["line_a"] is None]
    assert inserted == ["step = 2", "n = n // step"]
    body = next(line for line in work["lines"] if "total +=" in line["source_a"])
    assert body["source_a"] == body["source_b"] == "        total += i % 7"
    assert (body["hits_a"], body["hits_b"]) == (3000, 1500)
    # Named as the window names kept runs: by script and time, not their folders.
    older, newer = (history.run_for_profile(path) for path in (a, b))
    assert older is not None and newer is not None
    text = diff_output(a, b, "text").splitlines()
    name_a, name_b = side_names(older.title, newer.title, ordered=True)
    assert text[:2] == [f"A: {name_a}", f"B: {name_b}"]
    assert name_a.startswith("job.py ")


# -- text and HTML ---------------------------------------------------------------------------

EDITED_BEFORE = """
@profile
def work(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    spare = total // 2
    return total


@profile
def retired(n):
    return sum(range(n))


work(20_000)
retired(10)
"""
EDITED_AFTER = """
@profile
def work(n):
    total = 0
    step = 1
    for i in range(0, n, step):
        total += i * i % 11
    return total


@profile
def added(n):
    m = n + 1
    return m * 2


work(20_000)
added(10)
"""


@pytest.fixture(scope="module")
def edited_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One function edited (a line inserted, two edited, one removed), one gone, one new.

    B's ticks are rescaled to a picosecond timer, so its times come from its own unit.
    """
    outputs = []
    for name, text in (("before", EDITED_BEFORE), ("after", EDITED_AFTER)):
        folder = tmp_path_factory.mktemp(name)
        script = folder / "work.py"
        script.write_text(text.lstrip())
        outputs.append(run_kernprof(script, folder / "work.py.lprof") and folder / "work.py.lprof")
    a, b = outputs
    return a, repickle(b, b.with_name("pico.lprof"), unit=1e-12)


def text_rows(section: str, unit: TimeUnit) -> list[tuple[str, ...]]:
    """(mark, A#, Time A, B#, Time B, Change, Code) of a function's rows, by its header's columns.

    Each column is right-aligned under its title (which names a fixed unit), so a
    title's end is its column's end.
    """
    named = "" if unit.is_auto else f" ({unit.label})"
    titles = ["A#", f"Time A{named}", "B#", f"Time B{named}", f"Change{named}"]
    lines = section.splitlines()
    at = next(k for k, row in enumerate(lines) if row.lstrip().startswith("A#"))
    header, ends = lines[at], []
    for title in titles:
        ends.append(header.index(title, ends[-1] if ends else 0) + len(title))
    starts = [2, *(end + 1 for end in ends[:-1])]
    code = header.index("Code")
    return [
        (row[0], *(row[a:b].strip() for a, b in zip(starts, ends, strict=True)), row[code:])
        for row in lines[at + 1 :]
    ]


@pytest.mark.parametrize("unit", ["auto", "ms", "ns"])
def test_text_rows_carry_each_sides_numbers(edited_pair: tuple[Path, Path], unit: str) -> None:
    a, b = edited_pair
    text = diff_output(a, b, "text", "--unit", unit).split("\n\n")
    written = TimeUnit(unit)
    for function in diff_json(a, b)["functions"]:
        section = next(s for s in text if s.startswith(f"{function['name']} — "))
        rows = text_rows(section, written)
        expected = []
        for line in function["lines"]:
            # kernprof records the lines that ran: a timed line has hits.
            time_a = written.format(line["time_a"]) if line["hits_a"] else ""
            time_b = written.format(line["time_b"]) if line["hits_b"] else ""
            timed = line["hits_a"] or line["hits_b"]
            change = signed_change(written, line["delta"]) if timed else ""
            number_a, number_b = (str(line[k] or "") for k in ("line_a", "line_b"))
            if line["kind"] == "changed":  # A's version, then B's
                expected.append(("-", number_a, time_a, "", "", change, line["source_a"]))
                expected.append(("+", "", "", number_b, time_b, "", line["source_b"]))
                continue
            mark = {"inserted": "+", "removed": "-"}.get(line["kind"], " ")
            code = line["source_b"] or line["source_a"]
            expected.append((mark, number_a, time_a, number_b, time_b, change, code))
        assert rows == expected, function["name"]
    kinds = {line["kind"] for f in diff_json(a, b)["functions"] for line in f["lines"]}
    assert kinds == {"same", "changed", "inserted", "removed"}


def test_text_shows_the_code_of_the_side_whose_source_can_be_trusted(tmp_path: Path) -> None:
    script = tmp_path / "work.py"
    profiles = []
    for version, text in (("old", EDITED_BEFORE), ("new", "import os\n\n\n" + EDITED_BEFORE)):
        script.write_text(text.lstrip())  # edited in place between the runs
        profiles.append(
            run_kernprof(script, tmp_path / f"{version}.lprof") and tmp_path / f"{version}.lprof"
        )
    old, new = profiles
    code = script.read_text().splitlines()

    # Run B (the old profile) no longer matches the file: lines are aligned by offset.
    text = diff_output(new, old, "text")

    section = next(s for s in text.split("\n\n") if s.startswith("work — "))
    assert "No trustworthy source for run B" in section
    rows = [row for row in text_rows(section, TimeUnit("auto")) if row[1]]
    assert rows and all(row[6] == code[int(row[1]) - 1] for row in rows)  # A's code
    assert any(row[6].strip() == "total += i * i % 7" for row in rows)


def test_text_has_the_summary_and_every_function(mixed_pair: tuple[Path, Path]) -> None:
    text = diff_output(*mixed_pair, "text")
    lines = text.splitlines()
    assert lines[0] == "A: a.lprof" and lines[1] == "B: b.lprof"
    time = r"[\d.]+ [mµn]?s"  # in the unit that reads best, as every time the window shows
    summary = rf"Total {time} → {time} \(-{time}, \d+\.\dx faster\)"
    assert re.fullmatch(summary, lines[2]), lines[2]
    # The view's helper is profiled too: its time is inside the view's, said once.
    view_name = recorded("BookListView.get_context_data")
    nested = f"author_names runs inside {view_name}, so its time counts twice; "
    assert lines[3].startswith(f"{nested}the outermost functions alone: ")
    table = lines[6 : lines.index("", 6)]  # the functions, after a header line
    # Sorted by the size of the change, as the JSON is: which of the view, its helper and
    # busy.py's functions changed most depends on the machine's speed, the order on it not.
    functions = diff_json(*mixed_pair)["functions"]
    changes = [abs(function["delta"]) for function in functions]
    assert changes == sorted(changes, reverse=True)
    rows = [row.removesuffix(" (only in A)").removesuffix(" (only in B)") for row in table]
    assert [row.split()[-1] for row in rows] == [function["name"] for function in functions]
    view = next(row for row in table if row.endswith(view_name))
    assert "faster" in view
    assert any(row.endswith("slow_sum (only in A)") and "gone" in row for row in table)
    # A run without the function has no time for it: blank, as the window shows it.
    header = lines[5]
    time_b = slice(header.index("Time A") + len("Time A"), header.index("Time B") + len("Time B"))
    assert next(r for r in table if r.endswith("slow_sum (only in A)"))[time_b].strip() == ""
    assert next(r for r in table if r.endswith("unused (only in B)"))[time_b].strip() == "0"
    assert any(row.endswith("unused (only in B)") for row in table)
    assert len(table) == len(diff_json(*mixed_pair)["functions"])
    assert N_PLUS_ONE_LINE in text and ONE_QUERY_LINE in text


def test_a_fixed_unit_is_named_beside_its_numbers(mixed_pair: tuple[Path, Path]) -> None:
    text = diff_output(*mixed_pair, "text", "--unit", "ms")
    document = diff_json(*mixed_pair)
    lines = text.splitlines()
    total_a, total_b = (document[key] * 1000 for key in ("total_a", "total_b"))
    assert lines[2].startswith(f"Total {total_a:.1f} ms → {total_b:.1f} ms (-")
    header = next(line for line in lines if line.lstrip().startswith("Time A"))
    assert " ".join(header.split()) == "Time A (ms) Time B (ms) Change (ms) Function"
    assert "Time A (ms)" in next(line for line in lines if line.lstrip().startswith("A#"))
    page = diff_output(*mixed_pair, "html", "--unit", "ms")
    assert "<th>Time A (ms)</th>" in page and f"Total {total_a:.1f} ms" in page


def test_the_page_marks_every_edited_inserted_and_removed_line(
    mixed_pair: tuple[Path, Path],
) -> None:
    page = diff_output(*mixed_pair, "html")
    for kind, mark in (("changed", "~"), ("inserted", "+"), ("removed", "-")):
        rows = re.findall(rf"<tr class='{kind}'>.*?</tr>", page)
        assert rows and all(f"<td class='mark'>{mark}</td>" in row for row in rows), kind


class _PageScan:
    """What an HTML page refers to and runs: scripts, and src/href attributes."""

    def __init__(self, page: str) -> None:
        self.scripts = re.findall(r"<script\b", page, re.I)
        self.sources = re.findall(r"\bsrc\s*=", page, re.I)
        self.links = re.findall(r"\bhref\s*=\s*['\"]([^'\"]*)", page, re.I)
        self.imports = re.findall(r"@import|url\(", page, re.I)


def test_html_is_one_self_contained_page(django_before_after_lprofs: tuple[Path, Path]) -> None:
    page = diff_output(*django_before_after_lprofs, "html")
    scan = _PageScan(page)
    assert scan.scripts == [] and scan.sources == [] and scan.imports == []
    assert scan.links and all(link.startswith("#") for link in scan.links)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # Both sides' code of the hot function, with the inserted and removed lines marked.
    assert html.escape(N_PLUS_ONE_LINE) in page and html.escape(ONE_QUERY_LINE) in page
    inserted = [row for row in page.splitlines() if row.startswith("<tr class='inserted'>")]
    removed = [row for row in page.splitlines() if row.startswith("<tr class='removed'>")]
    assert len(inserted) == 3 and any(html.escape(ONE_QUERY_LINE) in row for row in inserted)
    assert len(removed) == 1 and html.escape(N_PLUS_ONE_LINE) in removed[0]
    assert "<td class='mark'>+</td>" in inserted[0] and "<td class='mark'>-</td>" in removed[0]
    assert "faster" in page


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "text", "missing"])
def test_a_broken_b_file_is_one_sentence_and_exit_2(
    damage: str,
    django_before_after_lprofs: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = django_before_after_lprofs
    broken = tmp_path / "broken.lprof"
    if damage == "truncated":
        broken.write_bytes(b.read_bytes()[:200])
    elif damage == "text":
        broken.write_text("Timer unit: 1e-06 s\n\nTotal time: 0.2 s\n", encoding="utf-8")
    out = io.StringIO()
    assert main(["diff", str(a), str(broken), "--format", "json"], stdout=out) == 2
    assert out.getvalue() == ""
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("lprof-viewer: broken.lprof ") and line.endswith((".", ")."))


def test_a_profile_with_nothing_marked_diffs_as_all_new(
    nothing_profiled_lprof: Path, busy_lprof: Path
) -> None:
    """The run before the decorator was added against the run after it."""
    document = diff_json(nothing_profiled_lprof, busy_lprof)

    assert document["total_a"] == 0 and document["total_b"] > 0
    assert document["functions"] and {f["only_in"] for f in document["functions"]} == {"b"}
    assert diff_json(nothing_profiled_lprof, nothing_profiled_lprof)["functions"] == []
    assert "Total 0 s → 0 s (0 s, same)" in diff_output(
        nothing_profiled_lprof, nothing_profiled_lprof, "text"
    )


def test_html_leaves_a_runs_missing_functions_without_a_time(
    edited_pair: tuple[Path, Path],
) -> None:
    page = diff_output(*edited_pair, "html")
    rows = {
        name: re.findall(r"<td>([^<]*)</td>", row)[:2]
        for row in page.splitlines()
        for name in ("retired", "added")
        if f">{name} (only in" in row
    }
    assert rows["retired"][0] and rows["retired"][1] == ""  # Time A, then no Time B
    assert rows["added"][0] == "" and rows["added"][1]
    hits = {
        name: re.findall(r"<td>([^<]*)</td>", row)[-2:]
        for row in page.splitlines()
        for name in ("retired", "added")
        if f">{name} (only in" in row
    }
    assert hits == {"retired": ["1", ""], "added": ["", "2"]}  # hits as line_profiler counts


def test_a_long_verdict_keeps_the_function_column_in_line(busy_lprof: Path, tmp_path: Path) -> None:
    import pickle

    stats = load_stats(busy_lprof)
    slower = {
        key: [(n, h, t * 20_000) for n, h, t in lines] for key, lines in stats.timings.items()
    }
    b = tmp_path / "slower.lprof"
    b.write_bytes(pickle.dumps(LineStats(slower, stats.unit)))
    lines = diff_output(busy_lprof, b, "text").splitlines()
    table = lines[lines.index("") + 1 : lines.index("", lines.index("") + 1)]
    assert any("20000.0x slower" in row for row in table)
    # Every name starts in the column its title starts in.
    column = table[0].index("Function")
    assert all(row[column - 1] == " " and row[column] != " " for row in table[1:])


def test_a_long_function_has_every_line_in_the_json(tmp_path: Path) -> None:
    """Each function's lines are written with one template, which a long function makes anew."""
    body = "".join(f"    total += {k} * n\n" for k in range(400))
    script = tmp_path / "long.py"
    script.write_text(
        f"@profile\ndef long_sum(n):\n    total = 0\n{body}    return total\n\n"
        "for n in range(3):\n    long_sum(n)\n",
        encoding="utf-8",
    )
    run_kernprof(script, tmp_path / "a.lprof")
    run_kernprof(script, tmp_path / "b.lprof")
    expected = {
        name: {lineno: (hits, ticks * stats.unit) for lineno, hits, ticks in lines}
        for name, stats in (
            ("a", load_stats(tmp_path / "a.lprof")),
            ("b", load_stats(tmp_path / "b.lprof")),
        )
        for lines in stats.timings.values()
    }

    (function,) = diff_json(tmp_path / "a.lprof", tmp_path / "b.lprof")["functions"]

    assert len(function["lines"]) == 404  # decorator, def, 402 statements
    assert [line["source_a"] for line in function["lines"]][3:5] == [
        "    total += 0 * n",
        "    total += 1 * n",
    ]
    for line in function["lines"]:
        for side in "ab":
            hits, time = expected[side].get(line[f"line_{side}"], (0, 0.0))
            assert (line[f"hits_{side}"], line[f"time_{side}"]) == (hits, time)
