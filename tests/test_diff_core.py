"""Diffing two profiles without Qt: matching functions, aligning lines by code, totals."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from fixtures import (
    EDITED_SCRIPT_V1,
    QUALIFIED_NAMES,
    as_line_profiler_4,
    recorded,
    repickle,
    run_kernprof,
    two_checkouts_of_two_apps,
)

from lprof_viewer.core.align import (
    BY_OFFSET,
    BY_SOURCE,
    CHANGED,
    INSERTED,
    REMOVED,
    SAME,
    AlignedLine,
)
from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.diff import (
    FunctionDiff,
    ProfileDiff,
    RecentAlignments,
    describe_change,
    distinct_titles,
    side_names,
)
from lprof_viewer.core.diff_export import diff_exporter_for
from lprof_viewer.core.lprof_reader import load_profiles
from lprof_viewer.core.matching import match_functions
from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.nesting import calls_between
from lprof_viewer.core.pair_loading import open_pair_with_sources
from lprof_viewer.core.run_history import RunHistory
from lprof_viewer.core.units import TimeUnit

N_PLUS_ONE_LINE = "name = book.author.name"


def diff_of(
    a: Path | list[Path],
    b: Path | list[Path],
    snapshots: tuple[Mapping[str, Path] | None, Mapping[str, Path] | None] = (None, None),
) -> ProfileDiff:
    """The diff of two profiles (lists are merged), each side with its own source."""
    sides = [
        ProfileAnnotator(load_profiles(paths if isinstance(paths, list) else [paths]), (), None, s)
        for paths, s in zip((a, b), snapshots, strict=True)
    ]
    return ProfileDiff(*sides)


def function_named(diff: ProfileDiff, name: str) -> FunctionDiff:
    """The one function diff called ``name``."""
    (found,) = [f for f in diff.functions if f.name == name]
    return found


def row_with(lines: list[AlignedLine], text: str) -> AlignedLine:
    """The one aligned row whose code (either side) contains ``text``."""
    (found,) = [line for line in lines if text in line.text_a or text in line.text_b]
    return found


def profiled(folder: Path, name: str, text: str, **env: str) -> Path:
    """``text`` saved as ``folder/name`` and profiled by kernprof (with ``env`` set); its .lprof."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(text.lstrip())
    out = folder / f"{name}.{'-'.join(env) or 'run'}.lprof"
    run_kernprof(script, out, env={**os.environ, **env} if env else None)
    return out


def calls_read(lprof: Path) -> list[tuple[str, str]]:
    """(caller, callee) names of the profiled functions of ``lprof`` that call each other."""
    annotator = ProfileAnnotator(load_profiles([lprof]))
    calls = calls_between(annotator.profile.functions, annotator.annotate)
    return [(caller.name, callee.name) for caller, callee in calls or []]


@pytest.fixture(scope="module")
def django_diff(django_before_after_lprofs: tuple[Path, Path]) -> ProfileDiff:
    """``BookListView`` before (N+1 loop) against after (one query)."""
    return diff_of(*django_before_after_lprofs)


# -- the Django view, before and after the N+1 fix ------------------------------------------


def test_hot_function_is_matched_across_runs(django_diff: ProfileDiff) -> None:
    names = {f.name: f.only_in for f in django_diff.functions}
    assert names == {
        "author_names": None,
        recorded("BookListView.get_queryset"): None,
        recorded("BookListView.get_context_data"): None,
    }
    hot = function_named(django_diff, "author_names")
    assert hot.a is not None and hot.b is not None
    assert hot.a.filename != hot.b.filename  # two copies, each with its own version
    assert (hot.a.start_line, hot.b.start_line) == (13, 13)


def test_lines_are_aligned_by_content_not_number(django_diff: ProfileDiff) -> None:
    hot = function_named(django_diff, "author_names")
    lines, method, note = hot.alignment
    assert (method, note) == (BY_SOURCE, "")
    # An unchanged line below the inserted ones stands on both sides, shifted, with both timings.
    unchanged = row_with(lines, "if name not in seen:")
    assert unchanged.kind == SAME and unchanged.text_a == unchanged.text_b
    assert unchanged.line_b == unchanged.line_a + 2  # three lines in, one out, above it
    assert unchanged.stat_a is not None and unchanged.stat_b is not None
    assert unchanged.stat_a.hits == unchanged.stat_b.hits == 200
    assert unchanged.time_a > 0 and unchanged.time_b > 0
    assert unchanged.delta == pytest.approx(unchanged.time_b - unchanged.time_a)
    seen = row_with(lines, "seen: set[str] = set()")
    assert (seen.kind, seen.line_b - seen.line_a) == (SAME, 3)
    # Every line of each version appears once, in order.
    assert [line.line_a for line in lines if line.line_a] == list(range(13, 24))
    assert [line.line_b for line in lines if line.line_b] == list(range(13, 26))


def test_inserted_and_removed_lines_are_marked(django_diff: ProfileDiff) -> None:
    lines = function_named(django_diff, "author_names").lines
    inserted = [line for line in lines if line.kind == INSERTED]
    assert [line.line_b for line in inserted] == [16, 17, 18]
    assert all(line.line_a is None and line.text_a == "" for line in inserted)
    assert "values_list" in row_with(lines, "values_list").text_b
    assert row_with(lines, "pks = [book.pk").stat_b.hits == 1  # type: ignore[union-attr]
    (removed,) = [line for line in lines if line.kind == REMOVED]
    assert N_PLUS_ONE_LINE in removed.text_a and removed.line_b is None
    # The loop header changed: both versions on one row.
    loop = row_with(lines, "for book in books:")
    assert loop.kind == CHANGED and loop.text_b.strip() == "for (name,) in rows:"


def test_hot_function_time_dropped_and_the_n_plus_one_line_is_gone(
    django_diff: ProfileDiff,
) -> None:
    hot = function_named(django_diff, "author_names")
    assert hot.time_b < hot.time_a and hot.delta < 0
    assert hot.ratio is not None and 0 < hot.ratio < 1
    n_plus_one = row_with(hot.lines, N_PLUS_ONE_LINE)
    assert n_plus_one.stat_a is not None and n_plus_one.stat_a.hits == 200
    assert n_plus_one.stat_b is None and n_plus_one.time_b == 0
    assert n_plus_one.delta == -n_plus_one.time_a
    assert django_diff.total_b < django_diff.total_a
    assert "faster" in django_diff.summary()


def test_a_profiled_helper_called_by_another_is_said_to_count_twice(
    django_diff: ProfileDiff,
) -> None:
    view, helper = recorded("BookListView.get_context_data"), "author_names"
    calls = [(caller.name, callee.name) for caller, callee in django_diff.nesting]
    assert calls == [(view, helper)] * 2  # in both runs, the view calls its profiled helper
    outer_a = sum(f.time_a for f in django_diff.functions if f.name != helper)
    outer_b = sum(f.time_b for f in django_diff.functions if f.name != helper)
    assert outer_a < django_diff.total_a and outer_b < django_diff.total_b

    summary = django_diff.summary(TimeUnit("ms"))

    assert f"{helper} runs inside {view}, so its time counts twice" in summary
    assert summary.endswith(
        f"the outermost functions alone: {outer_a * 1000:.1f} ms → {outer_b * 1000:.1f} ms "
        f"(-{(outer_a - outer_b) * 1000:.1f} ms, {outer_a / outer_b:.1f}x faster)."
    )


RECURSIVE = """
@profile
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@profile
def main():
    return [fib(12), fib(14)]


main()
"""


def test_a_recursive_function_is_nested_in_its_caller_not_in_itself(tmp_path: Path) -> None:
    assert calls_read(profiled(tmp_path, "fib.py", RECURSIVE)) == [("main", "fib")]


CALLS = """
import io
import json


@profile
def load(text):
    return [int(x) for x in text.split(",")]


@profile
def handler():
    return json.load(io.StringIO("[1, 2]"))  # json's load, not the profiled one


class Report:
    @profile
    def build(self, values):
        return self.total(values) * 2

    @profile
    def total(self, values):
        return sum(values)


handler()
Report().build(load("1,2,3"))
"""


def test_calls_are_read_as_bare_names_or_on_self_not_on_other_objects(tmp_path: Path) -> None:
    lprof = profiled(tmp_path, "calls.py", CALLS)
    assert calls_read(lprof) == [(recorded("Report.build"), recorded("Report.total"))]


COMMENTED = """
@profile
def parse(text):
    return text.split()


@profile
def process(rows):
    return [len(r) for r in rows]  # no parse(r) here any more; "parse(" neither


process(parse("a b c"))
"""


READERS = (
    "\n".join(
        f"""
class {kind}:
    @profile
    def load(self, text):
        return self.parse(text)

    @profile
    def parse(self, text):
        return text.split()
"""
        for kind in ("Csv", "Json", "Xml")
    )
    + "\nfor kind in (Csv, Json, Xml):\n    kind().load('a b')\n"
)


def test_each_class_calls_its_own_whether_the_names_say_the_class_or_not(tmp_path: Path) -> None:
    lprof = profiled(tmp_path, "readers.py", READERS)
    # line_profiler 4.x names them all load and parse (as 5.x does under Python 3.10): which
    # parse each load calls is read from the code, its class the one around it.
    older = as_line_profiler_4(lprof, tmp_path / "readers-4x.lprof")
    annotator = ProfileAnnotator(load_profiles([older]))
    calls = calls_between(annotator.profile.functions, annotator.annotate) or []
    assert [(caller.name, callee.name) for caller, callee in calls] == [("load", "parse")] * 3
    assert all(callee.start_line == caller.start_line + 4 for caller, callee in calls)  # its own
    if not QUALIFIED_NAMES:
        return
    diff = diff_of(lprof, lprof)

    note = diff.summary_lines()[1]

    callees, _, rest = note.partition(" run inside ")
    callers = rest.partition(", so their time counts twice")[0]
    assert set(re.split(", | and ", callees)) == {"Csv.parse", "Json.parse", "Xml.parse"}
    assert set(re.split(", | and ", callers)) == {"Csv.load", "Json.load", "Xml.load"}


SCOPES = """
@profile
def parse(text):
    return text.split()


class Reader:
    @profile
    def run(self, text):
        return self.parse(text)  # a method of its own that is not profiled

    def parse(self, text):
        return [text]


@profile
def outer(items):
    @profile
    def helper(item):
        return item * 2

    return [helper(item) for item in items]


@profile
def other(items):
    return [helper(item) for item in items]  # the module's helper, not outer's


def helper(item):
    return item


Reader().run("a b")
outer([1, 2])
other([1, 2])
parse("c d")
"""


def test_self_calls_and_nested_functions_are_read_within_their_scope(tmp_path: Path) -> None:
    lprof = profiled(tmp_path, "scopes.py", SCOPES)
    assert calls_read(lprof) == [("outer", recorded("outer.<locals>.helper"))]
    # Bare names (line_profiler 4.x): where each is defined is read from the code. Reader's
    # self.parse( is not the module's parse, nor other's helper( outer's nested one.
    older = as_line_profiler_4(lprof, tmp_path / "scopes-4x.lprof")
    assert calls_read(older) == [("outer", "helper")]


BLOCKS = '''
@profile
def helper():
    return 1


if True:
    @profile
    def conditional():
        return 2


class A:
    @profile
    def m(self):
        template = """
def template():
    pass
"""
        return self.n() + len(template)

    if True:
        @profile
        def n(self):
            return 3


@profile
def main():
    return conditional() + helper() + A().m()


main()
'''


def test_functions_in_other_blocks_belong_to_the_scope_around_them(tmp_path: Path) -> None:
    """A def under an if stays its module's or class's; a def in a string is none."""
    lprof = profiled(tmp_path, "blocks.py", BLOCKS)
    older = as_line_profiler_4(lprof, tmp_path / "blocks-4x.lprof")
    expected = {("A.m", "A.n"), ("main", "conditional"), ("main", "helper")}

    assert set(calls_read(lprof)) == {(recorded(a), recorded(b)) for a, b in expected}
    assert set(calls_read(older)) == {(a.split(".")[-1], b.split(".")[-1]) for a, b in expected}


RENAMED_LATER = """
class A:
    @profile
    def m(self):
        return self.save()

    @profile
    def save(self):
        return 1


@profile
def save():
    return 2


@profile
def unused():
    return 5


@profile
def main():
    x = False and unused()
    return save() + A().m() + bool(x)


main()
"""


def test_one_function_whose_code_changed_leaves_the_others_of_its_file_read(
    tmp_path: Path,
) -> None:
    lprof = profiled(tmp_path, "renamed.py", RENAMED_LATER)
    older = as_line_profiler_4(lprof, tmp_path / "renamed-4x.lprof")
    script = tmp_path / "renamed.py"
    script.write_text(script.read_text().replace("def unused(", "def unused_renamed("))

    calls = set(calls_read(older))

    assert calls == {("m", "save"), ("main", "save"), ("main", "unused")}


def test_a_call_in_a_comment_or_string_is_no_call(tmp_path: Path) -> None:
    assert calls_read(profiled(tmp_path, "commented.py", COMMENTED)) == []


SAVES = """
@profile
def save():
    return sum(range(20_000))


class Document:
    @profile
    def save(self):
        return sum(range(5_000))


@profile
def main():
    return save() + Document().save()  # the module's save, then a document's


main()
"""


def test_only_the_function_called_is_left_out_not_its_namesakes(tmp_path: Path) -> None:
    lprof = profiled(tmp_path, "saves.py", SAVES)
    assert calls_read(lprof) == [("main", "save")]  # Document().save( names no class
    # Bare names (4.x) call both save: Document's is read from the code as a method.
    older = as_line_profiler_4(lprof, tmp_path / "saves-4x.lprof")
    assert calls_read(older) == [("main", "save")]
    if not QUALIFIED_NAMES:  # the rest tells the two save apart by their qualified names
        return
    diff = diff_of(lprof, lprof)
    main, method = function_named(diff, "main"), function_named(diff, "Document.save")

    note = diff.summary_lines(TimeUnit("us"))[1]

    assert note.startswith("save runs inside main, so its time counts twice")
    outer = (main.time_a + method.time_a) * 1e6  # the method, namesake of save, stays in
    assert note.endswith(f"alone: {outer:.1f} µs → {outer:.1f} µs (0.0 µs, same).")


def test_no_note_on_nesting_when_one_runs_code_cannot_be_read(tmp_path: Path) -> None:
    profiles = [profiled(tmp_path / name, "fib.py", RECURSIVE) for name in ("before", "after")]
    assert diff_of(*profiles).nesting  # main calls fib, in both
    (tmp_path / "after" / "fib.py").unlink()  # B's calls are unknown now

    diff = diff_of(*profiles)

    assert diff.nesting == [] and diff.summary_lines()[1] == ""


LOADS_INSIDE = """
@profile
def load(n):
    return list(range(n))


@profile
def process(n):
    return sum(load(n))


process(200_000)
"""
LOADS_OUTSIDE = LOADS_INSIDE.replace(
    "def process(n):\n    return sum(load(n))", "def process(items):\n    return sum(items)"
).replace("process(200_000)", "process(load(200_000))")


def test_outermost_functions_are_each_runs_own(tmp_path: Path) -> None:
    before = profiled(tmp_path / "before", "loads.py", LOADS_INSIDE)
    after = profiled(tmp_path / "after", "loads.py", LOADS_OUTSIDE)
    diff = diff_of(before, after)
    load, process = function_named(diff, "load"), function_named(diff, "process")

    note = diff.summary_lines(TimeUnit("us"))[1]

    # In B, load no longer runs inside process: it is one of B's outermost functions.
    # (Written as the summary writes seconds in µs: x * 1e6 may round otherwise.)
    us = TimeUnit("us")
    outer_b = us.format(load.time_b + process.time_b)
    assert f"alone: {us.format(process.time_a)} µs → {outer_b} µs" in note


BRANCHY = """
import os


@profile
def slow_path(n):
    return sum(range(n))


@profile
def main():
    return slow_path(50_000) if os.environ.get("SLOW") else 0


main()
"""


def test_a_function_one_run_never_called_is_not_run_there_not_gone(tmp_path: Path) -> None:
    slow = profiled(tmp_path, "branchy.py", BRANCHY, SLOW="1")
    fast = profiled(tmp_path, "branchy.py", BRANCHY)

    assert function_named(diff_of(slow, fast), "slow_path").verdict == "not run in B"
    assert function_named(diff_of(fast, slow), "slow_path").verdict == "not run in A"


def test_functions_are_sorted_by_size_of_change(django_diff: ProfileDiff) -> None:
    changes = [abs(f.delta) for f in django_diff.functions]
    assert changes == sorted(changes, reverse=True)
    assert django_diff.functions[-1].name == recorded("BookListView.get_queryset")


# -- line_profiler 4.x against 5.x ---------------------------------------------------------


def test_4x_file_matches_5x_function_for_function(busy_4x_5x_lprofs: tuple[Path, Path]) -> None:
    old, new = busy_4x_5x_lprofs
    diff = diff_of(old, new)
    assert all(f.only_in is None for f in diff.functions)
    method = function_named(diff, recorded("Worker.process"))
    assert method.a is not None and method.a.name == "process"
    assert len(diff.functions) == len(load_profiles([new]).functions)
    for function in diff.functions:
        assert function.time_a == function.time_b and function.delta == 0
        assert all(line.kind == SAME for line in function.lines)


def test_4x_file_matches_5x_after_the_file_moved_and_shifted(
    busy_4x_5x_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    """The unqualified-name fallback: no file, name or first line in common."""
    old, new = busy_4x_5x_lprofs
    moved = tmp_path / "moved" / "busy.py"
    moved.parent.mkdir()
    source_file = load_profiles([old]).functions[0].filename
    original = Path(source_file).read_text(encoding="utf-8")
    # Two lines inserted under the coding cookie shift every function.
    head, rest = original.split("\n", 1)
    moved.write_text(f"{head}\n# moved\n# and shifted\n{rest}", encoding="utf-8")
    shifted = repickle(
        old,
        tmp_path / "old.lprof",
        lambda key: (str(moved), key[1] + 2, key[2].rsplit(".", 1)[-1]),
    )
    diff = diff_of(shifted, new)
    assert all(f.only_in is None for f in diff.functions)
    method = function_named(diff, recorded("Worker.process"))
    assert method.a is not None and method.b is not None
    assert method.a.start_line == method.b.start_line + 2
    assert all(line.kind == SAME for line in method.lines)


# -- one-sided functions, units, merged profiles -------------------------------------------


def test_function_in_only_one_run_is_listed_not_dropped(
    busy_lprof: Path, django_before_after_lprofs: tuple[Path, Path]
) -> None:
    before, _ = django_before_after_lprofs
    diff = diff_of([busy_lprof, before], busy_lprof)
    only_a = {f.name for f in diff.functions if f.only_in == "a"}
    view = ("BookListView.get_queryset", "BookListView.get_context_data")
    assert only_a == {"author_names", *map(recorded, view)}
    gone = function_named(diff, "author_names")
    assert gone.b is None and gone.time_b == 0 and gone.delta == -gone.time_a
    lines, _, note = gone.alignment
    assert note == "Only in run A." and {line.kind for line in lines} == {REMOVED}
    assert row_with(lines, N_PLUS_ONE_LINE).stat_a.hits == 200  # type: ignore[union-attr]

    reverse = diff_of(busy_lprof, [busy_lprof, before])
    new = function_named(reverse, "author_names")
    assert new.only_in == "b" and {line.kind for line in new.lines} == {INSERTED}
    assert new.alignment[2] == "Only in run B."
    assert {f.only_in for f in reverse.functions} == {None, "b"}


LOOP_BEFORE = """
import math


@profile
def energy(n):
    total = 0.0
    for x in range(n):
        total += x * x
    return total


energy(20_000)
"""
LOOP_AFTER = LOOP_BEFORE.replace(
    "        total += x * x\n", "        y = math.sin(x)\n        total += x * x + y\n"
)


def test_lines_logged_above_twenty_edited_ones_leave_each_edit_beside_its_line() -> None:
    from lprof_viewer.core.align import _pair_block

    before = [f"    total_{i} = price * quantity_{i}" for i in range(20)]
    after = [f"    log('step {i}')" for i in range(5)] + [
        t.replace("price", "cost") for t in before
    ]

    pairs, kinds = _pair_block(before, after, 0, 20, 0, 25, timed=(range(20), range(25)))

    assert kinds == [INSERTED] * 5 + [CHANGED] * 20
    assert pairs[5:] == [(i, i + 5) for i in range(20)]


def test_twenty_lines_edited_at_both_ends_below_a_new_one_stay_beside_their_edits() -> None:
    from lprof_viewer.core.align import _pair_block

    before = [
        f"    row_{k} = normalise(records[{k}], weights, bias=offsets[{k}])" for k in range(20)
    ]
    after = ["    weights = weights / 2"] + [
        line.replace("row_", "vec_").replace("])", "]).copy()") for line in before
    ]

    # Compared in full these are 0.89 alike; by their common start and end, not at all.
    pairs, kinds = _pair_block(before, after, 0, 20, 0, 21, timed=(range(20), range(21)))

    assert pairs == [(None, 0)] + [(k, k + 1) for k in range(20)]
    assert kinds == [INSERTED] + [CHANGED] * 20
    # Five lines above them: each edit five rows off the block's diagonal, still its own.
    means = [
        f'    mean_{k} = compute_statistics(dataset["col_{k}"], window=WINDOW, method="mean", '
        f"weights=weights_{k})"
        for k in range(20)
    ]
    logged = [f'    log.debug("computing column %s of %s", {k}, len(dataset))' for k in range(5)]
    logged += [line.replace("mean_", "avg_", 1) + ".copy()" for line in means]
    pairs, _ = _pair_block(means, logged, 0, 20, 0, 25, timed=(range(20), range(25)))
    assert pairs == [(None, k) for k in range(5)] + [(k, k + 5) for k in range(20)]
    # A common start and end that make two lines alike do not hide a closer pair.
    before = ["    i += result(n, x)", "    n = data * 53", "    # x y item count"]
    before.append("    for self in range(total):")
    after = ["    for key in range(total):", "    # x y item count  # y"]
    pairs, _ = _pair_block(before, after, 0, 4, 0, 2, timed=({0, 1, 3}, {0}))
    assert (3, 0) in pairs


def test_long_lines_all_edited_align_at_once() -> None:
    from lprof_viewer.core.align import _pair_block

    table = [f"    row_{i} = [{', '.join(['0'] * 100)}]" for i in range(12)]  # 310 characters
    edited = ["    header = ['id', 'value']"] + [row[:-1] + ", 1]" for row in table]
    huge = ["    blob = '" + "ab" * 4_000 + "'"]
    # Thirty shorter rows (132 characters): each pair is cheap, all 900 of them are not.
    rows = [f"    row_{i} = [{', '.join(['0'] * 40)}]" for i in range(30)]

    started = time.perf_counter()
    pairs, kinds = _pair_block(table, edited, 0, 12, 0, 13, timed=(range(12), range(13)))
    _pair_block(huge, [huge[0][:-1] + "c'"], 0, 1, 0, 1, timed=({0}, {0}))
    edited_rows = [row[:-1] + ", 1]" for row in rows]
    row_pairs, _ = _pair_block(rows, edited_rows, 0, 30, 0, 30, timed=(range(30), range(30)))

    assert time.perf_counter() - started < 0.5  # seconds before: every pair was compared fully
    # Each row beside its edited self, the new header above them: similarity, not position.
    assert kinds == [INSERTED] + [CHANGED] * 12
    assert pairs == [(None, 0)] + [(i, i + 1) for i in range(12)]
    assert row_pairs == [(i, i) for i in range(30)]


def test_a_statement_rewritten_is_not_set_beside_a_new_comment_or_docstring() -> None:
    from lprof_viewer.core.align import _pair_block

    before = ["    for customer in CUSTOMERS:"]
    after = ['    """One lookup per order."""', "    # by id", "    index = {c.id: c for c in db}"]

    pairs, kinds = _pair_block(before, after, 0, 1, 0, 3, timed=({0}, {2}))  # code times

    assert list(zip(pairs, kinds, strict=True)) == [
        ((None, 0), INSERTED),
        ((None, 1), INSERTED),
        ((0, 2), CHANGED),
    ]


def test_a_timed_line_rewritten_pairs_with_the_other_runs_timed_line_not_a_docstring() -> None:
    from lprof_viewer.core.align import _pair_block

    before = ["    for customer in CUSTOMERS:"]
    after = ['    """Look each id up once.', "    One lookup per order.", '    """', "    x = 1"]

    pairs, kinds = _pair_block(before, after, 0, 1, 0, 4, timed=({0}, {3}))

    assert list(zip(pairs, kinds, strict=True)) == [
        ((None, 0), INSERTED),
        ((None, 1), INSERTED),  # inside the docstring: it reads as a statement, but never ran
        ((None, 2), INSERTED),
        ((0, 3), CHANGED),
    ]


def test_a_loop_rewritten_pairs_each_timed_line_with_the_one_it_resembles() -> None:
    from lprof_viewer.core.align import _pair_block

    before = ["    for i in range(n):", "        total += i * i % 7", "    spare = total // 2"]
    after = [
        "    squares = [i * i for i in range(n)]",
        "    for square in squares:",
        "        total += square % 7",
    ]

    pairs, kinds = _pair_block(before, after, 0, 3, 0, 3, timed=(range(3), range(3)))

    # Not by position (the sum beside the new loop header, with the old sum's times):
    # the sum beside the sum, the range loop beside the comprehension that took it in.
    assert list(zip(pairs, kinds, strict=True)) == [
        ((0, 0), CHANGED),
        ((None, 1), INSERTED),
        ((1, 2), CHANGED),
        ((2, None), REMOVED),
    ]
    # Lines no more alike than these stay paired by position, statements only.
    unlike = ["    index = {c.id: c for c in db}"]
    assert _pair_block(before[:1], unlike, 0, 1, 0, 1, timed=({0}, {0}))[0] == [(0, 0)]
    # So do lines alike by a constant alone (0.62), not by the name they assign.
    loop = ["    for p in prices:", "        t = t + p * 1.19"]
    summed = ["    vat = 1.19", "    t = sum(prices) * vat"]
    assert _pair_block(loop, summed, 0, 2, 0, 2, timed=(range(2), range(2)))[0] == [
        (0, 0),
        (1, 1),
    ]


def test_a_line_inserted_above_an_edited_one_does_not_take_its_place(tmp_path: Path) -> None:
    before = profiled(tmp_path / "before", "physics.py", LOOP_BEFORE)
    after = profiled(tmp_path / "after", "physics.py", LOOP_AFTER)

    lines = function_named(diff_of(before, after), "energy").lines

    edited = row_with(lines, "total += x * x")
    assert edited.kind == CHANGED and edited.text_b.strip() == "total += x * x + y"
    assert edited.stat_a.hits == edited.stat_b.hits == 20_000  # type: ignore[union-attr]
    inserted = row_with(lines, "y = math.sin(x)")
    assert inserted.kind == INSERTED and inserted.line_a is None


def test_different_timer_units_are_rescaled(busy_lprof: Path, tmp_path: Path) -> None:
    micro = repickle(busy_lprof, tmp_path / "micro.lprof", unit=1e-6)
    assert load_profiles([micro]).unit == 1e-6
    diff = diff_of(busy_lprof, micro)
    assert all(f.only_in is None for f in diff.functions)
    assert diff.total_b == pytest.approx(diff.total_a, rel=1e-3)
    for function in diff.functions:
        lines = function.lines
        timed = sum(1 for line in lines if line.stat_a)
        # Each line was rounded to a whole microsecond.
        assert abs(function.delta) <= timed * 0.5e-6 + 1e-12
        for line in lines:
            assert abs(line.delta) <= 0.5e-6 + 1e-12


def test_the_same_times_in_a_finer_unit_are_the_same_not_a_rounding_error(
    busy_lprof: Path, tmp_path: Path
) -> None:
    picos = repickle(busy_lprof, tmp_path / "picos.lprof", unit=1e-12)  # every tick times 1000

    diff = diff_of(busy_lprof, picos)

    assert diff.delta == 0 and diff.summary().endswith("(0 s, same)")
    for function in diff.functions:
        assert function.delta == 0 and describe_change(function.time_a, function.time_b) == "same"
        assert all(line.delta == 0 for line in function.lines)


def test_merged_profiles_diff_like_any_other(busy_lprof: Path, tmp_path: Path) -> None:
    second = shutil.copy(busy_lprof, tmp_path / "second.lprof")
    diff = diff_of([busy_lprof, Path(second)], busy_lprof)
    assert diff.a.name == "busy.lprof + 1 more"
    assert all(f.only_in is None for f in diff.functions)
    assert diff.total_a == pytest.approx(2 * diff.total_b)
    slow = function_named(diff, "slow_sum")
    assert slow.hits_a == 2 * slow.hits_b
    assert slow.alignment[1] == BY_SOURCE
    loop = row_with(slow.lines, "total += i * i % 7")
    assert loop.kind == SAME and loop.stat_a.hits == 2 * loop.stat_b.hits  # type: ignore[union-attr]


# -- source: missing on one side, and snapshots kept by runs -------------------------------


def test_without_source_on_one_side_lines_align_by_offset(
    django_before_after_lprofs: tuple[Path, Path], tmp_path: Path
) -> None:
    before, after = django_before_after_lprofs
    recorded = load_profiles([after]).functions[0].filename
    copy = tmp_path / "copy" / "views.py"
    copy.parent.mkdir()
    shutil.copy2(recorded, copy)
    moved = repickle(after, tmp_path / "after.lprof", lambda key: (str(copy), *key[1:]))
    assert function_named(diff_of(before, moved), "author_names").alignment[1] == BY_SOURCE

    copy.unlink()  # B's source is gone
    hot = function_named(diff_of(before, moved), "author_names")
    lines, method, note = hot.alignment
    assert method == BY_OFFSET
    assert "run B" in note and "offset" in note and "run A" not in note
    assert all(line.text_b == "" for line in lines)
    assert any(line.text_a for line in lines)
    # By offset, A's N+1 line (offset 6) faces whatever B ran six lines below its start.
    n_plus_one = row_with(lines, N_PLUS_ONE_LINE)
    assert n_plus_one.line_b == n_plus_one.line_a  # both functions start at line 13
    assert hot.time_b < hot.time_a  # totals do not depend on alignment


def test_a_file_edited_in_place_between_two_plain_kernprof_runs_is_flagged(
    tmp_path: Path,
) -> None:
    # No run history: both profiles read the one file on disk, which now holds
    # run B's code; run A's numbers stand beside it with a warning, as they
    # would in A's own tab.
    script = tmp_path / "edited.py"
    script.write_text(EDITED_SCRIPT_V1, encoding="utf-8")
    before, after = tmp_path / "before.lprof", tmp_path / "after.lprof"
    run_kernprof(script, before)
    os.utime(before, (time.time() - 60, time.time() - 60))  # recorded a minute ago
    script.write_text(EDITED_SCRIPT_V1.replace("% 7", "% 11"), encoding="utf-8")
    run_kernprof(script, after)

    work = function_named(diff_of(before, after), "work")
    lines, method, note = work.alignment

    assert method == BY_SOURCE and "% 11" in row_with(lines, "total += i").text_a
    assert note.startswith("Run A's code may have changed since it ran: edited.py was modified")
    assert "Run B" not in note


def snapshots_for(history: RunHistory, profile: Path) -> dict[str, Path] | None:
    """What cli.run_diff passes: the snapshots of the run that wrote ``profile``."""
    run = history.run_for_profile(profile)
    return run.snapshot_files() if run else None


def test_runs_diff_with_the_code_each_one_measured(
    two_runs: tuple[RunHistory, Path, Path, Path],
) -> None:
    history, a, b, script = two_runs
    snapshots = (snapshots_for(history, a), snapshots_for(history, b))
    assert all(snapshots)
    work = function_named(diff_of(a, b, snapshots), "work")
    lines, method, note = work.alignment
    assert (method, note) == (BY_SOURCE, "")
    assert [line.text_b.strip() for line in lines if line.kind == INSERTED] == [
        "step = 2",
        "n = n // step",
    ]
    body = row_with(lines, "total += i % 7")  # the file on disk now says % 11
    assert body.kind == SAME and body.line_b == body.line_a + 2
    assert body.stat_a.hits == 3000 and body.stat_b.hits == 1500  # type: ignore[union-attr]
    # Half the work: fewer hits (deterministic; a 1 ms total is too noisy to compare times).
    assert work.hits_b < work.hits_a

    # Without the snapshots, the file on disk matches neither run.
    stale = function_named(diff_of(a, b), "work")
    assert stale.alignment[1] == BY_OFFSET
    assert "runs A and B" in stale.alignment[2]
    assert "% 11" in script.read_text(encoding="utf-8")


# -- matching rules on their own ------------------------------------------------------------


def fp(name: str, start: int, filename: str = "/src/app.py") -> FunctionProfile:
    """A function with one timed line, for matching tests."""
    return FunctionProfile((filename, start, name), [(start + 1, 1, 10)], 1e-9)


def test_matching_prefers_the_most_certain_key() -> None:
    a = [fp("f", 10), fp("g", 20), fp("process", 30), fp("h", 40, "/old/place/mod.py")]
    b = [fp("f", 12), fp("renamed", 20), fp("Worker.process", 32), fp("h", 90, "/new/mod.py")]
    pairs = {(x.name if x else None, y.name if y else None) for x, y in match_functions(a, b)}
    assert pairs == {
        ("f", "f"),  # moved within its file
        ("g", "renamed"),  # renamed in place
        ("process", "Worker.process"),  # 4.x against 5.x, shifted
        ("h", "h"),  # the file moved
    }


def test_a_function_renamed_in_a_moved_folder_or_moved_to_another_module_is_matched() -> None:
    a = [fp("squares", 10, "/work/before/calc.py"), fp("normalize", 30, "/work/before/app.py")]
    b = [fp("list_squares", 10, "/work/after/calc.py"), fp("normalize", 3, "/work/after/text.py")]
    pairs = {(x.name if x else None, y.name if y else None) for x, y in match_functions(a, b)}
    assert pairs == {("squares", "list_squares"), ("normalize", "normalize")}


def test_a_name_alone_pairs_only_a_function_no_other_shares() -> None:
    a = [fp("main", 1, "/tools/one.py"), fp("main", 1, "/tools/two.py"), fp("<lambda>", 4)]
    b = [fp("main", 1, "/scripts/three.py"), fp("<lambda>", 9, "/src/other.py")]
    assert all(None in pair for pair in match_functions(a, b))
    # A helper left over on each side, while another helper matched: not the same one.
    a = [fp("helper", 5, "/src/a.py"), fp("helper", 5, "/src/b.py")]
    b = [fp("helper", 5, "/src/a.py"), fp("helper", 9, "/src/c.py")]
    pairs = {
        (x.filename if x else None, y.filename if y else None) for x, y in match_functions(a, b)
    }
    assert pairs == {("/src/a.py", "/src/a.py"), ("/src/b.py", None), (None, "/src/c.py")}
    # line_profiler 4.x names Parser.__init__ and Lexer.__init__ alike.
    assert all(
        None in pair
        for pair in match_functions(
            [fp("__init__", 3, "/src/parser.py")], [fp("__init__", 3, "/src/lexer.py")]
        )
    )


def test_a_file_of_one_name_elsewhere_is_that_file_moved_only_if_the_other_run_lacks_it() -> None:
    shared = fp("main", 1, "/src/app.py")
    setup = fp("setup", 10, "/src/pkg1/__init__.py")
    configure = fp("configure", 10, "/src/pkg2/__init__.py")
    pairs = match_functions([shared, setup], [shared, configure])
    assert (setup, None) in pairs and (None, configure) in pairs  # two packages, not one moved
    # app2/views.py is not app1/views.py moved while run B still names app1/views.py.
    index_1, index_2 = fp("index", 5, "/src/app1/views.py"), fp("index", 5, "/src/app2/views.py")
    listing, index_3 = fp("listing", 20, "/src/app1/views.py"), fp("index", 5, "/src/app3/v.py")
    pairs = match_functions([index_3, index_1, listing], [index_3, index_2, listing])
    assert (index_1, None) in pairs and (None, index_2) in pairs
    # A library both checkouts use does not stop a renamed function from being found.
    library = fp("util", 1, "/usr/lib/lib/util.py")
    compute = fp("compute", 3, "/work/one/pkg/calc.py")
    calculate = fp("calculate", 3, "/work/two/pkg/calc.py")
    pairs = match_functions([library, compute], [library, calculate])
    assert (compute, calculate) in pairs
    # A class of line_profiler 5.x moved to another module keeps its __init__.
    init_a, init_b = fp("Parser.__init__", 3, "/src/a.py"), fp("Parser.__init__", 9, "/src/b.py")
    assert (init_a, init_b) in match_functions([shared, init_a], [shared, init_b])


def test_two_checkouts_pair_each_file_with_the_one_whose_path_ends_as_its_own() -> None:
    # app1/views.py and app2/views.py both define index; lines were added above app1's.
    a = [fp("index", 1, "/w/before/app1/views.py"), fp("index", 6, "/w/before/app2/views.py")]
    b = [fp("index", 11, "/w/after/app1/views.py"), fp("index", 6, "/w/after/app2/views.py")]
    assert match_functions(a, b) == [(a[0], b[0]), (a[1], b[1])]
    # Renamed in place in each: app1's rename stays in app1.
    b = [fp("main", 1, "/w/after/app1/views.py"), fp("home", 6, "/w/after/app2/views.py")]
    assert match_functions(a, b) == [(a[0], b[0]), (a[1], b[1])]
    # A run whose two views.py end alike as far as either of A's: which is which is unknown.
    b = [fp("index", 3, "/w/after/x/app/views.py"), fp("index", 8, "/w/after/y/app/views.py")]
    a = [fp("index", 1, "/w/before/z/app/views.py")]
    assert all(None in pair for pair in match_functions(a, b))


LAMBDAS = """
square = profile(lambda n: n * n)
cube = profile(lambda n: n * n * n)
square(3), cube(3)
"""


def test_functions_of_one_name_are_told_apart_by_file_then_by_first_line(tmp_path: Path) -> None:
    lambdas = profiled(tmp_path, "lambdas.py", LAMBDAS)
    diff = diff_of(lambdas, lambdas)

    titles = sorted(distinct_titles(diff.functions))

    # (Two files' functions of one name: test_two_checkouts_of_two_apps_...)
    assert titles == [f"<lambda> — {tmp_path / 'lambdas.py'}:{line}" for line in (1, 2)]


def test_a_file_paired_by_its_longest_end_leaves_the_other_to_pair_with_its_own() -> None:
    # api/views.py ends as both of B's do; v2/api/views.py as one alone: that pair first.
    files = ("api/views.py", "v2/api/views.py")
    a = [fp("index", 1, f"/w/before/{name}") for name in files]
    b = [fp("index", 1, f"/w/after/{name}") for name in files]
    assert match_functions(a, b) == [(a[0], b[0]), (a[1], b[1])]


def test_thousands_of_init_files_pair_in_linear_time() -> None:
    """A package profiled whole (``kernprof -p``) names an __init__.py per package."""
    files = [f"pkg{i // 50}/sub{i}/__init__.py" for i in range(3_000)]
    a = [fp("setup", 1, f"/w/before/{name}") for name in files]
    b = [fp("setup", 1, f"/w/after/{name}") for name in files]

    started = time.perf_counter()
    pairs = match_functions(a, b)
    elapsed = time.perf_counter() - started

    assert pairs == list(zip(a, b, strict=True))
    assert elapsed < 5  # about 0.05 s; comparing every __init__.py with every other took 30 s


def test_a_function_renamed_in_another_checkout_while_lines_above_it_were_added_is_found() -> None:
    # As kernprof records a script run by its absolute path: the two checkouts share no file.
    a = [
        fpl("first", 1, [2], "/w/before/app.py"),
        fpl("old_name", 5, [6, 7], "/w/before/app.py"),
        fpl("last", 12, [13], "/w/before/app.py"),
    ]
    b = [
        fpl("first", 3, [4], "/w/after/app.py"),
        fpl("new_name", 7, [8, 9], "/w/after/app.py"),
        fpl("last", 14, [15], "/w/after/app.py"),
    ]
    assert (a[1], b[1]) in match_functions(a, b)
    # A profile recorded on a server, under another root: the same file.
    b = [fpl(f.name, f.start_line, list(f.linenos), "/srv/deploy/app.py") for f in b]
    assert (a[1], b[1]) in match_functions(a, b)


def test_two_checkouts_of_two_apps_with_a_views_py_each_diff_app_by_app(tmp_path: Path) -> None:
    diff = diff_of(*two_checkouts_of_two_apps(tmp_path))

    pairs = {(f.a.filename, f.b.filename) for f in diff.functions if f.a and f.b}
    assert {(Path(a).parent.name, Path(b).parent.name) for a, b in pairs} == {
        ("app1", "app1"),
        ("app2", "app2"),
    }
    for function in diff.functions:  # each beside its own code, line for line
        lines = function.alignment[0]
        assert [line.kind for line in lines] == [SAME] * len(lines)
    # The text's table of functions tells the two apart by their files.
    table = diff_exporter_for("text").head(diff).splitlines()
    files = sorted(row.split("index — ")[1] for row in table[-2:])
    assert files == [str(tmp_path / "after" / app / "views.py") for app in ("app1", "app2")]


def test_methods_of_two_qualified_runs_pair_by_their_classes_not_their_short_names() -> None:
    kept, deleted, added = fp("Foo.save", 10), fp("Bar.save", 50), fp("New.save", 200)
    assert match_functions([kept, deleted], [kept, added]) == [
        (kept, kept),
        (deleted, None),
        (None, added),
    ]
    key_a, key_b = fp("process.<locals>.key", 12), fp("report.<locals>.key", 80)
    assert all(None in pair for pair in match_functions([key_a], [key_b]))
    # A class renamed in place: its methods are renamed in place.
    bar, baz = fp("Bar.save", 10), fp("Baz.save", 10)
    assert match_functions([kept, bar], [kept, baz]) == [(kept, kept), (bar, baz)]


def test_a_new_function_written_where_a_deleted_one_was_is_not_taken_for_it() -> None:
    deleted = FunctionProfile(("/src/app.py", 5, "legacy_cleanup"), [(7, 1, 10), (8, 1, 10)], 1e-9)
    written = FunctionProfile(("/src/app.py", 5, "validate"), [(7, 1, 900)], 1e-9)
    pairs = match_functions([deleted], [written])
    assert sorted(pairs, key=lambda pair: pair[0] is None) == [(deleted, None), (None, written)]


def test_runs_of_files_with_one_name_are_told_apart_by_their_folders() -> None:
    assert side_names("a.lprof", "b.lprof") == ("a.lprof", "b.lprof")
    before, after = Path("/w/before/app"), Path("/w/after/app")
    assert side_names("x.lprof", "x.lprof", (before, after)) == (
        str(Path("before/app/x.lprof")),
        str(Path("after/app/x.lprof")),
    )
    assert side_names("job.py 04:48:52", "job.py 04:48:52", ordered=True) == (
        "job.py 04:48:52 (earlier)",
        "job.py 04:48:52 (later)",
    )
    assert side_names("x.lprof", "x.lprof") == ("x.lprof (A)", "x.lprof (B)")


def test_namesakes_pair_in_their_order_when_both_runs_have_as_many() -> None:
    # 5.x's A.run and B.run against 4.x's two unqualified `run`, moved down since.
    a = [fp("B.run", 20), fp("A.run", 10)]
    b = [fp("run", 60), fp("run", 50)]
    pairs = {(x.start_line, y.start_line) for x, y in match_functions(a, b) if x and y}
    assert pairs == {(10, 50), (20, 60)}


MOVED_METHODS = """\
class A:
    @profile
    def run(self, n):
        return sum(range(n))


class B:
    @profile
    def run(self, n):
        t = 0
        for i in range(n):
            t += i * i
        return t


A().run(1000)
B().run(1000)
"""


def test_line_profiler_4_methods_of_one_name_are_matched_after_the_code_moved(
    tmp_path: Path,
) -> None:
    script, profiles = tmp_path / "app.py", []
    for version, text in (("old", MOVED_METHODS), ("new", "import os\n" * 6 + MOVED_METHODS)):
        script.write_text(text)  # edited in place: lines inserted above both classes
        recorded = tmp_path / f"{version}.lprof"
        run_kernprof(script, recorded)
        profiles.append(as_line_profiler_4(recorded, tmp_path / f"{version}-4x.lprof"))

    diff = ProfileDiff(*(ProfileAnnotator(load_profiles([p])) for p in profiles))

    pairs = {(f.a.start_line, f.b.start_line) for f in diff.functions if f.a and f.b}
    assert {f.name for f in diff.functions} == {"run"} and len(diff.functions) == 2
    assert pairs == {(2, 8), (8, 14)}  # A's with A's, B's with B's


def fpl(name: str, start: int, timed: list[int], filename: str = "/src/app.py") -> FunctionProfile:
    """A function with the given timed lines, for matching tests."""
    return FunctionProfile((filename, start, name), [(n, 1, 10) for n in timed], 1e-9)


def test_a_function_renamed_while_lines_above_it_were_added_is_found() -> None:
    # Three lines added to `first`; `old_name` renamed below it, `last` after.
    a = [fpl("first", 1, [2, 3]), fpl("old_name", 10, [11, 12, 13]), fpl("last", 20, [21])]
    b = [fpl("first", 1, [2, 3, 4, 5, 6]), fpl("new_name", 13, [14, 15, 16]), fpl("last", 23, [24])]
    assert (a[1], b[1]) in match_functions(a, b)
    # The last of its file: moved as the function above it moved (lines added at the top).
    a = [fpl("first", 1, [2]), fpl("old_name", 10, [11, 12])]
    b = [fpl("first", 4, [5]), fpl("new_name", 13, [14, 15])]
    assert (a[1], b[1]) in match_functions(a, b)
    # Two renamed between the same neighbours, a comment added above each: in their order.
    a = [fpl("top", 1, [2]), fpl("p", 4, [5]), fpl("q", 7, [8]), fpl("kept", 10, [11])]
    b = [fpl("top", 1, [2]), fpl("x", 5, [6]), fpl("y", 9, [10]), fpl("kept", 15, [16])]
    assert {(a[1], b[1]), (a[2], b[2])} <= set(match_functions(a, b))
    # Above the first function both have, several renamed: nothing tells which is which.
    pairs = match_functions(a[1:], b[1:])
    assert (a[3], b[3]) in pairs and all(None in pair for pair in pairs if pair != (a[3], b[3]))
    # Far from where its neighbours, which did not move, say it would be: two functions.
    a = [fpl("first", 1, [2]), fpl("old_helper", 10, [11]), fpl("last", 100, [101])]
    b = [fpl("first", 1, [2]), fpl("new_other", 80, [81]), fpl("last", 100, [101])]
    assert (a[1], None) in match_functions(a, b)
    # Of another shape, or one of two where the other run has one: two functions.
    a = [fpl("first", 1, [2]), fpl("old_name", 10, [11, 12]), fpl("last", 20, [21])]
    b = [fpl("first", 1, [2]), fpl("new_name", 13, [14, 16]), fpl("last", 23, [24])]
    assert (a[1], None) in match_functions(a, b)
    b[1:2] = [fpl("new_name", 13, [14, 15]), fpl("helper", 17, [18, 19])]
    assert (a[1], None) in match_functions(a, b)


def test_namesakes_of_one_shape_shifted_onto_each_others_lines_keep_their_order() -> None:
    a = [fpl("run", 10, [11]), fpl("run", 20, [21])]
    b = [fpl("run", 20, [21]), fpl("run", 30, [31])]  # ten lines inserted above both
    pairs = {(x.start_line, y.start_line) for x, y in match_functions(a, b) if x and y}
    assert pairs == {(10, 20), (20, 30)}


def test_one_namesake_at_its_line_pairs_though_it_took_another_branch() -> None:
    # A merged profile holds f twice; B once, at the same line, its hits elsewhere.
    a = [fpl("f", 10, [11]), fpl("f", 12, [13, 14])]
    b = [fpl("f", 12, [13, 15])]
    pairs = [
        (x.start_line if x else None, y.start_line if y else None) for x, y in match_functions(a, b)
    ]
    assert sorted(pairs, key=str) == sorted([(12, 12), (10, None)], key=str)


def test_a_key_shared_by_two_functions_of_a_is_not_guessed_either() -> None:
    """4.x's two unqualified ``process`` methods against the one 5.x still has."""
    a = [fp("process", 20), fp("process", 10)]
    b = [fp("Worker.process", 12)]
    pairs = match_functions(a, b)
    assert all(x is None or y is None for x, y in pairs) and len(pairs) == 3


def test_recent_alignments_are_kept_and_old_ones_let_go(django_diff: ProfileDiff) -> None:
    """The window reads a shown function's rows for free; a walk through all keeps few."""
    functions = django_diff.functions
    assert len(functions) >= 3
    first = functions[0]
    assert first.lines is first.alignment[0]  # kept: computed once
    kept = ProfileDiff(*django_diff.annotators, recent=RecentAlignments(size=2))
    rows = [function.lines for function in kept.functions]
    assert kept.functions[-1].lines is rows[-1]
    assert kept.functions[0].lines is not rows[0]  # let go, made again: equal rows
    assert kept.functions[0].lines == rows[0]


def test_a_4x_method_finds_its_5x_self_even_when_another_function_took_its_line() -> None:
    a = [fp("process", 30)]
    b = [fp("Worker.helper", 30), fp("Worker.process", 34)]  # a helper inserted above
    pairs = {(x.name if x else None, y.name if y else None) for x, y in match_functions(a, b)}
    assert pairs == {("process", "Worker.process"), (None, "Worker.helper")}


def test_two_runs_of_the_same_code_read_each_source_once(busy_lprof: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.lprof"
    shutil.copy(busy_lprof, again)

    annotator_a, annotator_b = open_pair_with_sources(busy_lprof, again, [], None)
    diff = ProfileDiff(annotator_a, annotator_b)

    for function in diff.functions:
        side_a, side_b = function.annotated
        assert side_a is not None and side_b is not None
        assert side_a.source is not None and side_a.source is side_b.source
        assert {line.kind for line in function.lines} == {SAME}
