"""Merge profiles from several runs or workers into one, as line_profiler does."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lprof_viewer.core.model import FunctionKey, RawLine, RawStats
from lprof_viewer.core.sources import SourceLocator


def merge_stats(stats: Sequence[RawStats]) -> RawStats:
    """Sum hits and time per line across profiles, in the coarsest timer unit.

    This is ``LineStats.from_stats_objects`` from line_profiler 5: rescale each
    profile to the largest unit (smallest first, to keep rounding small), add,
    and round the times to whole ticks.
    """
    if not stats:
        raise ValueError("nothing to merge")
    if len(stats) == 1:
        only = stats[0]
        return RawStats({key: list(lines) for key, lines in only.timings.items()}, only.unit)
    ordered = sorted(stats, key=lambda s: s.unit)
    unit = ordered[-1].unit
    summed: dict[FunctionKey, dict[int, tuple[int, float]]] = {}
    for one in ordered:
        factor = one.unit / unit
        for key, lines in one.timings.items():
            by_line = summed.setdefault(key, {})
            for lineno, hits, time in lines:
                old_hits, old_time = by_line.get(lineno, (0, 0))
                by_line[lineno] = (old_hits + hits, old_time + factor * time)
    timings: dict[FunctionKey, list[RawLine]] = {
        key: [(lineno, hits, round(time)) for lineno, (hits, time) in sorted(by_line.items())]
        for key, by_line in summed.items()
    }
    return RawStats(timings, unit)


def with_sources_found(stats: RawStats, profile: Path) -> RawStats:
    """``stats`` read from ``profile``, relative file names made absolute where found.

    kernprof records a script run by a relative name as given (``../app/views.py``),
    which a viewer resolves beside the profile or in the current folder. A
    merged profile is written elsewhere, so the names it keeps must not depend
    on where its inputs were.
    """
    locator = SourceLocator.for_profile_paths([profile])
    timings: dict[FunctionKey, list[RawLine]] = {}
    for key, lines in stats.timings.items():
        filename, start, name = key
        found = None if Path(filename).is_absolute() else locator.locate(filename)
        moved = (str(found.absolute()), start, name) if found else key
        timings[key if moved in stats.timings else moved] = list(lines)
    return RawStats(timings, stats.unit)
