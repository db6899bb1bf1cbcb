"""Align two versions of a function line by line: by their code, or by offset.

Lines are aligned by a sequence diff of each run's own source, so a line
inserted above does not shift every comparison; lines edited in place pair
with their old selves. Without trustworthy source on one side, lines are
aligned by their offset from the function's first line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Container, Iterator, Sequence
from functools import cached_property
from itertools import chain, repeat
from typing import Any, NamedTuple, overload

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.model import LineStat

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
        self._columns: dict[tuple[str, str], list[Any]] = {}

    def stats_a(self) -> list[LineStat | None]:
        """A's line stats of each row (None where A has no timed line)."""
        return _stats_of(self.a, self.line_a)

    def stats_b(self) -> list[LineStat | None]:
        """B's line stats of each row."""
        return _stats_of(self.b, self.line_b)

    # Columns straight from each side's function (its line numbers, hits and ticks),
    # without a line stat per row: exports of two large profiles read 200,000 rows.
    def ticks(self, side: str) -> list[int | float | None]:
        """Each row's timer ticks on side 'a' or 'b' (None where it times no line)."""
        return self._column(side, "ticks")

    def hits(self, side: str) -> list[int | None]:
        """Each row's hits on side 'a' or 'b' (None where it times no line)."""
        return self._column(side, "hits")

    def seconds(self, side: str) -> list[float | None]:
        """Each row's seconds on side 'a' or 'b', as ``LineStat.time`` computes them."""
        if (side, "seconds") not in self._columns:
            annotated = self.a if side == "a" else self.b
            unit = annotated.function.unit if annotated else 0.0
            self._columns[side, "seconds"] = [
                None if t is None else t * unit for t in self.ticks(side)
            ]
        return self._columns[side, "seconds"]

    def changes(self) -> list[float | None]:
        """Each row's ``AlignedLine.delta`` (None on a row neither side times)."""
        return [
            None
            if a is None and b is None
            else time_change(0.0 if a is None else a, 0.0 if b is None else b)
            for a, b in zip(self.seconds("a"), self.seconds("b"), strict=True)
        ]

    @cached_property
    def hottest(self) -> float:
        """Seconds on the hottest line of either side: both panes' heat is scaled to it."""
        seconds = chain(self.seconds("a"), self.seconds("b"))
        return max([0.0 if t is None else t for t in seconds], default=0.0)

    def _column(self, side: str, field: str) -> list[Any]:
        """The side's ``field`` (ticks, hits) on each row, made once (an export reads it twice)."""
        if (side, field) not in self._columns:
            annotated, numbers = (self.a, self.line_a) if side == "a" else (self.b, self.line_b)
            values: dict[int | None, Any] = {}
            if annotated is not None:
                function = annotated.function
                values = dict(zip(function.linenos, getattr(function, field), strict=True))
            self._columns[side, field] = list(map(values.get, numbers))  # None is never a key
        return self._columns[side, field]

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


#: Two times closer than this share of the larger are one: rescaling a timer unit
#: or adding times up in another order changes the last bits of a float.
SAME_TIME = 1e-9


def time_change(time_a: float, time_b: float) -> float:
    """B minus A in seconds; 0.0 when the two differ only by rounding (``SAME_TIME``)."""
    change = time_b - time_a
    return 0.0 if abs(change) <= SAME_TIME * max(abs(time_a), abs(time_b)) else change


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
    # The statements each run timed: the lines an edited block may pair by position.
    timed_a, timed_b = set(a.function.linenos), set(b.function.linenos)  # no line stats made
    timed = (
        {i for i, n in enumerate(numbers_a) if n in timed_a},
        {j for j, n in enumerate(numbers_b) if n in timed_b},
    )
    for tag, i1, i2, j1, j2 in _edits(texts_a[head:end_a], texts_b[head:end_b]):
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":  # equal once stripped: a re-indented line still changed
            kinds += [
                SAME if texts_a[i] == texts_b[j1 + i - i1] else CHANGED for i in range(i1, i2)
            ]
            pairs += [(i, j1 + i - i1) for i in range(i1, i2)]
        else:
            block_pairs, block_kinds = _pair_block(texts_a, texts_b, i1, i2, j1, j2, timed)
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
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    timed: tuple[Container[int], Container[int]],
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Rows for a replaced, inserted or deleted block of lines.

    Lines much alike (a line edited in place) pair as changed, the most
    alike first, as ``difflib.ndiff`` pairs them, so a line inserted above an
    edited one does not take its place. Between them, the lines each run
    timed (``timed``: indices into each side) pair when they resemble each
    other, then by position, as a code review tool sets them side by side (a
    loop header rewritten).
    """
    alike = _alike_lines(texts_a, texts_b, i1, i2, j1, j2)
    return _pair_around_alike(alike, timed, i1, i2, j1, j2)


#: How alike two lines must be (``SequenceMatcher.ratio``) to be one line edited,
#: as ``difflib.ndiff`` has it.
ALIKE = 0.75
#: Between lines both runs timed and beginning with the same word (the same name
#: assigned, the same keyword), this alike is enough: a better guess than their
#: order (``total += i * i % 7`` is 0.70 alike ``total += square % 7``; set by
#: position it stood beside ``for square in squares:`` with the loop's times).
#: ``t = t + p * 1.19`` is 0.62 alike ``vat = 1.19`` by the constant alone.
RESEMBLING = 0.6
#: A line's first word (or first character that is not one), once stripped.
_FIRST_WORD = re.compile(r"\w+|\S")
#: Blocks with more pairs of lines than this are paired by position: a rewrite,
#: where comparing every line with every other costs much and tells little. A
#: window may align on its GUI thread: within these bounds most blocks take well
#: under 0.1 s (five lines logged above twenty 95-character ones edited at both
#: ends: 0.12 s); thirty-one lines each rewritten take 0.3-0.6 s, and rows of
#: shuffled numbers rewritten throughout, the worst found, up to 1.6 s.
MAX_COMPARED_PAIRS = 1_000
#: Nor blocks whose lines, each compared with each, add up to more characters than
#: this (thirty rows of a 300-character table, edited, took seconds); thirty-three
#: 60-character lines (three inserted above thirty edited) come to 120,000.
MAX_COMPARED_CHARACTERS = 250_000
#: Two lines longer than this together are compared by the start and end they share
#: (``_ends_ratio``), not by their longest matching runs, which cost their product.
LONG_LINES = 300


def _alike_lines(
    texts_a: Sequence[str], texts_b: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> dict[tuple[int, int], float]:
    """The pairs of lines of the block ``ALIKE``, or ``RESEMBLING`` with a first word in
    common, with their ratios."""
    lines_a = [text.strip() for text in texts_a[i1:i2]]
    lines_b = [text.strip() for text in texts_b[j1:j2]]
    compared = sum(map(len, lines_a)) * len(lines_b) + sum(map(len, lines_b)) * len(lines_a)
    if not compared or len(lines_a) * len(lines_b) > MAX_COMPARED_PAIRS:
        return {}
    if compared > MAX_COMPARED_CHARACTERS:
        return {}
    # ratio() costs the product of two lines' lengths (more on lines of few characters,
    # such as rows of numbers), so it is asked only where its answer can count: a pair
    # that may be ALIKE, or RESEMBLING and of one first word, and that could beat what
    # both its lines already have by their common start and end (rows of zeros edited
    # at their end: each row's own edit, not every other row). Long lines: by those.
    ends = {
        (i, j): _ends_ratio(line_a, line_b)
        for i, line_a in enumerate(lines_a)
        for j, line_b in enumerate(lines_b)
    }
    best_a, best_b = [0.0] * len(lines_a), [0.0] * len(lines_b)
    for (i, j), ratio in ends.items():
        if ratio >= ALIKE:
            best_a[i], best_b[j] = max(best_a[i], ratio), max(best_b[j], ratio)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    alike = {}
    for j, line_b in enumerate(lines_b):
        matcher.set_seq2(line_b)
        for i, line_a in enumerate(lines_a):
            ratio = ends[i, j]
            same_word = _first_word(line_a, line_b)
            if len(line_a) + len(line_b) <= LONG_LINES:
                least = RESEMBLING if same_word else ALIKE
                matcher.set_seq1(line_a)
                if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
                    continue
                if ratio < ALIKE and matcher.quick_ratio() <= min(best_a[i], best_b[j]):
                    continue  # both lines have a better pair already
                ratio = max(ratio, matcher.ratio())  # ends alone may tell less
            if ratio >= ALIKE or (ratio >= RESEMBLING and same_word):
                alike[i + i1, j + j1] = ratio
    return alike


def _first_word(a: str, b: str) -> bool:
    """True when two stripped lines begin with the same word (``_FIRST_WORD``)."""
    first_a, first_b = _FIRST_WORD.match(a), _FIRST_WORD.match(b)
    return first_a is not None and first_b is not None and first_a[0] == first_b[0]


def _ends_ratio(a: str, b: str) -> float:
    """How much of two lines their common start and end make (as ``ratio``, 0 to 1)."""
    start = _common_start(a, b)
    end = _common_start(a[start:][::-1], b[start:][::-1])
    return 2 * (start + end) / (len(a) + len(b))


def _common_start(a: str, b: str) -> int:
    """How many leading characters two strings share, by halving (slices compare in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _pair_around_alike(
    alike: dict[tuple[int, int], float],
    statements: tuple[Container[int], Container[int]],
    i1: int,
    i2: int,
    j1: int,
    j2: int,
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Pair the most alike lines inside the block, then the parts above and below them.

    Lines ``ALIKE`` first; where there are none, timed lines ``RESEMBLING``;
    where there are none either, the timed lines by position.
    """
    inside = [pair for pair in alike if i1 <= pair[0] < i2 and j1 <= pair[1] < j2]
    timed_a, timed_b = statements
    inside = [pair for pair in inside if alike[pair] >= ALIKE] or [
        (i, j) for i, j in inside if i in timed_a and j in timed_b
    ]
    if not inside:
        return _pair_by_position(statements, i1, i2, j1, j2)
    # The most alike; of equals, the first in B, then in A.
    i, j = max(inside, key=lambda pair: (alike[pair], -pair[1], -pair[0]))
    above_pairs, above_kinds = _pair_around_alike(alike, statements, i1, i, j1, j)
    below_pairs, below_kinds = _pair_around_alike(alike, statements, i + 1, i2, j + 1, j2)
    return [*above_pairs, (i, j), *below_pairs], [*above_kinds, CHANGED, *below_kinds]


def _pair_by_position(
    statements: tuple[Container[int], Container[int]], i1: int, i2: int, j1: int, j2: int
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """The block's statements paired in order (one rewritten), the rest removed or inserted.

    Blank lines, comments, docstrings and the lines a statement goes on over
    are never timed: a timed line of A set beside one of them in B would
    read as its time gone.
    """
    statements = (
        [n for n in range(i1, i2) if n in statements[0]],
        [n for n in range(j1, j2) if n in statements[1]],
    )
    common = min(len(statements[0]), len(statements[1]))
    paired_a, paired_b = set(statements[0][:common]), set(statements[1][:common])
    pairs: list[tuple[int | None, int | None]] = []
    kinds: list[str] = []
    i, j = i1, j1
    while i < i2 or j < j2:  # in order on both sides: paired lines meet each other
        if i < i2 and i not in paired_a:
            pairs.append((i, None))
            kinds.append(REMOVED)
            i += 1
        elif j < j2 and j not in paired_b:
            pairs.append((None, j))
            kinds.append(INSERTED)
            j += 1
        else:
            pairs.append((i, j))
            kinds.append(CHANGED)
            i, j = i + 1, j + 1
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
