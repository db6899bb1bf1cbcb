"""The profile model: functions, their line timings, and every derived number.

line_profiler's ``show_func`` defines the derived numbers; they are written
once here (``per_hit``, ``percent``) and every view and exporter reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

#: (filename, first_lineno, function name), as line_profiler keys its timings.
FunctionKey = tuple[str, int, str]
#: (lineno, hits, time in timer ticks), as line_profiler records one line.
RawLine = tuple[int, int, int | float]


_TOTAL_TICKS = attrgetter("total_ticks")
_NAME_AND_PLACE = attrgetter("name", "filename", "start_line")


def convert_ticks(ticks: float, unit: float, output_unit: float = 1.0) -> float:
    """Timer ticks in ``output_unit`` (seconds by default), as line_profiler scales them."""
    return ticks * (unit / output_unit)


def per_hit(time: float, hits: int) -> float | None:
    """Average time of one hit; None for a line that never ran."""
    return time / hits if hits else None


def percent(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``; None when ``whole`` is zero."""
    return 100.0 * part / whole if whole else None


class LineColumns(NamedTuple):
    """Line numbers, hits and timer ticks of timed lines, one sequence each."""

    linenos: Sequence[int]
    hits: Sequence[int]
    ticks: Sequence[int | float]


@dataclass(frozen=True)
class PackedTimings:
    """Validated timings of a whole profile, column by column (as the fast reader leaves them).

    Function ``i`` has key ``keys[i]`` and owns ``starts[i]:ends[i]`` of the
    columns. A 200,000-line profile held this way is three arrays instead of
    200,000 tuples and 600,000 ints to build, keep and scan.
    """

    keys: list[FunctionKey]
    columns: LineColumns
    starts: list[int]
    ends: list[int]
    total_ticks: list[int | float]


@dataclass(frozen=True)
class RawStats:
    """Validated contents of one .lprof file: ``timings`` and ``unit`` (s per tick)."""

    timings: dict[FunctionKey, list[RawLine]]
    unit: float
    packed: PackedTimings | None = None
    """The same timings as columns with each function's totals, when the reader made them."""


class LineStat(NamedTuple):
    """One timed line: its raw counts, and its derived numbers (times in seconds).

    The derived numbers are computed when read, so that making the stats of
    every line of two large profiles (a diff) costs one small tuple each.
    """

    lineno: int
    hits: int
    ticks: int | float
    unit: float
    """Seconds per tick."""
    function_ticks: int | float
    """The whole function's ticks (for ``percent``)."""
    profile_ticks: int | float
    """The whole profile's ticks (for ``percent_of_total``)."""

    @property
    def time(self) -> float:
        """Seconds spent on the line."""
        return convert_ticks(self.ticks, self.unit)

    @property
    def per_hit(self) -> float | None:
        """Seconds per hit; None for a line never hit."""
        return per_hit(self.time, self.hits)

    @property
    def percent(self) -> float | None:
        """Share of the function's time (line_profiler's ``% Time``)."""
        return percent(self.ticks, self.function_ticks)

    @property
    def percent_of_total(self) -> float | None:
        """Share of the whole profile's time."""
        return percent(self.ticks, self.profile_ticks)


#: What a profile's total is, for a tooltip beside it: line_profiler times functions, not
#: calls between them.
TOTAL_MEANS = (
    "The sum of the profiled functions' times: time spent in a profiled function called "
    "from another profiled function counts in both."
)


class _FunctionFields(NamedTuple):
    filename: str
    start_line: int
    name: str
    columns: LineColumns
    """Columns holding this function's lines at ``first:stop`` (shared by a whole profile)."""
    first: int
    stop: int
    unit: float
    total_ticks: int | float


def qualifies_names(functions: Iterable[FunctionProfile]) -> bool:
    """True when a run qualifies names (line_profiler 5.x under Python 3.11+: ``A.run``,
    ``f.<locals>.g``).

    line_profiler 4.x never does, nor 5.x under 3.10 (no ``co_qualname``); a
    run without methods or nested functions cannot be told from those, and
    needs no telling.
    """
    return any("." in f.name for f in functions)


class FunctionProfile(_FunctionFields):
    """One profiled function: where it is and its lines' timings, column by column.

    A named tuple so that a profile's 10,000 functions are made in one C-level
    pass (``all_from_packed``); equality and hashing are by identity, as for
    any object.
    """

    __slots__ = ()

    def __new__(
        cls,
        key: FunctionKey,
        lines: Iterable[RawLine],
        unit: float,
    ) -> FunctionProfile:
        rows = list(lines)
        columns = LineColumns(
            [row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]
        )
        return tuple.__new__(cls, (*key, columns, 0, len(rows), unit, sum(columns.ticks)))

    @classmethod
    def all_from_packed(cls, packed: PackedTimings, unit: float) -> list[FunctionProfile]:
        """Every function of ``packed``, sharing its columns."""
        count = len(packed.keys)
        files, first_lines, names = zip(*packed.keys, strict=True) if count else ((),) * 3
        fields = zip(
            files,
            first_lines,
            names,
            [packed.columns] * count,
            packed.starts,
            packed.ends,
            [unit] * count,
            packed.total_ticks,
            strict=True,
        )
        return list(map(tuple.__new__, repeat(cls), fields))

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        # copy and pickle rebuild from the fields, not through __new__'s arguments.
        return _function_from_fields, (tuple(self),)

    @property
    def linenos(self) -> Sequence[int]:
        """Timed line numbers, in the order line_profiler recorded them."""
        return self.columns.linenos[self.first : self.stop]

    @property
    def hits(self) -> Sequence[int]:
        """Hits of each timed line."""
        return self.columns.hits[self.first : self.stop]

    @property
    def ticks(self) -> Sequence[int | float]:
        """Time of each timed line in timer ticks (``unit`` seconds each)."""
        return self.columns.ticks[self.first : self.stop]

    @property
    def total_hits(self) -> int:
        """Hits of all the function's lines."""
        return sum(self.hits)

    def __repr__(self) -> str:
        return f"FunctionProfile({self.name!r} at {self.filename}:{self.start_line})"

    @property
    def lines(self) -> list[RawLine]:
        """(line number, hits, ticks) per timed line, as line_profiler records them."""
        return list(zip(self.linenos, self.hits, self.ticks, strict=True))

    @property
    def key(self) -> FunctionKey:
        """The (filename, first line, name) key line_profiler uses."""
        return (self.filename, self.start_line, self.name)

    @property
    def total_time(self) -> float:
        """Time spent in the function, in seconds."""
        return convert_ticks(self.total_ticks, self.unit)

    @property
    def short_name(self) -> str:
        """The name without its class (``interest_path`` for ``User.interest_path``)."""
        return self.name.rsplit(".", 1)[-1]

    @property
    def ran(self) -> bool:
        """True when any line of the function was hit."""
        return self.total_hits > 0

    @property
    def hottest_line(self) -> int | None:
        """Line number that took the most time, or None when nothing was timed."""
        ticks = self.ticks
        if not ticks:
            return None
        return self.linenos[max(range(len(ticks)), key=ticks.__getitem__)]

    def line_stats(self, profile_total_ticks: float | None = None) -> list[LineStat]:
        """Every timed line with hits, time, per hit and both percentages."""
        whole = self.total_ticks if profile_total_ticks is None else profile_total_ticks
        # One C-level pass: a diff of two large profiles makes 400,000 of these.
        fields = zip(
            self.linenos,
            self.hits,
            self.ticks,
            repeat(self.unit),
            repeat(self.total_ticks),
            repeat(whole),
        )
        return list(map(tuple.__new__, repeat(LineStat), fields))


def _function_from_fields(fields: tuple[Any, ...]) -> FunctionProfile:
    return tuple.__new__(FunctionProfile, fields)


@dataclass
class Profile:
    """A loaded profile: its functions, biggest total time first."""

    functions: list[FunctionProfile]
    unit: float
    """Seconds per timer tick, as recorded in the file."""
    paths: tuple[Path, ...] = ()
    """The .lprof file(s) this profile was read (and merged) from."""
    recorded_at: float | None = None
    """Modification time of the newest .lprof file, for the stale-source check."""
    total_ticks: float = field(init=False)

    def __post_init__(self) -> None:
        # Biggest total time first, ties by name and place: sorts on C-level keys
        # (stable, reverse included) rather than a Python key, and the
        # tie-breaking sort only when two totals are equal.
        ticks = list(map(_TOTAL_TICKS, self.functions))
        if len(set(ticks)) < len(ticks):
            self.functions.sort(key=_NAME_AND_PLACE)
        self.functions.sort(key=_TOTAL_TICKS, reverse=True)
        self.total_ticks = sum(ticks)

    @classmethod
    def from_raw(
        cls,
        raw: RawStats,
        paths: Iterable[Path] = (),
        recorded_at: float | None = None,
    ) -> Profile:
        """Build a profile from validated timings."""
        unit = raw.unit
        if raw.packed is not None:
            functions = FunctionProfile.all_from_packed(raw.packed, unit)
        else:
            functions = [FunctionProfile(key, lines, unit) for key, lines in raw.timings.items()]
        return cls(functions, unit, tuple(paths), recorded_at)

    @property
    def total_time(self) -> float:
        """Time spent in all profiled functions, in seconds."""
        return convert_ticks(self.total_ticks, self.unit)

    @property
    def name(self) -> str:
        """A short name for titles: the file name, or how many were merged."""
        if not self.paths:
            return "profile"
        if len(self.paths) == 1:
            return self.paths[0].name
        return f"{self.paths[0].name} + {len(self.paths) - 1} more"

    def percent_of_total(self, function: FunctionProfile) -> float | None:
        """The function's share of the whole profile's time."""
        return percent(function.total_ticks, self.total_ticks)

    def line_stats(self, function: FunctionProfile) -> list[LineStat]:
        """The function's lines with their shares of the function and of the profile."""
        return function.line_stats(self.total_ticks)

    def timings(self) -> dict[FunctionKey, list[RawLine]]:
        """The profile as line_profiler's ``timings`` mapping."""
        return {f.key: f.lines for f in self.functions}

    def __iter__(self) -> Iterator[FunctionProfile]:
        return iter(self.functions)

    def __len__(self) -> int:
        return len(self.functions)
