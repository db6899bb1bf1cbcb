"""Read .lprof files safely: a profile file never runs code.

A .lprof is a pickled ``LineStats``. ``pickle.load`` would import and call
whatever the file names, so the file is read by an unpickler that admits only
the ``LineStats`` class paths line_profiler has used, mapped to a plain class of
ours, and the result is checked for shape and types before anyone sees it.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import re
import sys
import threading
from array import array
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.model import (
    FunctionKey,
    LineColumns,
    PackedTimings,
    Profile,
    RawLine,
    RawStats,
)

#: Where line_profiler versions have put ``LineStats``.
LINESTATS_CLASS_PATHS = frozenset(
    {
        ("line_profiler.line_profiler", "LineStats"),  # 5.0.1 and later
        ("line_profiler._line_profiler", "LineStats"),  # 3.x to 5.0.0
        ("_line_profiler", "LineStats"),  # the original rkern releases
    }
)

#: Files larger than this are refused before reading (a real 200,000-line
#: profile is about 4 MB).
MAX_FILE_BYTES = 1 << 30


class ProfileLoadError(Exception):
    """A file is not a readable profile; the message is one sentence for the user."""


class _UnpickledLineStats:
    """Stands in for line_profiler's ``LineStats`` while a file is read."""

    def __init__(self, timings: Any = None, unit: Any = None) -> None:
        self.timings = timings
        self.unit = unit

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = state[0]
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("LineStats state is not a mapping")
        self.timings = state.get("timings")
        self.unit = state.get("unit")


class _RefusedGlobal(pickle.UnpicklingError):
    """The file asked for a class or function other than ``LineStats``."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(f"{module}.{name}")
        self.dotted_name = f"{module}.{name}"


#: How protocol 0 and 1 pickles (Python 2's default) create an instance:
#: ``copy_reg._reconstructor(LineStats, object, None)``.
_RECONSTRUCTOR_PATHS = frozenset({("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor")})
_OBJECT_PATHS = frozenset({("__builtin__", "object"), ("builtins", "object")})


class _ObjectBase:
    """Stands in for ``object`` as the base named by ``copy_reg._reconstructor``."""


def _reconstruct(cls: Any, base: Any, state: Any) -> _UnpickledLineStats:
    """``copy_reg._reconstructor`` for ``LineStats`` only; anything else is refused."""
    if cls is not _UnpickledLineStats or base is not _ObjectBase or state is not None:
        raise _RefusedGlobal("copyreg", "_reconstructor")
    return _UnpickledLineStats()


class _LineStatsUnpickler(pickle.Unpickler):
    """An unpickler whose only importable name is ``LineStats``."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in LINESTATS_CLASS_PATHS:
            return _UnpickledLineStats
        if (module, name) in _RECONSTRUCTOR_PATHS:
            return _reconstruct
        if (module, name) in _OBJECT_PATHS:
            return _ObjectBase
        raise _RefusedGlobal(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not allowed")


#: Stack a nested tuple level may take while CPython hashes it (measured ~50 B).
_STACK_PER_TUPLE = 128
_BASE_STACK = 8 << 20
_MAX_STACK = 1 << 30
_TUPLE_OPCODES = b"\x85\x86\x87t"
#: Every byte but the tuple opcodes: deleting them leaves one byte per opcode.
_ALL_BUT_TUPLE_OPCODES = bytes(b for b in range(256) if b not in _TUPLE_OPCODES)
_stack_size_lock = threading.Lock()
_TOTAL_TICKS = attrgetter("total_ticks")
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def _stack_for(data: bytes, name: str) -> int:
    """Stack size that survives hashing the deepest tuple ``data`` could build.

    CPython hashes a dict key made of nested tuples recursively, with no depth
    check: a small file holding a key nested 200,000 deep crashes the process.
    Every level costs one tuple opcode, so counting those bytes (an upper
    bound: they also occur inside data) bounds the depth.
    """
    levels = len(data.translate(None, _ALL_BUT_TUPLE_OPCODES))
    size = _BASE_STACK + levels * _STACK_PER_TUPLE
    if size > _MAX_STACK:
        raise ProfileLoadError(f"{name} is not a line_profiler profile: it nests too deeply.")
    return size


def _unpickle(data: bytes, name: str) -> Any:
    """Unpickle on a thread whose stack fits the data, turning every failure into one sentence."""
    stack = _stack_for(data, name)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = _unpickle_here(data, name)
        except BaseException as error:  # handed to the calling thread below
            outcome["error"] = error

    with _stack_size_lock:
        previous = threading.stack_size(stack)
        try:
            worker = threading.Thread(target=work, name="lprof-unpickle")
            worker.start()
        finally:
            threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _unpickle_here(data: bytes, name: str) -> Any:
    # Python 2 files hold byte strings for file names: read them as UTF-8,
    # keeping undecodable bytes instead of failing.
    unpickler = _LineStatsUnpickler(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
    try:
        return unpickler.load()
    except _RefusedGlobal as refused:
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it asks to load "
            f"'{refused.dotted_name}', which is refused because opening a profile "
            "must never run code."
        ) from None
    except EOFError:
        raise ProfileLoadError(_ends_early(name, data)) from None
    except MemoryError:
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it claims a length far larger than the file."
        ) from None
    except RecursionError:
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it nests too deeply."
        ) from None
    except Exception as error:  # the unpickler raises many types on garbage
        if "truncated" in str(error) or "ran out of input" in str(error).lower():
            raise ProfileLoadError(_ends_early(name, data)) from None
        raise ProfileLoadError(_not_a_profile(name, data)) from None


def _ends_early(name: str, data: bytes) -> str:
    """Why a file that ran out mid-pickle is unreadable: cut short, or text to begin with.

    Text such as saved ``python -m line_profiler`` output ("Timer unit: ...")
    starts with bytes that read as a pickle opcode with a length, so it also
    "ends early"; only a protocol 0 pickle (a ``c`` module/name global first)
    is text that really is a cut-short profile.
    """
    if _looks_like_text(data) and not _PROTOCOL_0_START.match(data):
        return _not_a_profile(name, data)
    return _truncated(name)


_PROTOCOL_0_START = re.compile(rb"\(?c[\w.]+\n[\w.]+\n")


def _truncated(name: str) -> str:
    return (
        f"{name} is truncated: the profile ends early (if kernprof -i is still "
        "writing it, wait for the run to finish and reload)."
    )


def _not_a_profile(name: str, data: bytes) -> str:
    if _looks_like_text(data):
        return f"{name} is a text file, not a line_profiler profile (.lprof files are binary)."
    return f"{name} is not a line_profiler profile: its contents are not a pickled LineStats."


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # a character cut by the 4 KiB slice
    return True


def _describe(value: Any) -> str:
    return type(value).__name__


def _check_unit(unit: Any, name: str) -> float:
    if type(unit) not in (float, int):
        raise ProfileLoadError(f"{name} has a timer unit of type {_describe(unit)}, not a number.")
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
        raise ProfileLoadError(f"{where}: expected a list, found {_describe(lines)}.")
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
    text = repr(value) if type(value) in (tuple, str, int, float) else _describe(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validate_stats(obj: Any, name: str) -> RawStats:
    """Check that an unpickled object has LineStats' shape; answer its timings and unit."""
    try:
        return _validate_stats(obj, name)
    except (OverflowError, ValueError, RecursionError):
        # An int too large for a float or for str(), or nesting too deep for
        # repr(), met while checking or describing a bad entry.
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it holds numbers too large "
            "or nesting too deep for a profile."
        ) from None


def _validate_stats(obj: Any, name: str) -> RawStats:
    if not isinstance(obj, _UnpickledLineStats):
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it holds a pickled {_describe(obj)}, "
            "not LineStats."
        )
    unit = _check_unit(obj.unit, name)
    timings = obj.timings
    if type(timings) is not dict:
        raise ProfileLoadError(
            f"{name} has timings of type {_describe(timings)}, not a mapping of functions."
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
    starts = [0, *ends[:-1]]
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
    if not _below_2_to_31(linenos):
        return None
    return LineColumns(linenos, hits, ticks)


#: Bytes below 0x80, deleted to find any byte at or above it.
_LOW_BYTES = bytes(range(0x80))
#: Index of the most significant byte of each 4-byte item.
_TOP_BYTE = 3 if sys.byteorder == "little" else 0


def _below_2_to_31(numbers: array[int]) -> bool:
    """True when every item of an unsigned 4-byte array is at most MAX_LINE (2**31 - 1).

    The top byte of each item, taken with a strided slice of the raw bytes, is
    below 0x80: one C pass instead of boxing 200,000 ints for ``max``.
    """
    assert numbers.itemsize == 4
    top_bytes = numbers.tobytes()[_TOP_BYTE::4]
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


def read_stats(path: str | os.PathLike[str]) -> RawStats:
    """Read and validate one .lprof file without running any code it names."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ProfileLoadError(f"{name} is a folder, not a profile file.")
        if size > MAX_FILE_BYTES:
            raise ProfileLoadError(
                f"{name} is {size / 2**30:.1f} GiB, too large to be a line_profiler profile."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProfileLoadError(f"{name} does not exist ({path}).") from None
    except PermissionError:
        raise ProfileLoadError(f"{name} cannot be read: permission denied.") from None
    except OSError as error:
        raise ProfileLoadError(f"{name} cannot be read: {error.strerror or error}.") from None
    if not data:
        raise ProfileLoadError(
            f"{name} is empty (if kernprof is still running, wait for it to finish and reload)."
        )
    with collector_paused():
        return validate_stats(_unpickle(data, name), name)


def load_lprof(path: str | os.PathLike[str]) -> Profile:
    """Load one .lprof file as a :class:`Profile`, safely."""
    return load_profiles([path])


def load_profiles(paths: Iterable[str | os.PathLike[str]]) -> Profile:
    """Load one or more .lprof files, merging them into one :class:`Profile`."""
    from lprof_viewer.core.merge import merge_stats

    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no profile files given")
    with collector_paused():
        stats = [read_stats(p) for p in files]
        raw = stats[0] if len(stats) == 1 else merge_stats(stats)
        recorded_at = max((_mtime(p) for p in files), default=None)
        profile = Profile.from_raw(raw, files, recorded_at)
        # Free the unpickled tuples now: once the collector runs again it
        # would scan every one of them before they go.
        del stats, raw
    _check_totals(profile)
    return profile


def _check_totals(profile: Profile) -> None:
    """Refuse time beyond 64-bit tick counts (a hostile file's 10**400 cannot be shown)."""
    functions = profile.functions
    if not functions:
        return
    largest = max(map(_TOTAL_TICKS, functions))
    if largest > MAX_COUNT:
        culprit = next(f for f in functions if f.total_ticks == largest)
        raise ProfileLoadError(
            f"{profile.name} has bad timings for {culprit.name}: numbers too large for a profile."
        )


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
