"""The profile model: functions, their line timings, and every derived number.

line_profiler's ``show_func`` defines the derived numbers; they are written
once here (``per_hit``, ``percent``) and every view and exporter reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

#: (filename, first_lineno, function name), as line_profiler keys its timings.
FunctionKey = tuple[str, int, str]
#: (lineno, hits, time in timer ticks), as line_profiler records one line.
RawLine = tuple[int, int, int | float]
#: line_profiler's ``LineStats.timings``.
Timings = Mapping[FunctionKey, Sequence[RawLine]]


_HITS = itemgetter(1)
_TIME = itemgetter(2)
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


@dataclass(frozen=True)
class RawStats:
    """Validated contents of one .lprof file: ``timings`` and ``unit`` (s per tick)."""

    timings: dict[FunctionKey, list[RawLine]]
    unit: float
    totals: tuple[list[float], list[int]] | None = None
    """Each function's total ticks and hits, in ``timings`` order, when already summed."""


class LineStat(NamedTuple):
    """One timed line with its derived numbers; times in seconds."""

    lineno: int
    hits: int
    time: float
    per_hit: float | None
    percent: float | None
    """Share of the function's time (line_profiler's ``% Time``)."""
    percent_of_total: float | None
    """Share of the whole profile's time."""


class FunctionProfile:
    """One profiled function: where it is and the timings of its lines."""

    __slots__ = ("filename", "lines", "name", "start_line", "total_hits", "total_ticks", "unit")

    def __init__(
        self,
        key: FunctionKey,
        lines: list[RawLine],
        unit: float,
        total_ticks: float | None = None,
        total_hits: int | None = None,
    ) -> None:
        self.filename, self.start_line, self.name = key
        self.lines = lines
        self.unit = unit
        self.total_ticks = sum(map(_TIME, lines)) if total_ticks is None else total_ticks
        self.total_hits = sum(map(_HITS, lines)) if total_hits is None else total_hits

    def __repr__(self) -> str:
        return f"FunctionProfile({self.name!r} at {self.filename}:{self.start_line})"

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
        if not self.lines:
            return None
        return max(self.lines, key=lambda line: line[2])[0]

    def line_stats(self, profile_total_ticks: float | None = None) -> list[LineStat]:
        """Every timed line with hits, time, per hit and both percentages."""
        if not self.lines:
            return []
        whole = self.total_ticks if profile_total_ticks is None else profile_total_ticks
        linenos, hits, ticks = zip(*self.lines, strict=True)
        times = list(map(convert_ticks, ticks, repeat(self.unit)))
        # Column by column with map(): a diff builds 400,000 of these.
        columns = zip(
            linenos,
            hits,
            times,
            map(per_hit, times, hits),
            map(percent, ticks, repeat(self.total_ticks)),
            map(percent, ticks, repeat(whole)),
            strict=True,
        )
        return list(map(LineStat._make, columns))


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
        # Biggest total time first, ties by name and place: two sorts on C-level
        # keys (the sort is stable, reverse included) rather than a Python key.
        self.functions.sort(key=_NAME_AND_PLACE)
        self.functions.sort(key=_TOTAL_TICKS, reverse=True)
        self.total_ticks = sum(map(_TOTAL_TICKS, self.functions))

    @classmethod
    def from_raw(
        cls,
        raw: RawStats,
        paths: Iterable[Path] = (),
        recorded_at: float | None = None,
    ) -> Profile:
        """Build a profile from validated timings."""
        unit = raw.unit
        if raw.totals is not None:
            ticks, hits = raw.totals
            keys, lines = raw.timings.keys(), raw.timings.values()
            functions = list(map(FunctionProfile, keys, lines, repeat(unit), ticks, hits))
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
