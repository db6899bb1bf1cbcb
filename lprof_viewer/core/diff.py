"""Compare two profiles: match functions across runs and align their lines by code.

Functions are matched by ``matching.match_functions``. Lines are aligned by a
sequence diff of each run's own source, so a line inserted above does not
shift every comparison; without trustworthy source on one side, lines are
aligned by their offset from the function's first line.
"""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import NamedTuple, overload

from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.matching import match_functions
from lprof_viewer.core.model import FunctionProfile, LineStat
from lprof_viewer.core.nesting import Calls, calls_between
from lprof_viewer.core.units import AUTO, TimeUnit

SAME, CHANGED, INSERTED, REMOVED = "same", "changed", "inserted", "removed"
BY_SOURCE, BY_OFFSET = "source", "offset"


class AlignedLine(NamedTuple):
    """One row of the side-by-side view: a line of A, of B, or both.

    A named tuple rather than a dataclass: two large profiles make hundreds of
    thousands of rows, and a tuple is made several times faster.
    """

    line_a: int | None
    line_b: int | None
    text_a: str
    text_b: str
    stat_a: LineStat | None
    stat_b: LineStat | None
    kind: str
    """SAME, CHANGED, INSERTED (only in B) or REMOVED (only in A)."""

    @property
    def time_a(self) -> float:
        """Seconds on this line in A (0 when not timed)."""
        return self.stat_a.time if self.stat_a else 0.0

    @property
    def time_b(self) -> float:
        """Seconds on this line in B (0 when not timed)."""
        return self.stat_b.time if self.stat_b else 0.0

    @property
    def delta(self) -> float:
        """B minus A, in seconds: negative is faster."""
        return time_change(self.time_a, self.time_b)


class AlignedRows(Sequence[AlignedLine]):
    """The rows of one function's side-by-side view, kept as columns.

    Deciding which line pairs with which is the alignment; the row tuples
    (with each side's line stats) are made when first read, so walking
    through 10,000 functions to compare or count them stays cheap, and an
    export can read the columns without making rows at all.
    """

    def __init__(
        self,
        a: AnnotatedFunction | None,
        b: AnnotatedFunction | None,
        line_a: Sequence[int | None],
        line_b: Sequence[int | None],
        text_a: Sequence[str],
        text_b: Sequence[str],
        kinds: Sequence[str],
    ) -> None:
        self.a, self.b = a, b
        self.line_a, self.line_b = line_a, line_b
        self.text_a, self.text_b = text_a, text_b
        self.kinds = kinds

    def stats_a(self) -> list[LineStat | None]:
        """A's line stats of each row (None where A has no timed line)."""
        return _stats_of(self.a, self.line_a)

    def stats_b(self) -> list[LineStat | None]:
        """B's line stats of each row."""
        return _stats_of(self.b, self.line_b)

    @cached_property
    def hottest(self) -> float:
        """Seconds on the hottest line of either side: both panes' heat is scaled to it."""
        return max([max(line.time_a, line.time_b) for line in self], default=0.0)

    @cached_property
    def _rows(self) -> list[AlignedLine]:
        columns = zip(
            self.line_a,
            self.line_b,
            self.text_a,
            self.text_b,
            self.stats_a(),
            self.stats_b(),
            self.kinds,
            strict=True,
        )
        return list(map(tuple.__new__, repeat(AlignedLine), columns))

    def __len__(self) -> int:
        return len(self.kinds)

    @overload
    def __getitem__(self, index: int) -> AlignedLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[AlignedLine]: ...
    def __getitem__(self, index: int | slice) -> AlignedLine | list[AlignedLine]:
        return self._rows[index]

    def __iter__(self) -> Iterator[AlignedLine]:
        return iter(self._rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AlignedRows):
            other = other._rows
        return self._rows == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, like a list


#: The rows of no function (nothing selected).
NO_ROWS = AlignedRows(None, None, [], [], [], [], [])


def _stats_of(
    side: AnnotatedFunction | None, numbers: Sequence[int | None]
) -> list[LineStat | None]:
    if side is None:
        return [None] * len(numbers)
    return list(map(side.stats.get, numbers))  # type: ignore[arg-type]  # None is never a key


def ratio(time_a: float, time_b: float) -> float | None:
    """B's time as a multiple of A's (0.5 is twice as fast); None when A took no time."""
    return time_b / time_a if time_a else None


#: Two times closer than this share of the larger are one: rescaling a timer unit
#: or adding times up in another order changes the last bits of a float.
SAME_TIME = 1e-9


def time_change(time_a: float, time_b: float) -> float:
    """B minus A in seconds; 0.0 when the two differ only by rounding (``SAME_TIME``)."""
    change = time_b - time_a
    return 0.0 if abs(change) <= SAME_TIME * max(abs(time_a), abs(time_b)) else change


def signed_change(unit: TimeUnit, seconds: float) -> str:
    """A change in time with its sign: '+1.20 ms', '-3.4 µs'."""
    text = unit.format(abs(seconds))
    return f"+{text}" if seconds > 0 else f"-{text}" if seconds < 0 else text


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
    def sources_read(self) -> bool:
        """True when ``alignment`` reads no disk: made recently, or both files already read."""
        if self in self._recent:
            return True
        sides = zip((self.a, self.b), self._annotators, strict=True)
        return all(f is None or annotator.has_read_file_of(f) for f, annotator in sides)

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


def _trusted(annotated: AnnotatedFunction | None) -> bool:
    return annotated is not None and annotated.shows_source


def align_lines(
    a: AnnotatedFunction | None, b: AnnotatedFunction | None
) -> tuple[AlignedRows, str, str]:
    """Align two versions of a function by content, or by offset when source is missing."""
    if a is None or b is None:
        side = a or b
        assert side is not None
        numbers = side.line_numbers
        texts = side.texts()
        nothing = [None] * len(numbers)
        blank = [""] * len(numbers)
        kinds = [REMOVED if a else INSERTED] * len(numbers)
        if a:
            rows = AlignedRows(a, None, numbers, nothing, texts, blank, kinds)
        else:
            rows = AlignedRows(None, b, nothing, numbers, blank, texts, kinds)
        return rows, BY_SOURCE, f"Only in run {'A' if a else 'B'}."
    if _trusted(a) and _trusted(b):
        return _align_by_content(a, b), BY_SOURCE, _changed_since(a, b)
    missing = [name for name, side in (("A", a), ("B", b)) if not _trusted(side)]
    why = " and ".join(missing)
    note = (
        f"No trustworthy source for {'runs' if len(missing) == 2 else 'run'} {why}: lines are "
        "aligned by their offset from the "
        "function's first line."
    )
    return _align_by_offset(a, b), BY_OFFSET, note


def _changed_since(a: AnnotatedFunction, b: AnnotatedFunction) -> str:
    """A warning for a side whose file changed after its run, as the profile tab gives it."""
    warnings = [
        f"Run {name}'s code may have changed since it ran: {side.staleness.reason}"
        for name, side in (("A", a), ("B", b))
        if side.staleness is not None
    ]
    return " ".join(warnings)


def _align_by_content(a: AnnotatedFunction, b: AnnotatedFunction) -> AlignedRows:
    numbers_a, numbers_b = a.line_numbers, b.line_numbers
    texts_a, texts_b = a.texts(), b.texts()
    if texts_a == texts_b:  # unchanged code: the common case, no diff needed
        return AlignedRows(a, b, numbers_a, numbers_b, texts_a, texts_b, [SAME] * len(texts_a))
    # An edit touches a few lines: the lines equal at both ends pair without a diff.
    head = _common_head(texts_a, texts_b)
    tail = _common_head(texts_a[head:][::-1], texts_b[head:][::-1])
    end_a, end_b = len(texts_a) - tail, len(texts_b) - tail
    pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(head)]
    kinds: list[str] = [SAME] * head
    for tag, i1, i2, j1, j2 in _edits(texts_a[head:end_a], texts_b[head:end_b]):
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":  # equal once stripped: a re-indented line still changed
            kinds += [
                SAME if texts_a[i] == texts_b[j1 + i - i1] else CHANGED for i in range(i1, i2)
            ]
            pairs += [(i, j1 + i - i1) for i in range(i1, i2)]
        else:
            block_pairs, block_kinds = _pair_block(texts_a, texts_b, i1, i2, j1, j2)
            pairs += block_pairs
            kinds += block_kinds
    pairs += [(end_a + k, end_b + k) for k in range(tail)]
    kinds += [SAME] * tail
    return AlignedRows(
        a,
        b,
        [numbers_a[i] if i is not None else None for i, _ in pairs],
        [numbers_b[j] if j is not None else None for _, j in pairs],
        [texts_a[i] if i is not None else "" for i, _ in pairs],
        [texts_b[j] if j is not None else "" for _, j in pairs],
        kinds,
    )


def _common_head(texts_a: Sequence[str], texts_b: Sequence[str]) -> int:
    """How many leading lines the two have in common."""
    shorter = min(len(texts_a), len(texts_b))
    return next((i for i in range(shorter) if texts_a[i] != texts_b[i]), shorter)


def _edits(
    texts_a: Sequence[str], texts_b: Sequence[str]
) -> Sequence[tuple[str, int, int, int, int]]:
    """``SequenceMatcher`` opcodes of two runs of lines, compared without their indentation."""
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in texts_a], [t.strip() for t in texts_b], autojunk=False
    )
    return matcher.get_opcodes()


def _pair_block(
    texts_a: Sequence[str], texts_b: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Rows for a replaced, inserted or deleted block of lines.

    Lines much alike (a line edited in place) pair as changed, the most
    alike first, as ``difflib.ndiff`` pairs them, so a line inserted above an
    edited one does not take its place. Between them, lines pair by position
    as a code review tool sets them side by side (a loop header rewritten).
    """
    return _pair_around_alike(_alike_lines(texts_a, texts_b, i1, i2, j1, j2), i1, i2, j1, j2)


#: How alike two lines must be (``SequenceMatcher.ratio``) to be one line edited,
#: as ``difflib.ndiff`` has it.
ALIKE = 0.75
#: Blocks with more pairs of lines than this are paired by position: a rewrite,
#: where comparing every line with every other costs much and tells little. A
#: window may align on its GUI thread: 500 pairs of lines much alike (lines
#: inserted above lines edited) take about 40 ms, 1,000 pairs of long lines all
#: alike (a variable renamed throughout) about 0.2 s, the worst case.
MAX_COMPARED_PAIRS = 1_000


def _alike_lines(
    texts_a: Sequence[str], texts_b: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> dict[tuple[int, int], float]:
    """The pairs of lines of the block at least ``ALIKE`` alike, with their ratios."""
    if i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) > MAX_COMPARED_PAIRS:
        return {}
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    alike = {}
    for j in range(j1, j2):
        matcher.set_seq2(texts_b[j].strip())
        for i in range(i1, i2):
            matcher.set_seq1(texts_a[i].strip())
            if matcher.real_quick_ratio() >= ALIKE and matcher.quick_ratio() >= ALIKE:
                ratio = matcher.ratio()
                if ratio >= ALIKE:
                    alike[i, j] = ratio
    return alike


def _pair_around_alike(
    alike: dict[tuple[int, int], float], i1: int, i2: int, j1: int, j2: int
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Pair the most alike lines inside the block, then the parts above and below them."""
    inside = [pair for pair in alike if i1 <= pair[0] < i2 and j1 <= pair[1] < j2]
    if not inside:
        return _pair_by_position(i1, i2, j1, j2)
    # The most alike; of equals, the first in B, then in A.
    i, j = max(inside, key=lambda pair: (alike[pair], -pair[1], -pair[0]))
    above_pairs, above_kinds = _pair_around_alike(alike, i1, i, j1, j)
    below_pairs, below_kinds = _pair_around_alike(alike, i + 1, i2, j + 1, j2)
    return [*above_pairs, (i, j), *below_pairs], [*above_kinds, CHANGED, *below_kinds]


def _pair_by_position(
    i1: int, i2: int, j1: int, j2: int
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Changed pairs in order (a statement rewritten), then the longer side's extra lines."""
    common = min(i2 - i1, j2 - j1)
    pairs: list[tuple[int | None, int | None]] = [(i1 + k, j1 + k) for k in range(common)]
    kinds = [CHANGED] * common
    pairs += [(i, None) for i in range(i1 + common, i2)]
    kinds += [REMOVED] * (i2 - i1 - common)
    pairs += [(None, j) for j in range(j1 + common, j2)]
    kinds += [INSERTED] * (j2 - j1 - common)
    return pairs, kinds


def _align_by_offset(a: AnnotatedFunction, b: AnnotatedFunction) -> AlignedRows:
    start_a, start_b = a.function.start_line, b.function.start_line
    shown_a, shown_b = set(a.line_numbers), set(b.line_numbers)
    offsets = sorted({n - start_a for n in shown_a} | {n - start_b for n in shown_b})
    line_a = [start_a + o if start_a + o in shown_a else None for o in offsets]
    line_b = [start_b + o if start_b + o in shown_b else None for o in offsets]
    kinds = [
        SAME if na is not None and nb is not None else REMOVED if na is not None else INSERTED
        for na, nb in zip(line_a, line_b, strict=True)
    ]
    text_a = ["" if n is None else a.text(n) for n in line_a]
    text_b = ["" if n is None else b.text(n) for n in line_b]
    return AlignedRows(a, b, line_a, line_b, text_a, text_b, kinds)


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
        """What runs A and B are called in titles: their files, told apart."""
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
        # A function called in either run is left out of both: the same functions on each side.
        called = {id(callee) for _, callee in calls}
        outer = [f for f in self.functions if id(f.a) not in called and id(f.b) not in called]
        if not any(f.a for f in outer) or not any(f.b for f in outer):
            return headline, ""  # no outermost function on one side: nothing to compare
        callers = _listed(_names(caller for caller, _ in calls))
        callees = _names(callee for _, callee in calls)
        verb, their = ("runs", "its") if len(callees) == 1 else ("run", "their")
        outer_a, outer_b = sum(f.time_a for f in outer), sum(f.time_b for f in outer)
        return headline, (
            f"{_listed(callees)} {verb} inside {callers}, so {their} time counts twice; "
            f"the outermost functions alone: {compared(outer_a, outer_b)}."
        )

    @cached_property
    def nesting(self) -> Calls:
        """(caller, callee) pairs of profiled functions of A and of B (``calls_between``).

        Empty unless both runs were read (a profile of too many functions is
        not): the outermost functions of one run alone against all of the
        other's would compare unlike things.
        """
        found = [
            calls_between(annotator.profile.functions, annotator.annotate)
            for annotator in self.annotators
        ]
        if found[0] is None or found[1] is None:
            return []
        return found[0] + found[1]


def _names(functions: Iterable[FunctionProfile]) -> list[str]:
    """One name per function of either run: the qualified one where a run records it."""
    found: dict[str, str] = {}
    for function in functions:
        found[function.short_name] = max(found.get(function.short_name, ""), function.name, key=len)
    return list(found.values())


def _listed(names: Iterable[str], most: int = 3) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 2 more'."""
    names = list(names)
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
