"""Compare two profiles: match functions across runs and align their lines by code.

Functions are matched by file and qualified name, falling back to file plus
first line and to the unqualified name (line_profiler 4.x records
``interest_path`` where 5.x records ``User.interest_path``; files move).
Lines are aligned by a sequence diff of each run's own source, so a line
inserted above does not shift every comparison; without trustworthy source on
one side, lines are aligned by their offset from the function's first line.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache
from pathlib import PurePath
from typing import NamedTuple

from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.model import FunctionProfile, LineStat

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
        return self.time_b - self.time_a


def ratio(time_a: float, time_b: float) -> float | None:
    """B's time as a multiple of A's (0.5 is twice as fast); None when A took no time."""
    return time_b / time_a if time_a else None


def describe_change(time_a: float, time_b: float) -> str:
    """'2.3x faster', '1.4x slower', '3% faster' for small changes, or 'same'."""
    if time_a == time_b:
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


class FunctionDiff:
    """One function in A and B (or only one), its totals and its aligned lines."""

    def __init__(
        self,
        a: FunctionProfile | None,
        b: FunctionProfile | None,
        annotator_a: ProfileAnnotator,
        annotator_b: ProfileAnnotator,
    ) -> None:
        assert a is not None or b is not None
        self.a, self.b = a, b
        self._annotators = (annotator_a, annotator_b)
        self.time_a = a.total_time if a else 0.0
        self.time_b = b.total_time if b else 0.0
        self.delta = self.time_b - self.time_a

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
    def ratio(self) -> float | None:
        """B's total as a multiple of A's."""
        return ratio(self.time_a, self.time_b)

    @property
    def hits_a(self) -> int:
        """Total hits in A."""
        return self.a.total_hits if self.a else 0

    @property
    def hits_b(self) -> int:
        """Total hits in B."""
        return self.b.total_hits if self.b else 0

    @cached_property
    def annotated(self) -> tuple[AnnotatedFunction | None, AnnotatedFunction | None]:
        """Each side with its own source (snapshot or file) and staleness."""
        annotator_a, annotator_b = self._annotators
        return (
            annotator_a.annotate(self.a) if self.a else None,
            annotator_b.annotate(self.b) if self.b else None,
        )

    @cached_property
    def alignment(self) -> tuple[list[AlignedLine], str, str]:
        """(aligned lines, BY_SOURCE or BY_OFFSET, a note on how they were aligned)."""
        return align_lines(*self.annotated)

    @property
    def lines(self) -> list[AlignedLine]:
        """The side-by-side rows."""
        return self.alignment[0]


def _trusted(annotated: AnnotatedFunction | None) -> bool:
    return annotated is not None and annotated.shows_source


def align_lines(
    a: AnnotatedFunction | None, b: AnnotatedFunction | None
) -> tuple[list[AlignedLine], str, str]:
    """Align two versions of a function by content, or by offset when source is missing."""
    if a is None or b is None:
        side = a or b
        assert side is not None
        rows = [
            AlignedLine(
                n if a else None,
                n if b else None,
                side.text(n) if a else "",
                side.text(n) if b else "",
                side.stats.get(n) if a else None,
                side.stats.get(n) if b else None,
                REMOVED if a else INSERTED,
            )
            for n in side.line_numbers
        ]
        return rows, BY_SOURCE, f"Only in run {'A' if a else 'B'}."
    if _trusted(a) and _trusted(b):
        return _align_by_content(a, b), BY_SOURCE, ""
    missing = [name for name, side in (("A", a), ("B", b)) if not _trusted(side)]
    why = " and ".join(missing)
    note = (
        f"No trustworthy source for run {why}: lines are aligned by their offset from the "
        "function's first line."
    )
    return _align_by_offset(a, b), BY_OFFSET, note


def _texts(side: AnnotatedFunction) -> list[str]:
    """``side.text(n)`` for each of its line numbers, in one slice of the source."""
    numbers, source = side.line_numbers, side.source
    if source is None or not side.shows_source or not isinstance(numbers, range):
        return [side.text(n) for n in numbers]
    if numbers.start < 1:
        return [side.text(n) for n in numbers]
    texts = list(source.lines[numbers.start - 1 : numbers.stop - 1])
    texts += [""] * (len(numbers) - len(texts))  # numbers past the end of the file
    return texts


def _align_by_content(a: AnnotatedFunction, b: AnnotatedFunction) -> list[AlignedLine]:
    numbers_a, numbers_b = list(a.line_numbers), list(b.line_numbers)
    texts_a, texts_b = _texts(a), _texts(b)
    stats_a, stats_b = a.stats, b.stats
    if texts_a == texts_b:  # unchanged code: the common case, no diff needed
        columns = zip(
            numbers_a,
            numbers_b,
            texts_a,
            texts_b,
            map(stats_a.get, numbers_a),
            map(stats_b.get, numbers_b),
            [SAME] * len(numbers_a),
            strict=True,
        )
        return list(map(AlignedLine._make, columns))
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in texts_a], [t.strip() for t in texts_b], autojunk=False
    )
    rows: list[AlignedLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs: list[tuple[int | None, int | None]]
        if tag == "equal":  # equal once stripped: a re-indented line still changed
            kinds = [SAME if texts_a[i] == texts_b[j1 + i - i1] else CHANGED for i in range(i1, i2)]
            pairs = [(i, j1 + i - i1) for i in range(i1, i2)]
        else:
            pairs, kinds = _pair_block(i1, i2, j1, j2)
        for (i, j), kind in zip(pairs, kinds, strict=True):
            na = numbers_a[i] if i is not None else None
            nb = numbers_b[j] if j is not None else None
            rows.append(
                AlignedLine(
                    na,
                    nb,
                    texts_a[i] if i is not None else "",
                    texts_b[j] if j is not None else "",
                    stats_a.get(na) if na is not None else None,
                    stats_b.get(nb) if nb is not None else None,
                    kind,
                )
            )
    return rows


def _pair_block(
    i1: int, i2: int, j1: int, j2: int
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Rows for a replaced/inserted/deleted block: changed pairs, then the extra lines."""
    common = min(i2 - i1, j2 - j1)
    pairs: list[tuple[int | None, int | None]] = [(i1 + k, j1 + k) for k in range(common)]
    kinds = [CHANGED] * common
    pairs += [(i, None) for i in range(i1 + common, i2)]
    kinds += [REMOVED] * (i2 - i1 - common)
    pairs += [(None, j) for j in range(j1 + common, j2)]
    kinds += [INSERTED] * (j2 - j1 - common)
    return pairs, kinds


def _align_by_offset(a: AnnotatedFunction, b: AnnotatedFunction) -> list[AlignedLine]:
    start_a, start_b = a.function.start_line, b.function.start_line
    offsets = sorted({n - start_a for n in a.line_numbers} | {n - start_b for n in b.line_numbers})
    rows = []
    for offset in offsets:
        na, nb = start_a + offset, start_b + offset
        in_a, in_b = na in a.line_numbers, nb in b.line_numbers
        rows.append(
            AlignedLine(
                na if in_a else None,
                nb if in_b else None,
                a.text(na) if in_a else "",
                b.text(nb) if in_b else "",
                a.stats.get(na),
                b.stats.get(nb),
                SAME if in_a and in_b else REMOVED if in_a else INSERTED,
            )
        )
    return rows


@lru_cache(maxsize=4096)  # a profile names a few files, for thousands of functions
def _file_key(filename: str) -> str:
    return os.path.normcase(os.path.normpath(filename))


@lru_cache(maxsize=4096)
def _base(filename: str) -> str:
    return PurePath(filename.replace("\\", "/")).name


def match_functions(
    functions_a: Iterable[FunctionProfile], functions_b: Iterable[FunctionProfile]
) -> list[tuple[FunctionProfile | None, FunctionProfile | None]]:
    """Pairs of the same function in A and B; a function found in one run only pairs with None."""
    left = list(functions_a)
    unmatched_b = {id(f): f for f in functions_b}
    pairs: list[tuple[FunctionProfile | None, FunctionProfile | None]] = []
    for key_of in _MATCH_KEYS:
        index: dict[object, list[FunctionProfile]] = defaultdict(list)
        for function in unmatched_b.values():
            index[key_of(function)].append(function)
        keys = [key_of(function) for function in left]
        in_a = Counter(keys)
        still_left = []
        for function, key in zip(left, keys, strict=True):
            candidates = index.get(key, [])
            # Only an unambiguous match counts: one function with this key on each side.
            if len(candidates) == 1 and in_a[key] == 1:
                match = candidates.pop()
                del unmatched_b[id(match)]
                pairs.append((function, match))
            else:
                still_left.append(function)
        left = still_left
    pairs.extend((function, None) for function in left)
    pairs.extend((None, function) for function in unmatched_b.values())
    return pairs


#: How a function of A finds itself in B, most certain first.
_MATCH_KEYS: tuple[Callable[[FunctionProfile], object], ...] = (
    lambda f: (_file_key(f.filename), f.name, f.start_line),  # the very same
    lambda f: (_file_key(f.filename), f.name),  # moved within its file
    lambda f: (_file_key(f.filename), f.short_name),  # 4.x `name` vs 5.x `Class.name`
    lambda f: (_file_key(f.filename), f.start_line),  # renamed in place
    lambda f: (_base(f.filename), f.name),  # the file moved
    lambda f: (_base(f.filename), f.short_name),
)


class ProfileDiff:
    """Run A against run B: totals, and every function's change, biggest change first."""

    def __init__(self, annotator_a: ProfileAnnotator, annotator_b: ProfileAnnotator) -> None:
        self.a, self.b = annotator_a.profile, annotator_b.profile
        self.annotators = (annotator_a, annotator_b)
        with collector_paused():
            pairs = match_functions(self.a.functions, self.b.functions)
            self.functions = [FunctionDiff(fa, fb, annotator_a, annotator_b) for fa, fb in pairs]
        self.functions.sort(key=lambda d: (-abs(d.delta), d.name))

    def align_all(self) -> None:
        """Align every function's lines now, as an export of the whole diff needs them."""
        with collector_paused():
            for function in self.functions:
                function.alignment  # noqa: B018 - computed and cached

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
        return self.total_b - self.total_a

    def summary(self) -> str:
        """'Total 1.20 s → 0.52 s (-0.68 s, 2.3x faster)'."""
        sign = "+" if self.delta >= 0 else "-"
        return (
            f"Total {self.total_a:.4g} s → {self.total_b:.4g} s "
            f"({sign}{abs(self.delta):.3g} s, {describe_change(self.total_a, self.total_b)})"
        )
