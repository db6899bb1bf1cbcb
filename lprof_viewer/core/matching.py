"""Match the functions of two profiles: the same function in run A and in run B.

By file and qualified name first, then by what can change between runs
while the function stays the same: its first line (code inserted above;
functions of one name, as line_profiler 4.x records methods, by their order),
its qualification (line_profiler 4.x records ``interest_path`` where 5.x
records ``User.interest_path``), its name (renamed in place: same place and
same shape of timed lines, so a function deleted and a new one written where
it was stay two functions) or its folder (the file moved). Only an
unambiguous match counts.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import PurePath

from lprof_viewer.core.model import FunctionProfile


@lru_cache(maxsize=4096)  # a profile names a few files, for thousands of functions
def _file_key(filename: str) -> str:
    return os.path.normcase(os.path.normpath(filename))


@lru_cache(maxsize=4096)
def _base(filename: str) -> str:
    return PurePath(filename.replace("\\", "/")).name


def _timed_offsets(function: FunctionProfile) -> tuple[int, ...]:
    """Where its timed lines are, counted from its first line: the shape of its code."""
    start = function.start_line
    return tuple(lineno - start for lineno in function.linenos)


def _outline(function: FunctionProfile) -> tuple[int, ...]:
    """How many lines were timed, and the first and last offsets: a cheap shape."""
    linenos, start = function.linenos, function.start_line
    return (len(linenos), linenos[0] - start, linenos[-1] - start) if linenos else (0,)


def match_functions(
    functions_a: Iterable[FunctionProfile], functions_b: Iterable[FunctionProfile]
) -> list[tuple[FunctionProfile | None, FunctionProfile | None]]:
    """Pairs of the same function in A and B; a function found in one run only pairs with None."""
    left, right = list(functions_a), list(functions_b)
    pairs: list[tuple[FunctionProfile | None, FunctionProfile | None]] = []
    # Files are compared once: when the runs share none, the same-file keys cannot match.
    no_file_in_common = _no_file_in_common(left, right)
    for make_key in _MATCH_KEYS:
        if not left or not right:
            break
        if make_key in _SAME_FILE_KEYS and no_file_in_common:
            continue
        found, left, right = _match_by(make_key(left, right), left, right)
        pairs += found
    pairs.extend((function, None) for function in left)
    pairs.extend((None, function) for function in right)
    return pairs


def _match_by(
    key_of: Callable[[FunctionProfile], object],
    functions_a: list[FunctionProfile],
    functions_b: list[FunctionProfile],
) -> tuple[
    list[tuple[FunctionProfile | None, FunctionProfile | None]],
    list[FunctionProfile],
    list[FunctionProfile],
]:
    """Pairs whose key is unambiguous (one function with it on each side); then the rest of each."""
    keys_a, keys_b = list(map(key_of, functions_a)), list(map(key_of, functions_b))
    count_a, count_b = Counter(keys_a), Counter(keys_b)
    by_key_b = dict(zip(keys_b, functions_b, strict=True))
    pairs: list[tuple[FunctionProfile | None, FunctionProfile | None]] = []
    left = []
    for function, key in zip(functions_a, keys_a, strict=True):
        if count_a[key] == 1 and count_b.get(key) == 1:
            pairs.append((function, by_key_b[key]))
        else:
            left.append(function)
    matched = {id(b) for _, b in pairs}
    right = [function for function in functions_b if id(function) not in matched]
    return pairs, left, right


def _no_file_in_common(
    functions_a: Iterable[FunctionProfile], functions_b: Iterable[FunctionProfile]
) -> bool:
    files_a = {_file_key(f.filename) for f in functions_a}
    return files_a.isdisjoint({_file_key(f.filename) for f in functions_b})


KeyOf = Callable[[FunctionProfile], object]


def _each(key_of: KeyOf) -> Callable[[list[FunctionProfile], list[FunctionProfile]], KeyOf]:
    """A key that looks at each function alone."""
    return lambda _a, _b: key_of


def _in_order_among_namesakes(
    name_of: Callable[[FunctionProfile], str],
) -> Callable[[list[FunctionProfile], list[FunctionProfile]], KeyOf]:
    """The k-th of the n functions of one name in a file, when both runs have n of them.

    For a name only one function has, that is its file and name. line_profiler
    before 5.0 records ``run`` for both ``A.run`` and ``B.run``: once the code
    moved, neither the name nor the line tells them apart; their order does.
    """

    def make_key(left: list[FunctionProfile], right: list[FunctionProfile]) -> KeyOf:
        keys: dict[int, object] = {}
        for side in (left, right):
            groups: dict[tuple[str, str], list[FunctionProfile]] = {}
            for function in side:
                group = (_file_key(function.filename), name_of(function))
                groups.setdefault(group, []).append(function)
            for group, members in groups.items():
                members.sort(key=lambda f: f.start_line)
                for rank, function in enumerate(members):
                    keys[id(function)] = (*group, rank, len(members))
        return lambda function: keys[id(function)]

    return make_key


def _renamed_in_place(left: list[FunctionProfile], right: list[FunctionProfile]) -> KeyOf:
    """Same file, same first line, same shape of timed lines, and a name the other run lacks.

    Only a real rename: a function whose name the other run still has is not
    taken for another one that now starts where it did.
    """
    names = {id(side): {f.short_name for f in side} for side in (left, right)}
    others = {id(f): names[id(right)] for f in left} | {id(f): names[id(left)] for f in right}

    def key_of(function: FunctionProfile) -> object:
        if function.short_name in others[id(function)]:
            return object()  # matches nothing
        return (_file_key(function.filename), function.start_line, _timed_offsets(function))

    return key_of


#: How a function of A finds itself in B, most certain first.
_MATCH_KEYS: tuple[Callable[[list[FunctionProfile], list[FunctionProfile]], KeyOf], ...] = (
    # The very same: place, name and shape (4.x namesakes can land on each other's line).
    _each(lambda f: (_file_key(f.filename), f.name, f.start_line, _outline(f))),
    _in_order_among_namesakes(lambda f: f.name),  # moved within its file
    _in_order_among_namesakes(lambda f: f.short_name),  # 4.x `run` vs 5.x `A.run`
    _renamed_in_place,
    _each(lambda f: (_base(f.filename), f.name)),  # the file moved
    _each(lambda f: (_base(f.filename), f.short_name)),
)
_SAME_FILE_KEYS = frozenset(_MATCH_KEYS[:4])
