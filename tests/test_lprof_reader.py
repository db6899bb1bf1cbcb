"""Reading .lprof files: the same numbers as line_profiler, every class path, and no code run.

Real profiles come from the session fixtures (kernprof output). Hostile and broken files
are hand-made here, because no tool writes them; each must give exactly one
``ProfileLoadError`` whose sentence names the file and says what is wrong.
"""

import builtins
import copyreg
import io
import json
import os
import pickle
import pickletools
import random
import struct
import subprocess
import sys
import time
import types
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import line_profiler._line_profiler as c_line_profiler
import pytest
from fixtures import PROFILE_FIXTURES, run_python
from line_profiler import LineStats, load_stats

from lprof_viewer.cli import main
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_lprof

REPO_ROOT = Path(__file__).resolve().parent.parent


def _as_plain(timings: Any) -> dict[tuple[str, int, str], list[tuple[int, int, Any]]]:
    """Timings with lists of tuples, for comparing whatever container a loader used."""
    return {tuple(key): [tuple(line) for line in lines] for key, lines in timings.items()}


def _load_error(path: Path) -> str:
    """The message of the one ProfileLoadError that loading ``path`` raises."""
    with pytest.raises(ProfileLoadError) as caught:
        load_lprof(path)
    message = str(caught.value)
    assert message.startswith(path.name), message
    assert "\n" not in message and message.endswith("."), message
    return message


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _linestats_pickle(timings: Any, unit: Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
    """A pickle of line_profiler's own LineStats holding any timings and unit, good or bad."""
    stats = LineStats({}, 1e-6)
    stats.timings = timings
    stats.unit = unit
    return pickle.dumps(stats, protocol)


# --- real profiles ----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture_name", PROFILE_FIXTURES)
def test_profile_has_line_profilers_numbers(fixture_name: str, request: pytest.FixtureRequest):
    path: Path = request.getfixturevalue(fixture_name)
    expected = load_stats(path)

    profile = load_lprof(path)

    assert profile.unit == expected.unit
    assert profile.timings() == _as_plain(expected.timings)
    assert profile.paths == (path,)
    for function in profile:
        lines = expected.timings[function.key]
        assert function.total_ticks == sum(time for _, _, time in lines)
        assert function.total_hits == sum(hits for _, hits, _ in lines)
        assert function.total_time == pytest.approx(function.total_ticks * expected.unit)
    totals = [function.total_ticks for function in profile]
    assert totals == sorted(totals, reverse=True), "functions must come biggest total time first"


def test_busy_profile_puts_the_slowest_function_first(busy_lprof: Path):
    expected = load_stats(busy_lprof)
    slowest = max(expected.timings, key=lambda key: sum(t for _, _, t in expected.timings[key]))

    assert load_lprof(busy_lprof).functions[0].key == slowest


# --- class paths and pickle protocols -------------------------------------------------------


def _class_paths(data: bytes) -> set[str]:
    """The ``module.name`` globals a pickle asks for (GLOBAL and STACK_GLOBAL opcodes)."""
    found, strings = set(), []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
        elif opcode.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif isinstance(arg, str):
            strings.append(arg)
    return found


def _assert_loads_like(path: Path, reference: Path) -> None:
    expected = load_stats(reference)
    profile = load_lprof(path)
    assert profile.unit == expected.unit
    assert profile.timings() == _as_plain(expected.timings)


@pytest.mark.parametrize("protocol", [0, 1, 2, pickle.HIGHEST_PROTOCOL])
def test_current_class_path_in_every_protocol(busy_lprof: Path, tmp_path: Path, protocol: int):
    data = pickle.dumps(load_stats(busy_lprof), protocol)
    assert "line_profiler.line_profiler.LineStats" in _class_paths(data)

    _assert_loads_like(_write(tmp_path, "current.lprof", data), busy_lprof)


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_line_profiler_3_to_5_0_class_path(busy_lprof: Path, tmp_path: Path, protocol: int):
    stats = load_stats(busy_lprof)
    data = pickle.dumps(c_line_profiler.LineStats(stats.timings, stats.unit), protocol)
    assert "line_profiler._line_profiler.LineStats" in _class_paths(data)

    _assert_loads_like(_write(tmp_path, "lp4.lprof", data), busy_lprof)


def _rkern_pickle(timings: Any, unit: float, protocol: int) -> bytes:
    """Pickle as the original rkern releases did: a ``_line_profiler.LineStats`` instance."""
    module = types.ModuleType("_line_profiler")
    old_class = type("LineStats", (), {"__module__": "_line_profiler"})
    module.LineStats = old_class  # type: ignore[attr-defined]
    saved = sys.modules.get("_line_profiler")
    sys.modules["_line_profiler"] = module
    try:
        stats = old_class()
        stats.timings = timings
        stats.unit = unit
        return pickle.dumps(stats, protocol)
    finally:
        if saved is None:
            del sys.modules["_line_profiler"]
        else:
            sys.modules["_line_profiler"] = saved


@pytest.mark.parametrize("protocol", [0, 2])
def test_old_rkern_class_path(busy_lprof: Path, tmp_path: Path, protocol: int):
    stats = load_stats(busy_lprof)
    data = _rkern_pickle(stats.timings, stats.unit, protocol)
    assert "_line_profiler.LineStats" in _class_paths(data)
    assert "_line_profiler" not in sys.modules

    _assert_loads_like(_write(tmp_path, "rkern.lprof", data), busy_lprof)


def _as_python2_strings(data: bytes) -> bytes:
    """Rewrite a protocol 2 pickle's unicode strings as Python 2 byte strings (BINSTRING)."""
    out, previous = [], 0
    ops = [*pickletools.genops(data), (None, None, len(data))]
    for (opcode, arg, start), (_, _, end) in pairwise(ops):
        if opcode.name == "BINUNICODE":
            raw = arg.encode("utf-8", "surrogateescape")
            out += [data[previous:start], b"T", struct.pack("<i", len(raw)), raw]
            previous = end
    out.append(data[previous:])
    return b"".join(out)


def test_python2_byte_strings_read_as_utf8(busy_lprof: Path, tmp_path: Path):
    stats = load_stats(busy_lprof)
    data = _as_python2_strings(_rkern_pickle(stats.timings, stats.unit, 2))
    opcodes = {opcode.name for opcode, _, _ in pickletools.genops(data)}
    assert "BINSTRING" in opcodes
    assert "BINUNICODE" not in opcodes

    _assert_loads_like(_write(tmp_path, "py2.lprof", data), busy_lprof)


def test_python2_undecodable_file_name_survives(tmp_path: Path):
    name = os.fsdecode(b"/srv/caf\xe9/app.py")  # latin-1 bytes, as Python 2 recorded them
    data = _as_python2_strings(_rkern_pickle({(name, 3, "view"): [(4, 2, 10)]}, 1e-6, 2))

    (function,) = load_lprof(_write(tmp_path, "py2.lprof", data))

    assert os.fsencode(function.filename) == b"/srv/caf\xe9/app.py"
    assert function.lines == [(4, 2, 10)]


def test_numbers_at_the_limits_are_accepted(tmp_path: Path):
    timings = {KEY: [(2**31 - 1, 2**63 - 1, 2**63 - 1), (0, 0, 0)]}
    data = _linestats_pickle(timings, 1e-9)

    (function,) = load_lprof(_write(tmp_path, "limits.lprof", data))

    assert function.lines == [(2**31 - 1, 2**63 - 1, 2**63 - 1), (0, 0, 0)]
    assert function.total_hits == 2**63 - 1


def test_float_ticks_of_a_merged_file_are_accepted(tmp_path: Path):
    data = _linestats_pickle({KEY: [(11, 2, 1.5), (12, 1, 3)], ("b.py", 1, "g"): []}, 1e-6)

    profile = load_lprof(_write(tmp_path, "floats.lprof", data))

    assert [f.name for f in profile] == ["view", "g"]
    assert profile.functions[0].lines == [(11, 2, 1.5), (12, 1, 3)]
    assert profile.functions[0].total_time == pytest.approx(4.5e-6)
    assert profile.functions[0].total_hits == 3


def test_bools_read_as_the_numbers_they_equal(tmp_path: Path):
    data = _linestats_pickle({KEY: [(11, True, 500), (12, False, True)]}, 1e-6)

    (function,) = load_lprof(_write(tmp_path, "bools.lprof", data))

    assert function.lines == [(11, 1, 500), (12, 0, 1)]
    assert {type(value) for line in function.lines for value in line} == {int}


def test_lists_where_kernprof_writes_tuples_are_accepted(tmp_path: Path):
    data = _linestats_pickle({("app.py", 3, "view"): [[4, 2, 10], [5, 1, 7]]}, 1e-6)

    (function,) = load_lprof(_write(tmp_path, "lists.lprof", data))

    assert function.lines == [(4, 2, 10), (5, 1, 7)]
    assert function.total_ticks == 17


def test_loads_without_line_profiler_installed(busy_lprof: Path, tmp_path: Path):
    code = (
        "import json, sys\n"
        "sys.modules['line_profiler'] = None  # import line_profiler now fails\n"
        "from lprof_viewer.core.lprof_reader import load_lprof\n"
        "profile = load_lprof(sys.argv[1])\n"
        "try:\n"
        "    import line_profiler.line_profiler\n"
        "    print('line_profiler importable'); sys.exit(3)\n"
        "except ImportError:\n"
        "    pass\n"
        "print(json.dumps({'unit': profile.unit,\n"
        "                  'timings': [[*f.key, f.lines] for f in profile]}))\n"
    )
    proc = run_python("-c", code, str(busy_lprof), cwd=tmp_path)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    loaded = json.loads(proc.stdout)
    expected = load_stats(busy_lprof)
    assert loaded["unit"] == expected.unit
    timings = {(f, n, name): [tuple(x) for x in lines] for f, n, name, lines in loaded["timings"]}
    assert timings == _as_plain(expected.timings)


# --- broken files ----------------------------------------------------------------------------


def test_empty_file(tmp_path: Path):
    message = _load_error(_write(tmp_path, "empty.lprof", b""))
    assert "empty" in message


@pytest.mark.parametrize("kept", [0.5, 0.1, 0.99, 1, 2, 3, 4])
def test_truncated_profile_says_so(busy_lprof: Path, tmp_path: Path, kept: float):
    data = busy_lprof.read_bytes()
    size = kept if isinstance(kept, int) else int(len(data) * kept)  # a share, or bytes
    path = _write(tmp_path, "cut.lprof", data[:size])

    message = _load_error(path)

    assert "truncated" in message
    assert "kernprof" in message


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes(tmp_path: Path, seed: int):
    data = random.Random(seed).randbytes(4096)

    message = _load_error(_write(tmp_path, "noise.lprof", data))

    assert "not a line_profiler profile" in message


def _line_profiler_text(profile: Path) -> bytes:
    """What ``python -m line_profiler`` prints for a profile: a text a user may save as .lprof."""
    proc = subprocess.run(
        [sys.executable, "-m", "line_profiler", "--no-config", str(profile)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return proc.stdout


@pytest.mark.parametrize("kind", ["line_profiler output", "python source", "json", "one word"])
def test_text_file(busy_lprof: Path, tmp_path: Path, kind: str):
    texts = {
        "line_profiler output": lambda: _line_profiler_text(busy_lprof),
        "python source": lambda: (Path(__file__).parent / "scripts" / "busy.py").read_bytes(),
        "json": lambda: b'{"timings": {}, "unit": 1e-06}\n',
        "one word": lambda: b"hello\n",
    }
    message = _load_error(_write(tmp_path, "notes.lprof", texts[kind]()))
    assert "text file" in message
    assert "truncated" not in message


def test_truncated_protocol_0_profile_is_truncated_not_text(busy_lprof: Path, tmp_path: Path):
    data = pickle.dumps(load_stats(busy_lprof), 0)  # protocol 0 pickles are ASCII text
    message = _load_error(_write(tmp_path, "p0.lprof", data[: len(data) // 2]))
    assert "truncated" in message


@pytest.mark.parametrize(
    ("thing", "type_name"),
    [
        ({"timings": {}, "unit": 1e-6}, "dict"),
        ([1, 2, 3], "list"),
        ("LineStats", "str"),
        (7, "int"),
    ],
)
def test_pickle_of_something_else(tmp_path: Path, thing: Any, type_name: str):
    message = _load_error(_write(tmp_path, "other.lprof", pickle.dumps(thing)))
    assert "not a line_profiler profile" in message
    assert type_name in message


def test_missing_file(tmp_path: Path):
    message = _load_error(tmp_path / "nowhere.lprof")
    assert "does not exist" in message


def test_folder(tmp_path: Path):
    folder = tmp_path / "results.lprof"
    folder.mkdir()
    message = _load_error(folder)
    assert "folder" in message


# --- pickles that try to run code ----------------------------------------------------------


class _Reduces:
    """Pickles as a call of ``func(*args)``: what a hostile .lprof would hold."""

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.func, self.args)


def _protocol0_string(text: str) -> bytes:
    return b"S" + repr(text).encode() + b"\n"


def _hostile_pickles(marker: Path) -> dict[str, bytes]:
    """Pickles that create ``marker`` when pickle.loads runs them."""
    import posix

    touch = f"touch {marker}"
    python_code = f"open({str(marker)!r}, 'w').close()"
    getattr_chain = (  # getattr(__import__('os'), 'system')('touch MARKER')
        b"cbuiltins\ngetattr\n(cbuiltins\n__import__\n("
        + _protocol0_string("os")
        + b"tR"
        + _protocol0_string("system")
        + b"tR("
        + _protocol0_string(touch)
        + b"tR."
    )
    reconstructor_chain = (  # copyreg._reconstructor(Popen, Popen, ['touch', MARKER])
        b"ccopyreg\n_reconstructor\n(csubprocess\nPopen\ncsubprocess\nPopen\n(l"
        + _protocol0_string("touch")
        + b"a"
        + _protocol0_string(str(marker))
        + b"atR."
    )
    return {
        "os.system": b"cos\nsystem\n(" + _protocol0_string(touch) + b"tR.",
        "posix.system": pickle.dumps(_Reduces(posix.system, touch)),
        "builtins.exec": pickle.dumps(_Reduces(builtins.exec, python_code)),
        "builtins.eval": pickle.dumps(_Reduces(builtins.eval, python_code)),
        "subprocess.Popen": pickle.dumps(_Reduces(subprocess.Popen, ["touch", str(marker)])),
        "builtins.getattr": getattr_chain,
        "copyreg._reconstructor": reconstructor_chain,
        "inside LineStats": _linestats_pickle(
            {("app.py", 1, "f"): _Reduces(builtins.exec, python_code)}, 1e-6
        ),
    }


def _wait_for(path: Path, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return path.exists()


@pytest.mark.parametrize("case", list(_hostile_pickles(Path("MARKER"))))
def test_pickle_that_runs_code_is_refused_and_never_runs(tmp_path: Path, case: str):
    marker = tmp_path / "MARKER"
    data = _hostile_pickles(marker)[case]
    path = _write(tmp_path, "hostile.lprof", data)

    message = _load_error(path)
    # A shell command or child process would create the marker a moment later.
    time.sleep(0.2)

    assert not marker.exists(), "opening the profile ran code"
    assert "refused" in message
    assert "never run code" in message

    # Control: the same bytes really do run code when given to pickle.loads.
    result = pickle.loads(data)
    if isinstance(result, subprocess.Popen):
        result.wait(timeout=10)
    assert _wait_for(marker), f"the {case} payload is not live, so the test proves nothing"


# --- wrong shapes and types -----------------------------------------------------------------


KEY = ("app.py", 10, "view")
GOOD_LINES = [(11, 2, 500), (12, 1, 100)]

BAD_TIMINGS = {
    "timings a list": ([(KEY, GOOD_LINES)], ["timings of type list"]),
    "timings None": (None, ["timings of type NoneType"]),
    "key a string": ({"app.py:10:view": GOOD_LINES}, ["function entry", "app.py:10:view"]),
    "key of two": ({("app.py", 10): GOOD_LINES}, ["function entry"]),
    "key line a str": ({("app.py", "10", "view"): GOOD_LINES}, ["function entry"]),
    "key file bytes": ({(b"app.py", 10, "view"): GOOD_LINES}, ["function entry"]),
    "lines a string": ({KEY: "11 2 500"}, ["view", "expected a list", "str"]),
    "lines a dict": ({KEY: {11: (2, 500)}}, ["view", "expected a list", "dict"]),
    "line of two": ({KEY: [(11, 2)]}, ["view", "(line number, hits, time)"]),
    "line of four": ({KEY: [(11, 2, 500, 0)]}, ["view", "(line number, hits, time)"]),
    "line an int": ({KEY: [11, 2, 500]}, ["view", "(line number, hits, time)"]),
    "line a set": ({KEY: [{11, 2, 500}]}, ["view", "(line number, hits, time)"]),
    "line a str of three": ({KEY: ["abc"]}, ["view", "(line number, hits, time)"]),
    "line number 2**31": ({KEY: [(2**31, 2, 500)]}, ["view", "too large"]),
    "line number 2**32": ({KEY: [(2**32, 2, 500)]}, ["view", "too large"]),
    "hits 2**64": ({KEY: [(11, 2**64, 500)]}, ["view", "too large"]),
    "hits 2**63": ({KEY: [(11, 2**63, 500)]}, ["view", "too large"]),
    "time 2**63": ({KEY: [(11, 2, 2**63)]}, ["view", "too large"]),
    "hits negative": ({KEY: [(11, -2, 500)]}, ["view", "negative"]),
    "line negative": ({KEY: [(-11, 2, 500)]}, ["view", "negative"]),
    "hits a string": ({KEY: [(11, "2", 500)]}, ["view", "whole numbers"]),
    "hits a float": ({KEY: [(11, 2.0, 500)]}, ["view", "whole numbers"]),
    "line a string": ({KEY: [("11", 2, 500)]}, ["view", "whole numbers"]),
    "time a string": ({KEY: [(11, 2, "500")]}, ["view", "times must be numbers"]),
    "time None": ({KEY: [(11, 2, None)]}, ["view", "times must be numbers"]),
    "time nan": ({KEY: [(11, 2, float("nan"))]}, ["view", "finite"]),
    "time inf": ({KEY: [(11, 2, float("inf"))]}, ["view", "finite"]),
    "time negative": ({KEY: [(11, 2, -500)]}, ["view", "not negative"]),
}


@pytest.mark.parametrize("case", list(BAD_TIMINGS))
def test_wrong_types_in_timings(tmp_path: Path, case: str):
    timings, words = BAD_TIMINGS[case]
    message = _load_error(_write(tmp_path, "bad.lprof", _linestats_pickle(timings, 1e-6)))
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("unit", "words"),
    [
        (0, ["0", "positive finite"]),
        (0.0, ["positive finite"]),
        (-1e-6, ["-1e-06", "positive finite"]),
        (float("nan"), ["nan", "positive finite"]),
        (float("inf"), ["inf", "positive finite"]),
        ("1e-6", ["type str", "not a number"]),
        (None, ["type NoneType", "not a number"]),
        ([1e-6], ["type list", "not a number"]),
    ],
)
def test_bad_timer_unit(tmp_path: Path, unit: Any, words: list[str]):
    data = _linestats_pickle({KEY: GOOD_LINES}, unit)
    message = _load_error(_write(tmp_path, "unit.lprof", data))
    assert "timer unit" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("timings", "unit"),
    [
        ({}, 10**5000),  # math.isfinite() overflows
        ({("app.py", 10**5000, "view"): [[11, 2, 500]]}, 1e-6),  # str() of the int fails
        ({(1, 10**5000, "view"): GOOD_LINES}, 1e-6),  # repr() of the key fails
        ({KEY: [(11, 2, 1.5), (12, 1, 10**400)]}, 1e-6),  # isfinite() on a huge int
    ],
    ids=["huge unit", "huge first line", "huge int in bad key", "huge int among floats"],
)
def test_numbers_too_large_for_a_float_or_str(tmp_path: Path, timings: Any, unit: Any):
    message = _load_error(_write(tmp_path, "huge.lprof", _linestats_pickle(timings, unit)))
    assert "too large" in message


# --- absurd nesting and lengths --------------------------------------------------------------

DEPTH = 1_000_000


def _binunicode(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _hand_made_linestats(timings_ops: bytes) -> bytes:
    """A protocol 2 LineStats whose timings are the given opcodes and whose unit is 1e-6."""
    return (
        b"\x80\x02cline_profiler.line_profiler\nLineStats\n)\x81}("
        + _binunicode("timings")
        + timings_ops
        + _binunicode("unit")
        + b"G"
        + struct.pack(">d", 1e-6)
        + b"ub."
    )


NESTED = {  # case: (file contents, what the message must say)
    "list in list": (
        b"\x80\x04" + b"]" * DEPTH + b"a" * (DEPTH - 1) + b".",
        "holds a pickled list",
    ),
    "marks only": (b"(" * DEPTH, "not a line_profiler profile"),
    "tuple in tuple": (b"\x80\x02N" + b"\x85" * DEPTH + b".", "holds a pickled tuple"),
    "lines nested": (
        _hand_made_linestats(
            b"}" + _binunicode("app.py") + b"K\x01" + _binunicode("f") + b"\x87"
            b"]" + b"]" * DEPTH + b"a" * DEPTH + b"s"
        ),
        "every line must be (line number, hits, time)",
    ),
    "key of depth 5,000": (  # hashable, but too deep for repr()
        _hand_made_linestats(b"}N" + b"\x85" * 5_000 + b"K\x01" + _binunicode("f") + b"\x87]s"),
        "nesting too deep",
    ),
}


@pytest.mark.parametrize("case", list(NESTED))
def test_absurd_nesting_fails_fast_and_cleanly(tmp_path: Path, case: str):
    data, words = NESTED[case]
    path = _write(tmp_path, "deep.lprof", data)
    started = time.perf_counter()

    message = _load_error(path)

    assert time.perf_counter() - started < 2.0
    assert words in message


def test_deeply_nested_tuple_key_does_not_crash_the_process(tmp_path: Path):
    data = _hand_made_linestats(b"}N" + b"\x85" * DEPTH + b"]s")  # {((((None,),),),...): []}
    path = _write(tmp_path, "deepkey.lprof", data)
    code = (
        "import sys\n"
        "from lprof_viewer.core.lprof_reader import ProfileLoadError, load_lprof\n"
        "try:\n"
        "    load_lprof(sys.argv[1])\n"
        "except ProfileLoadError as error:\n"
        "    print(error)\n"
    )
    proc = run_python("-c", code, str(path))
    assert proc.returncode == 0, f"the process died with status {proc.returncode}"
    assert proc.stdout.startswith("deepkey.lprof")


def _u64(n: int) -> bytes:
    return struct.pack("<Q", n)


GIGANTIC = {
    "BINUNICODE8 2**62": b"\x80\x04\x8d" + _u64(2**62) + b"abc",
    "BINUNICODE8 20 GiB": b"\x80\x04\x8d" + _u64(20 * 2**30) + b"abc",
    "BINBYTES8 2**62": b"\x80\x04\x8e" + _u64(2**62) + b"abc",
    "BINBYTES8 20 GiB": b"\x80\x04\x8e" + _u64(20 * 2**30) + b"abc",
    "BYTEARRAY8 2**40": b"\x80\x05\x96" + _u64(2**40) + b"abc",
    "BYTEARRAY8 20 GiB": b"\x80\x05\x96" + _u64(20 * 2**30) + b"abc",
    "FRAME 2**62": b"\x80\x04\x95" + _u64(2**62) + b"abc",
    "FRAME 2**64-1": b"\x80\x04\x95" + _u64(2**64 - 1) + b"abc",
    "LONG4 2**31-1": b"\x80\x02\x8b" + struct.pack("<i", 2**31 - 1) + b"abc",
    "BINUNICODE 4 GiB": b"\x80\x02X" + struct.pack("<I", 2**32 - 1) + b"abc",
    "BINSTRING 2 GiB": b"\x80\x02T" + struct.pack("<i", 2**31 - 1) + b"abc",
    "BINBYTES 4 GiB": b"\x80\x03B" + struct.pack("<I", 2**32 - 1) + b"abc",
    "BINBYTES8 in a FRAME": b"\x80\x04\x95" + _u64(20) + b"\x8e" + _u64(20 * 2**30) + b"abc",
    "inside LineStats": _hand_made_linestats(b"\x8d" + _u64(20 * 2**30) + b"abc"),
}

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_lprof
results = {}
for path in sorted(Path(sys.argv[1]).iterdir()):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        load_lprof(path)
        outcome = "loaded"
    except ProfileLoadError as error:
        outcome = str(error)
    results[path.name] = {
        "seconds": time.perf_counter() - started,
        "rss_growth_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before,
        "outcome": outcome,
    }
print(json.dumps(results))
"""


def test_gigantic_lengths_fail_fast_without_allocating(tmp_path: Path):
    folder = tmp_path / "gigantic"
    folder.mkdir()
    names = {f"case{index:02d}.lprof": case for index, case in enumerate(GIGANTIC)}
    for name, case in names.items():
        _write(folder, name, GIGANTIC[case])

    # A child process, so its peak memory is only the reader's.
    proc = run_python("-c", _MEASURE, str(folder))

    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert set(results) == set(names)
    for name, result in results.items():
        case = names[name]
        assert result["outcome"].startswith(name), f"{case}: {result['outcome']}"
        assert result["seconds"] < 2.0, f"{case} took {result['seconds']:.1f} s"
        assert result["rss_growth_kib"] < 200 * 1024, f"{case} grew RSS by {result}"


# --- the command line ------------------------------------------------------------------------


def _bad_files(folder: Path, busy_lprof: Path) -> dict[str, Path]:
    data = busy_lprof.read_bytes()
    return {
        "empty": _write(folder, "empty.lprof", b""),
        "truncated": _write(folder, "cut.lprof", data[: len(data) // 2]),
        "text": _write(folder, "notes.lprof", b"hello\n"),
        "hostile": _write(folder, "evil.lprof", _hostile_pickles(folder / "MARKER")["os.system"]),
        "bad unit": _write(folder, "unit.lprof", _linestats_pickle({KEY: GOOD_LINES}, 0)),
        "deep": _write(folder, "deep.lprof", NESTED["key of depth 5,000"][0]),
        "missing": folder / "nowhere.lprof",
    }


@pytest.mark.parametrize("verb", ["export", "merge"])
def test_cli_reports_a_bad_file_in_one_line(
    busy_lprof: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
):
    for case, bad in _bad_files(tmp_path, busy_lprof).items():
        args = (
            [verb, str(bad)]
            if verb == "export"
            else [verb, str(bad), "-o", str(tmp_path / "out.lprof")]
        )
        status = main(args, stdout=io.StringIO())

        captured = capsys.readouterr()
        assert status == 2, case
        lines = captured.err.splitlines()
        assert len(lines) == 1, f"{case}: {captured.err!r}"
        assert lines[0].startswith(f"lprof-viewer: {bad.name}"), case
        assert "Traceback" not in captured.err
    assert not (tmp_path / "MARKER").exists()


def test_cli_bad_file_as_a_real_process(busy_lprof: Path, tmp_path: Path):
    data = busy_lprof.read_bytes()
    bad = _write(tmp_path, "cut.lprof", data[: len(data) // 2])

    proc = run_python("-m", "lprof_viewer", "export", str(bad), cwd=tmp_path)

    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("lprof-viewer: cut.lprof is truncated")
    assert "Traceback" not in proc.stderr


def test_reader_never_calls_pickle_load(monkeypatch: pytest.MonkeyPatch, busy_lprof: Path):
    expected = load_stats(busy_lprof)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the reader handed a user's file to pickle's own loader")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(copyreg, "_reconstructor", forbidden)

    assert load_lprof(busy_lprof).timings() == _as_plain(expected.timings)
