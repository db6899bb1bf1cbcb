"""Match the functions of two profiles: the same function in run A and in run B.

By file and qualified name first, then by what can change between runs
while the function stays the same: its first line (code inserted above),
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


def match_functions(
    functions_a: Iterable[FunctionProfile], functions_b: Iterable[FunctionProfile]
) -> list[tuple[FunctionProfile | None, FunctionProfile | None]]:
    """Pairs of the same function in A and B; a function found in one run only pairs with None."""
    left, right = list(functions_a), list(functions_b)
    pairs: list[tuple[FunctionProfile | None, FunctionProfile | None]] = []
    # Files are compared once: when the runs share none, the same-file keys cannot match.
    no_file_in_common = _no_file_in_common(left, right)
    for key_of in _MATCH_KEYS:
        if not left or not right:
            break
        if key_of in _SAME_FILE_KEYS and no_file_in_common:
            continue
        found, left, right = _match_by(key_of, left, right)
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


#: How a function of A finds itself in B, most certain first.
_MATCH_KEYS: tuple[Callable[[FunctionProfile], object], ...] = (
    lambda f: (_file_key(f.filename), f.name, f.start_line),  # the very same
    lambda f: (_file_key(f.filename), f.name),  # moved within its file
    lambda f: (_file_key(f.filename), f.short_name),  # 4.x `name` vs 5.x `Class.name`
    lambda f: (_file_key(f.filename), f.start_line, _timed_offsets(f)),  # renamed in place
    lambda f: (_base(f.filename), f.name),  # the file moved
    lambda f: (_base(f.filename), f.short_name),
)
_SAME_FILE_KEYS = frozenset(_MATCH_KEYS[:4])
