"""Check unpickled line_profiler timings: shape, types and range, with one sentence when bad.

A large profile holds 200,000 lines and at that scale every pass over them
costs milliseconds, so a well-formed file is checked in a few C-level passes
over flattened columns (which also pack it for the model); only an odd or
bad file is walked entry by entry, to name what is wrong.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any

from lprof_viewer.core.model import FunctionKey, LineColumns, PackedTimings, RawLine, RawStats


class ProfileLoadError(Exception):
    """A file is not a readable profile; the message is one sentence for the user."""


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def describe(value: Any) -> str:
    """A value's type, as a sentence names it."""
    return type(value).__name__


def _check_unit(unit: Any, name: str) -> float:
    if type(unit) not in (float, int):
        raise ProfileLoadError(f"{name} has a timer unit of type {describe(unit)}, not a number.")
    if not math.isfinite(unit) or unit <= 0:
        raise ProfileLoadError(
            f"{name} has a timer unit of {unit!r} seconds; it must be a positive finite number."
        )
    return float(unit)


#: Line numbers are C ints in CPython; hits and timer ticks are 64-bit counters.
MAX_LINE = 2**31 - 1
MAX_COUNT = 2**63 - 1


def _check_key(key: Any, name: str) -> FunctionKey:
    if (
        type(key) is not tuple
        or len(key) != 3
        or type(key[0]) is not str
        or type(key[1]) is not int
        or type(key[2]) is not str
    ):
        raise ProfileLoadError(
            f"{name} has a function entry {_short_repr(key)} that is not "
            "(file name, first line, function name)."
        )
    if not 0 <= key[1] <= MAX_LINE:
        raise ProfileLoadError(
            f"{name} has a function {key[2]!r} whose first line number is negative or too large."
        )
    return key


_ENTRY_TYPES = frozenset({tuple, list})
_INT = frozenset({int})
_NUMBER = frozenset({int, float})


def _check_lines(key: FunctionKey, lines: Any, name: str) -> list[RawLine]:
    """One function's lines as a list of tuples, or a :class:`ProfileLoadError` saying why not."""
    where = f"{name} has bad timings for {key[2]} ({key[0]}:{key[1]})"
    if type(lines) not in _ENTRY_TYPES:
        raise ProfileLoadError(f"{where}: expected a list, found {describe(lines)}.")
    if not lines:
        return []
    entry_types = set(map(type, lines))
    if not entry_types <= _ENTRY_TYPES or set(map(len, lines)) != {3}:
        raise ProfileLoadError(f"{where}: every line must be (line number, hits, time).")
    linenos, hits, times = zip(*lines, strict=True)
    if not set(map(type, linenos)) <= _INT or not set(map(type, hits)) <= _INT:
        raise ProfileLoadError(f"{where}: line numbers and hits must be whole numbers.")
    time_types = set(map(type, times))
    if not time_types <= _NUMBER:
        raise ProfileLoadError(f"{where}: times must be numbers.")
    if min(hits) < 0 or min(linenos) < 0:
        raise ProfileLoadError(f"{where}: line numbers and hits cannot be negative.")
    if min(times) < 0 or (float in time_types and not all(map(math.isfinite, times))):
        raise ProfileLoadError(f"{where}: times must be finite and not negative.")
    if max(linenos) > MAX_LINE or max(hits) > MAX_COUNT or max(times) > MAX_COUNT:
        raise ProfileLoadError(f"{where}: numbers too large for a profile.")
    return list(map(tuple, lines))


def _short_repr(value: Any) -> str:
    text = repr(value) if type(value) in (tuple, str, int, float) else describe(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_stats(timings: Any, unit: Any, name: str) -> RawStats:
    """Check unpickled ``LineStats`` timings and unit for shape, types and range."""
    try:
        return _check_stats(timings, unit, name)
    except (OverflowError, ValueError, RecursionError):
        # An int too large for a float or for str(), or nesting too deep for
        # repr(), met while checking or describing a bad entry.
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it holds numbers too large "
            "or nesting too deep for a profile."
        ) from None


def _check_stats(timings: Any, unit: Any, name: str) -> RawStats:
    unit = _check_unit(unit, name)
    if type(timings) is not dict:
        raise ProfileLoadError(
            f"{name} has timings of type {describe(timings)}, not a mapping of functions."
        )
    packed = _packed_timings(timings)
    if packed is None:
        # Slow path, for an odd or bad file: name the entry that is wrong, or
        # normalise harmless variations (lists where kernprof writes tuples).
        timings = {
            _check_key(key, name): _check_lines(key, lines, name) for key, lines in timings.items()
        }
    return RawStats(timings, unit, packed)


def _packed_timings(timings: dict[Any, Any]) -> PackedTimings | None:
    """The timings as checked columns with each function's totals, or None when not clean.

    A large profile holds 200,000 lines and at that scale every pass over them
    costs milliseconds, so the checks are a few C-level passes over flattened
    columns: checking function by function in Python costs more than
    unpickling. None sends the file to the slow path, which names what is wrong.
    """
    keys = list(timings)
    values = list(timings.values())
    if keys and (set(map(type, keys)) != {tuple} or set(map(len, keys)) != {3}):
        return None
    if keys:
        files, first_lines, names = zip(*keys, strict=True)
        if set(map(type, files)) | set(map(type, names)) != {str}:
            return None
        if set(map(type, first_lines)) != _INT or not _lines_in_range(first_lines):
            return None
    try:
        lengths = list(map(list.__len__, values))  # TypeError: a value is not a list
        entries = list(chain.from_iterable(values))
        # Three values each (a tuple as kernprof writes, or any sequence of
        # three: only the packed numbers are kept, never the entries).
        if entries and set(map(len, entries)) != {3}:
            return None
    except TypeError:  # an entry without a length
        return None
    columns = _checked_columns(entries)
    if columns is None:
        return None
    ticks = columns.ticks
    ends = list(accumulate(lengths))
    starts = [0, *ends][:-1]
    spans = list(map(slice, starts, ends))
    # Total time is bounded after loading, through these totals.
    total_ticks = list(map(sum, map(ticks.__getitem__, spans)))
    return PackedTimings(keys, columns, starts, ends, total_ticks)


def _checked_columns(entries: list[Any]) -> LineColumns | None:
    """Line numbers, hits and ticks of ``entries`` when every value is sound, else None.

    Kernprof's files hold only ints: one C pass per column packs them into an
    array, which refuses anything but an int in the array's range (a bool
    reads as the 0 or 1 it equals), and the model keeps the arrays, not the
    unpickled objects.
    """
    if not entries:
        return LineColumns([], [], [])
    try:
        linenos = array("I", map(_FIRST, entries))  # 0 to 2**32 - 1
        hits = array("Q", map(_SECOND, entries))  # 0 to 2**64 - 1
        ticks = array("Q", map(_THIRD, entries))
    except OverflowError:  # negative, or too large
        return None
    except TypeError:  # merged files may hold float ticks; anything else is refused
        if not set(map(type, entries)) <= _ENTRY_TYPES:
            return None
        return _checked_number_columns(list(chain.from_iterable(entries)))
    if not all(map(_top_bit_clear, (linenos, hits, ticks))):
        return None  # past MAX_LINE or MAX_COUNT: the slow path names the entry
    return LineColumns(linenos, hits, ticks)


#: Bytes below 0x80, deleted to find any byte at or above it.
_LOW_BYTES = bytes(range(0x80))


def _top_bit_clear(numbers: array[int]) -> bool:
    """True when no item of an unsigned array has its top bit set.

    So 4-byte line numbers are at most MAX_LINE (2**31 - 1) and 8-byte counts
    at most MAX_COUNT (2**63 - 1). The most significant byte of each item,
    taken with a strided slice of the raw bytes, is below 0x80: one C pass
    instead of boxing 200,000 ints for ``max``.
    """
    size = numbers.itemsize
    top_bytes = numbers.tobytes()[size - 1 if sys.byteorder == "little" else 0 :: size]
    return not top_bytes.translate(None, _LOW_BYTES)


def _checked_number_columns(cells: list[Any]) -> LineColumns | None:
    """Columns of ``lineno, hits, ticks, ...`` cells where ticks may be floats, or None."""
    linenos, hits, ticks = cells[0::3], cells[1::3], cells[2::3]
    if set(map(type, linenos)) | set(map(type, hits)) != _INT:
        return None
    tick_types = set(map(type, ticks))
    if not tick_types <= _NUMBER or not all(map(math.isfinite, ticks)):
        return None
    if min(ticks) < 0 or min(hits) < 0 or max(hits) > MAX_COUNT:
        return None
    return LineColumns(linenos, hits, ticks) if _lines_in_range(linenos) else None


def _lines_in_range(linenos: Iterable[int]) -> bool:
    numbers = list(linenos)
    return not numbers or (min(numbers) >= 0 and max(numbers) <= MAX_LINE)
