"""Merge profiles from several runs or workers into one, as line_profiler does."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from lprof_viewer.core.model import FunctionKey, RawLine, RawStats
from lprof_viewer.core.sources import is_file


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
            _add_into(summed.setdefault(key, {}), lines, factor)
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
    on where its inputs were: each is looked for beside its own profile
    first, then in the current folder, and written normalised (no ``..``).
    Two names of one file in one profile (``nr.py`` and ``./nr.py``, or an
    absolute one) become one function, their lines added up.
    """
    timings: dict[FunctionKey, list[RawLine]] = {}
    found: dict[str, str] = {}  # a file's functions share its name
    for (filename, start, name), lines in stats.timings.items():
        if filename not in found:
            found[filename] = _found(filename, profile.parent)
        key = (found[filename], start, name)
        timings[key] = _added(timings[key], lines) if key in timings else list(lines)
    return RawStats(timings, stats.unit)


def _found(filename: str, folder: Path) -> str:
    """A recorded file name, absolute and normalised when it is a relative name found."""
    if Path(filename).is_absolute():
        return filename
    for candidate in (folder / filename, Path.cwd() / filename):
        if is_file(candidate):
            return os.path.abspath(candidate)  # not resolve(): symlinks stay as recorded
    return filename


def _added(lines: list[RawLine], more: list[RawLine]) -> list[RawLine]:
    """Two sets of one function's lines, added up line by line."""
    by_line: dict[int, tuple[int, float]] = {}
    _add_into(by_line, lines)
    _add_into(by_line, more)
    return [(lineno, hits, time) for lineno, (hits, time) in sorted(by_line.items())]


def _add_into(
    by_line: dict[int, tuple[int, float]], lines: list[RawLine], factor: float = 1
) -> None:
    """Add ``lines`` (their times scaled by ``factor``) to the hits and times by line number."""
    for lineno, hits, time in lines:
        old_hits, old_time = by_line.get(lineno, (0, 0))
        by_line[lineno] = (old_hits + hits, old_time + factor * time)
