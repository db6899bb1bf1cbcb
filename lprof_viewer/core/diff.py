"""Compare two profiles: match functions across runs, then align their lines.

Functions are matched by ``matching.match_functions``, their lines aligned
by ``align.align_lines``; the totals, changes and their wording are here.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path

from lprof_viewer.core.align import (
    AlignedRows,
    align_lines,
    time_change,
)
from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.matching import match_functions
from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.nesting import Calls, calls_between
from lprof_viewer.core.units import AUTO, TimeUnit, format_auto


def ratio(time_a: float, time_b: float) -> float | None:
    """B's time as a multiple of A's (0.5 is twice as fast); None when A took no time."""
    return time_b / time_a if time_a else None


def signed_change(unit: TimeUnit, seconds: float) -> str:
    """A change in time with its sign: '+1.20 ms', '-3.4 µs'."""
    text = unit.format(abs(seconds))
    return f"+{text}" if seconds > 0 else f"-{text}" if seconds < 0 else text


def signed_changes(unit: TimeUnit, changes: Iterable[float | None]) -> list[str]:
    """``signed_change`` of each of a column of changes, '' for None.

    In one pass, 'auto' written out: a large diff has 200,000 rows.
    """
    if not unit.is_auto:
        return ["" if change is None else signed_change(unit, change) for change in changes]
    return [
        ""
        if change is None
        else "+" + format_auto(change)
        if change > 0
        else "-" + format_auto(-change)
        if change < 0
        else format_auto(abs(change))
        for change in changes
    ]


_ARROWS = {"faster": "▼", "slower": "▲", "": ""}


def direction(seconds: float) -> str:
    """'faster' for a change below 0, 'slower' above, '' for none."""
    return "faster" if seconds < 0 else "slower" if seconds > 0 else ""


def change_arrow(seconds: float) -> str:
    """'▼' for faster, '▲' for slower, '' for no change: the direction not by colour alone."""
    return _ARROWS[direction(seconds)]


def describe_change(time_a: float, time_b: float) -> str:
    """'2.3x faster', '1.4x slower', '3% faster' for small changes, or 'same'."""
    if time_change(time_a, time_b) == 0:
        return "same"
    if time_b == 0:
        return "gone"
    if time_a == 0:
        return "new"
    change = time_b / time_a
    if 0.95 <= change <= 1.05:  # "1.0x faster" would hide the direction and size
        percent = abs(change - 1) * 100
        return f"{percent:.1f}% {'faster' if change < 1 else 'slower'}"
    if time_b < time_a:
        return f"{time_a / time_b:.1f}x faster"
    return f"{time_b / time_a:.1f}x slower"


_Aligned = tuple[
    tuple[AnnotatedFunction | None, AnnotatedFunction | None],
    tuple["AlignedRows", str, str],
]


class RecentAlignments:
    """The annotated sides and aligned lines of the functions used last, up to ``size``.

    Two large profiles hold 600,000 timed lines: keeping every function's
    rows would keep them all alive for the collector to scan again and again.
    A window looks at a few functions and an export walks through them once,
    so the most recent few are enough.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[FunctionDiff, _Aligned] = OrderedDict()
        self._lock = threading.Lock()  # a worker aligns while the window reads

    def __contains__(self, function: object) -> bool:
        with self._lock:
            return function in self._entries

    def get(self, function: FunctionDiff, compute: Callable[[], _Aligned]) -> _Aligned:
        """The function's entry, computed (and the oldest dropped) when not kept."""
        with self._lock:
            entry = self._entries.get(function)
            if entry is not None:
                self._entries.move_to_end(function)
                return entry
        entry = compute()
        with self._lock:
            entry = self._entries.setdefault(function, entry)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


class FunctionDiff:
    """One function in A and B (or only one), its totals and its aligned lines."""

    # Slots: two large profiles make 10,000 of these in one go.
    __slots__ = ("_annotators", "_recent", "a", "b", "delta", "time_a", "time_b")

    def __init__(
        self,
        a: FunctionProfile | None,
        b: FunctionProfile | None,
        annotator_a: ProfileAnnotator,
        annotator_b: ProfileAnnotator,
        recent: RecentAlignments,
    ) -> None:
        assert a is not None or b is not None
        self.a, self.b = a, b
        self._annotators = (annotator_a, annotator_b)
        self._recent = recent  # shared by all functions of a diff: one bound on what is kept
        self.time_a = a.total_time if a else 0.0
        self.time_b = b.total_time if b else 0.0
        self.delta = time_change(self.time_a, self.time_b)

    @property
    def name(self) -> str:
        """The qualified name (B's when both have one: the newer run)."""
        return (self.b or self.a).name  # type: ignore[union-attr]

    @property
    def filename(self) -> str:
        """The file as recorded (B's when both)."""
        return (self.b or self.a).filename  # type: ignore[union-attr]

    @property
    def only_in(self) -> str | None:
        """'a' or 'b' for a function found in one run only, else None."""
        return "a" if self.b is None else "b" if self.a is None else None

    @property
    def title(self) -> str:
        """The name, with '(only in A)' or '(only in B)' for a function of one run."""
        return f"{self.name} (only in {self.only_in.upper()})" if self.only_in else self.name

    @property
    def ratio(self) -> float | None:
        """B's total as a multiple of A's."""
        return ratio(self.time_a, self.time_b)

    @property
    def verdict(self) -> str:
        """'2.3x faster', 'new', 'gone', or 'not run in A' for a function one run never called."""
        if self.only_in:
            return "gone" if self.only_in == "a" else "new"
        if self.a is not None and self.b is not None:
            if self.time_a == 0 and self.time_b > 0 and not self.a.ran:
                return "not run in A"
            if self.time_b == 0 and self.time_a > 0 and not self.b.ran:
                return "not run in B"
        return describe_change(self.time_a, self.time_b)

    @property
    def hits_a(self) -> int:
        """Total hits in A."""
        return self.a.total_hits if self.a else 0

    @property
    def hits_b(self) -> int:
        """Total hits in B."""
        return self.b.total_hits if self.b else 0

    @property
    def annotated(self) -> tuple[AnnotatedFunction | None, AnnotatedFunction | None]:
        """Each side with its own source (snapshot or file) and staleness."""
        return self._recent.get(self, self._annotate_and_align)[0]

    @property
    def is_aligned(self) -> bool:
        """True when ``alignment`` was made recently: reading it costs nothing."""
        return self in self._recent

    @property
    def alignment(self) -> tuple[AlignedRows, str, str]:
        """(aligned lines, BY_SOURCE or BY_OFFSET, a note on how they were aligned)."""
        return self._recent.get(self, self._annotate_and_align)[1]

    def _annotate_and_align(self) -> _Aligned:
        annotator_a, annotator_b = self._annotators
        annotated = (
            annotator_a.annotate(self.a) if self.a else None,
            annotator_b.annotate(self.b) if self.b else None,
        )
        return annotated, align_lines(*annotated)

    @property
    def lines(self) -> AlignedRows:
        """The side-by-side rows."""
        return self.alignment[0]


def side_names(
    name_a: str, name_b: str, folders: tuple[Path, Path] | None = None, ordered: bool = False
) -> tuple[str, str]:
    """Names for runs A and B that tell them apart.

    Two ``app.py.lprof`` from different folders are named with the folder
    that differs (``before/app.py.lprof``); otherwise the same names are
    marked A and B, or earlier and later when the caller knows A ran first
    (two runs from the history, started in the same second).
    """
    if name_a != name_b:
        return name_a, name_b
    if folders is not None and folders[0] != folders[1]:
        parts_a, parts_b = folders[0].parts, folders[1].parts
        deepest = min(len(parts_a), len(parts_b))
        depth = next((k for k in range(1, deepest + 1) if parts_a[-k] != parts_b[-k]), 0)
        if depth:  # the folders up to the first one that differs, from the file up
            return str(Path(*parts_a[-depth:], name_a)), str(Path(*parts_b[-depth:], name_b))
        return str(folders[0] / name_a), str(folders[1] / name_b)
    first, second = ("earlier", "later") if ordered else ("A", "B")
    return f"{name_a} ({first})", f"{name_b} ({second})"


class ProfileDiff:
    """Run A against run B: totals, and every function's change, biggest change first."""

    def __init__(
        self,
        annotator_a: ProfileAnnotator,
        annotator_b: ProfileAnnotator,
        recent: RecentAlignments | None = None,
    ) -> None:
        self.a, self.b = annotator_a.profile, annotator_b.profile
        self.annotators = (annotator_a, annotator_b)
        self.recent = recent or RecentAlignments()
        with collector_paused():
            pairs = match_functions(self.a.functions, self.b.functions)
            self.functions = [
                FunctionDiff(fa, fb, annotator_a, annotator_b, self.recent) for fa, fb in pairs
            ]
        self.functions.sort(key=lambda d: (-abs(d.delta), d.name))

    @property
    def names(self) -> tuple[str, str]:
        """What runs A and B are called in titles: their files, told apart.

        Two kept runs are called by their scripts and times, as the window calls them.
        """
        annotator_a, annotator_b = self.annotators
        if annotator_a.run_title and annotator_b.run_title:
            started = (annotator_a.run_started_at or 0, annotator_b.run_started_at or 0)
            titles = (annotator_a.run_title, annotator_b.run_title)
            # One run against itself is A and B, not earlier and later.
            return side_names(*titles, ordered=started[0] < started[1])
        a, b = self.a, self.b
        single = len(a.paths) == len(b.paths) == 1
        folders = (a.paths[0].parent, b.paths[0].parent) if single else None
        return side_names(a.name, b.name, folders)

    @property
    def total_a(self) -> float:
        """Seconds in all profiled functions of A."""
        return self.a.total_time

    @property
    def total_b(self) -> float:
        """Seconds in all profiled functions of B."""
        return self.b.total_time

    @property
    def delta(self) -> float:
        """B minus A, in seconds."""
        return time_change(self.total_a, self.total_b)

    def summary(self, unit: TimeUnit = AUTO) -> str:
        """``summary_lines`` as one text, a line each."""
        return "\n".join(line for line in self.summary_lines(unit) if line)

    def summary_lines(self, unit: TimeUnit = AUTO) -> tuple[str, str]:
        """('Total 1.20 s → 520.0 ms (-680.0 ms, 2.3x faster)', a note), times in ``unit``.

        The note is '' unless profiled functions run inside others
        (``nesting``): their time is then counted twice in the totals, and
        the note says which and compares the outermost functions alone.
        """

        def written(seconds: float, signed: bool = False) -> str:  # a zero too says it is seconds
            text = signed_change(unit, seconds) if signed else unit.format(seconds)
            return unit.labelled(text) if text != "0" else "0 s"

        def compared(time_a: float, time_b: float) -> str:
            return (
                f"{written(time_a)} → {written(time_b)} "
                f"({written(time_change(time_a, time_b), True)}, "
                f"{describe_change(time_a, time_b)})"
            )

        headline = f"Total {compared(self.total_a, self.total_b)}"
        calls = self.nesting
        if not calls:
            return headline, ""
        # Each run's own: a function called in one run may be outermost in the other.
        called = {id(callee) for _, callee in calls}
        outer_a = [f.total_time for f in self.a.functions if id(f) not in called]
        outer_b = [f.total_time for f in self.b.functions if id(f) not in called]
        if not outer_a or not outer_b:
            return headline, ""  # every function of one run is called by another
        callers = _listed(_names(caller for caller, _ in calls))
        callees = _names(callee for _, callee in calls)
        verb, their = ("runs", "its") if len(callees) == 1 else ("run", "their")
        outer_a_total, outer_b_total = sum(outer_a), sum(outer_b)
        return headline, (
            f"{_listed(callees)} {verb} inside {callers}, so {their} time counts twice; "
            f"the outermost functions alone: {compared(outer_a_total, outer_b_total)}."
        )

    @cached_property
    def nesting(self) -> Calls:
        """(caller, callee) pairs of profiled functions of A and of B (``calls_between``).

        Empty unless both runs' calls were all read: the outermost functions
        of one run against all of the other's would compare unlike things.
        """
        found = [
            calls_between(annotator.profile.functions, annotator.annotate)
            for annotator in self.annotators
        ]
        if found[0] is None or found[1] is None:
            return []
        return found[0] + found[1]


def total_hits_text(function: FunctionProfile | None) -> str:
    """A function's hits, '1,234'; blank for a run without it, as its time is."""
    return f"{function.total_hits:,}" if function else ""


def distinct_titles(functions: Sequence[FunctionDiff]) -> list[str]:
    """Each function's title, with its file where another of ``functions`` has its name.

    Two apps' ``index`` views would otherwise read as one function listed twice;
    two lambdas of one file are told apart by their first lines (B's, else A's).
    """
    names = Counter(function.name for function in functions)
    places = Counter((function.name, function.filename) for function in functions)
    return [
        function.title
        if names[function.name] == 1
        else f"{function.title} — {function.filename}"
        if places[function.name, function.filename] == 1
        else f"{function.title} — {function.filename}:{_first_line(function)}"
        for function in functions
    ]


def _first_line(function: FunctionDiff) -> int:
    """The function's first line in B, else in A."""
    side = function.b or function.a
    return side.start_line if side else 0


def _names(functions: Iterable[FunctionProfile]) -> list[str]:
    """Each function's qualified name once; line_profiler 4.x's bare ``run`` joins ``A.run``."""
    names = list(dict.fromkeys(function.name for function in functions))
    qualified = {name.rpartition(".")[2] for name in names if "." in name}
    return [name for name in names if "." in name or name not in qualified]


def _listed(names: Iterable[str], most: int = 3) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 2 more'."""
    names = list(names)
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
