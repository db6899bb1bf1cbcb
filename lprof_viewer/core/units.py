"""Time units the user can pick, and how a time is written in them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lprof_viewer.core.model import FunctionProfile, LineStat

#: Seconds per unit for each fixed unit name.
UNIT_SECONDS: dict[str, float] = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}

#: Names a user can choose, in the order menus show them.
UNIT_CHOICES: tuple[str, ...] = ("auto", "s", "ms", "us", "ns")

_UNIT_LABELS = {"s": "s", "ms": "ms", "us": "µs", "ns": "ns"}


@dataclass(frozen=True)
class TimeUnit:
    """A unit to show times in: a fixed one, or 'auto' (readable per value)."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in UNIT_CHOICES:
            raise ValueError(f"unknown time unit {self.name!r}; choose one of {UNIT_CHOICES}")

    @property
    def is_auto(self) -> bool:
        """True when every value picks its own readable unit."""
        return self.name == "auto"

    @property
    def seconds(self) -> float:
        """Seconds per unit; 'auto' answers 1 (values are then written with a suffix)."""
        return UNIT_SECONDS.get(self.name, 1.0)

    @property
    def label(self) -> str:
        """Short label for column headers (µs rather than us)."""
        return "auto" if self.is_auto else _UNIT_LABELS[self.name]

    def format(self, seconds: float | None) -> str:
        """A time as a short readable string; fixed units have no suffix."""
        if seconds is None:
            return ""
        if self.is_auto:
            return format_auto(seconds)
        return f"{seconds / self.seconds:.1f}"

    def labelled(self, text: str) -> str:
        """A text ``format`` made, with the unit written after it when the unit is fixed."""
        return f"{text} {self.label}" if text and not self.is_auto else text

    def format_ticks(self, ticks: float, timer_unit: float, hits: int = 1) -> str:
        """``ticks`` of a ``timer_unit``-second timer (divided by ``hits``) as a short string.

        In a fixed unit the value is computed as ``python -m line_profiler``
        computes it (ticks times ``timer_unit / unit``, then divided by the
        hits), so that each rounds to the same last digit: dividing seconds
        by the unit instead rounds 50 µs ticks to 0.0 ms where it writes 0.1.
        """
        if self.is_auto:
            return format_auto(ticks * timer_unit / hits)
        return f"{float(ticks) * (timer_unit / self.seconds) / hits:.1f}"

    def format_total(self, function: FunctionProfile | None) -> str:
        """A function's total time, rounded as its lines are (``format_ticks``); '' for None.

        None stands for a function one run of a diff lacks.
        """
        if function is None:
            return ""
        return self.format_ticks(function.total_ticks, function.unit)

    def ticks_texts(self, ticks: Iterable[int | float | None], timer_unit: float) -> list[str]:
        """``format_ticks`` of each of a column of ticks (one hit each), '' for None.

        In one pass, for an export of two large profiles (400,000 times).
        """
        if self.is_auto:
            return ["" if t is None else format_auto(t * timer_unit) for t in ticks]
        scale = timer_unit / self.seconds
        return ["" if t is None else f"{float(t) * scale:.1f}" for t in ticks]


#: Each time written in the unit that reads best.
AUTO = TimeUnit("auto")

#: Seconds whose 'auto' text is the longest below a second ('999.9 ms').
LONGEST_AUTO_SECONDS = 0.9999


def with_unit(title: str, unit: TimeUnit) -> str:
    """A time column's title: 'Time (ms)'; just 'Time' when each value carries its own unit."""
    return title if unit.is_auto else f"{title} ({unit.label})"


def format_auto(seconds: float) -> str:
    """A time with the unit that reads best, e.g. '12.3 ms'.

    The unit is the largest of which the time is at least one (s, ms, µs,
    else ns), tested in turn: an export of two large profiles writes 600,000
    of these. A time that rounds up to the next step is written at it:
    '1.00 ms', not '1000.0 µs'; '10.0 ms', not '10.00 ms'.
    """
    if seconds == 0:
        return "0"
    magnitude = abs(seconds)
    if magnitude >= 1.0:
        value, label = seconds, " s"
    elif magnitude >= 1e-3:
        value, label = seconds / 1e-3, " ms"
    elif magnitude >= 1e-6:
        value, label = seconds / 1e-6, " µs"
    else:
        value, label = seconds / 1e-9, " ns"
    if -10 < value < 10:
        text = f"{value:.2f}"
        return text + label if text[-5:] != "10.00" else f"{value:.1f}{label}"
    text = f"{value:.1f}"
    if text[-6:] == "1000.0" and label != " s":  # a thousand of one unit: one of the next
        return format_auto(math.copysign(_ONE_MORE_STEP[label], seconds))
    return text + label


#: Seconds that round to 1000.0 of a unit, written as one of the next unit.
_ONE_MORE_STEP = {" ms": 1.0, " µs": 1e-3, " ns": 1e-6}


_HITS, _TICKS = attrgetter("hits"), attrgetter("ticks")

#: A timed line's numbers, in the order the source tables show them after Line #.
STAT_FIELDS = ("hits", "time", "per_hit", "percent", "percent_of_total")


def line_stat_text(stat: LineStat, field: str, unit: TimeUnit) -> str:
    """One of ``STAT_FIELDS`` of a timed line as a cell shows it ('' where there is none)."""
    if field == "hits":
        return f"{stat.hits:,}"
    if field == "time":
        return unit.format_ticks(stat.ticks, stat.unit)
    if field == "per_hit":
        return unit.format_ticks(stat.ticks, stat.unit, stat.hits) if stat.hits else ""
    value = getattr(stat, field)
    return "" if value is None else f"{value:.1f}"


def widest_stat_texts(stats: Iterable[LineStat], unit: TimeUnit) -> dict[str, str]:
    """The longest Hits, Time and Per Hit texts of ``stats``, for sizing columns.

    In a fixed unit, those of the largest values: a larger count or time is
    never written shorter. In 'auto' every time is compared ('1.50 ms' is
    shorter than '999.0 µs').
    """
    stats = list(stats)
    if not stats:
        return {}
    widest = {"hits": line_stat_text(max(stats, key=_HITS), "hits", unit)}
    if unit.is_auto:
        for field in ("time", "per_hit"):
            widest[field] = max((line_stat_text(stat, field, unit) for stat in stats), key=len)
    else:
        widest["time"] = line_stat_text(max(stats, key=_TICKS), "time", unit)
        widest["per_hit"] = line_stat_text(max(stats, key=_ticks_per_hit), "per_hit", unit)
    return widest


def _ticks_per_hit(stat: LineStat) -> float:
    return stat.ticks / stat.hits if stat.hits else 0.0
