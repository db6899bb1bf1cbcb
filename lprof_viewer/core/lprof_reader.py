"""Read .lprof files safely: a profile file never runs code.

A .lprof is a pickled ``LineStats``. ``pickle.load`` would import and call
whatever the file names, so the file is read by an unpickler that admits only
the ``LineStats`` class paths line_profiler has used, mapped to a plain class of
ours, and the result is checked for shape and types (``timings_check``) before
anyone sees it.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import threading
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.model import (
    Profile,
    RawStats,
)
from lprof_viewer.core.timings_check import (
    MAX_COUNT,
    ProfileLoadError,
    check_stats,
    describe,
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
        "writing it, wait for the run to finish and open it again)."
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
        # Only a character cut by the 4 KiB slice; a 1-byte file reading b"\x80"
        # (a pickle's first opcode) is binary.
        return len(data) > len(head) and error.start > len(head) - 4
    return True


def validate_stats(obj: Any, name: str) -> RawStats:
    """Check that an unpickled object is a LineStats of sound timings; answer them."""
    if not isinstance(obj, _UnpickledLineStats):
        raise ProfileLoadError(
            f"{name} is not a line_profiler profile: it holds a pickled {describe(obj)}, "
            "not LineStats."
        )
    return check_stats(obj.timings, obj.unit, name)


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
        where = path.absolute() if str(path) == name else path  # the folder it was looked for in
        raise ProfileLoadError(f"{name} does not exist ({where}).") from None
    except PermissionError:
        raise ProfileLoadError(f"{name} cannot be read: permission denied.") from None
    except OSError as error:
        raise ProfileLoadError(f"{name} cannot be read: {error.strerror or error}.") from None
    if not data:
        raise ProfileLoadError(
            f"{name} is empty (if kernprof is still running, wait for it to finish and open "
            "it again)."
        )
    with collector_paused():
        return validate_stats(_unpickle(data, name), name)


def load_lprof(path: str | os.PathLike[str]) -> Profile:
    """Load one .lprof file as a :class:`Profile`, safely."""
    return load_profiles([path])


def load_profiles(paths: Iterable[str | os.PathLike[str]]) -> Profile:
    """Load one or more .lprof files, merging them into one :class:`Profile`."""
    from lprof_viewer.core.merge import merge_stats, with_sources_found

    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no profile files given")
    with collector_paused():
        stats = [read_stats(p) for p in files]
        if len(stats) == 1:
            raw = stats[0]
        else:  # two scripts run as ``kernprof -l manage.py`` in two folders are two files
            raw = merge_stats(list(map(with_sources_found, stats, files)))
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
