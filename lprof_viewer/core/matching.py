"""Match the functions of two profiles: the same function in run A and in run B.

By file and qualified name first (functions of one name, as line_profiler
4.x records methods, by their order), then by what can change between runs
while the function stays the same: its first line (code inserted above),
its qualification (line_profiler 4.x records ``interest_path`` where 5.x
records ``User.interest_path``), its name (renamed in place: same place and
same shape of timed lines, so a function deleted and a new one written where
it was stay two functions; or in its place between the same neighbours, when
lines above it were added or removed), its file (moved, or another
checkout: the file whose path ends as its own does, ``_same_file``; the
function perhaps renamed there too) or, last, its module (a name no other
function has, moved to another file). Only an unambiguous match counts.
"""

from __future__ import annotations

import bisect
import os
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter

from lprof_viewer.core.model import FunctionProfile, qualifies_names


@lru_cache(maxsize=4096)  # a profile names a few files, for thousands of functions
def _file_key(filename: str) -> str:
    return os.path.normcase(os.path.normpath(filename))


def _timed_offsets(function: FunctionProfile) -> tuple[int, ...]:
    """Where its timed lines are, counted from its first line: the shape of its code."""
    start = function.start_line
    return tuple(lineno - start for lineno in function.linenos)


def match_functions(
    functions_a: Iterable[FunctionProfile], functions_b: Iterable[FunctionProfile]
) -> list[tuple[FunctionProfile | None, FunctionProfile | None]]:
    """Pairs of the same function in A and B; a function found in one run only pairs with None."""
    left, right = list(functions_a), list(functions_b)
    files_a, files_b = ({_file_key(f.filename) for f in side} for side in (left, right))
    # Unqualified names are line_profiler 4.x's: only then may `run` be `A.run`.
    by_short_name = not (qualifies_names(left) and qualifies_names(right))
    # A renamed class (Bar.save is Baz.save) is a rename too, where names are qualified.
    renamed = _SHORT_NAME if by_short_name else _NAME
    moved = _paths_ending_alike(files_a - files_b, files_b - files_a)
    same_file = _same_file(moved, MOVED_FILE_SHARES)
    # Beside files both runs name, a file that moved and a function renamed in it need more
    # to be told from another package's file of that name: its folder too.
    two_checkouts = files_a.isdisjoint(files_b)
    same_file_renamed = same_file if two_checkouts else _same_file(moved, RENAMED_FILE_SHARES)
    pairs: list[tuple[FunctionProfile | None, FunctionProfile | None]] = []
    tiers: list[MakeKeys] = [
        _by_name(same_file, _NAME),
        *[_by_name(same_file, _SHORT_NAME)] * by_short_name,
        _renamed_in_place(same_file_renamed, renamed),
        # Renamed while lines above it were added or removed.
        _renamed_between_neighbours(pairs, renamed, same_file_renamed),
        _moved_to_another_file(left, right),
    ]
    for make_keys in tiers:
        if not left or not right:
            break
        found, left, right = _match_by(make_keys(left, right), left, right)
        pairs += found
    pairs.extend((function, None) for function in left)
    pairs.extend((None, function) for function in right)
    return pairs


#: How many of a path's last parts (its name, its folder...) a file that only one run names
#: must share with one only the other names to be taken for it, moved: its name alone...
MOVED_FILE_SHARES = 1
#: ...and to be taken for it with a function renamed in it, beside files both runs name.
RENAMED_FILE_SHARES = 2


def _same_file(moved: dict[str, tuple[str, int]], shares: int) -> Callable[[str], str]:
    """A file's key in A's terms: the same for a file of A and the file it became in B.

    A file both runs name is itself. One that only B names is the file only A
    names whose path ends as its own does (``_paths_ending_alike``), in
    ``shares`` parts or more.
    """
    moved_to = {b: a for b, (a, shared) in moved.items() if shared >= shares}

    def file_of(filename: str) -> str:
        key = _file_key(filename)
        return moved_to.get(key, key)

    return file_of


def _paths_ending_alike(only_a: set[str], only_b: set[str]) -> dict[str, tuple[str, int]]:
    """Files only B names, each with the file only A names it is, and how many of their
    paths' last parts they share (``before/app1/views.py`` and ``after/app1/views.py``: 2).

    The longest shared ends first: two files alone in ending with the same
    ``depth`` parts pair, then shorter ends are looked at among the files
    left, so ``v2/api/views.py`` pairing with its copy leaves ``api/views.py``
    to pair with its own, and ``app2/views.py`` is never ``app1/views.py``
    moved. In one pass per depth: a package profiled whole names thousands
    of ``__init__.py``.
    """
    parts = {key: _parts_from_the_end(key) for key in (*only_a, *only_b)}
    left = [set(only_a), set(only_b)]
    deepest = max(map(len, parts.values()), default=0)
    moved: dict[str, tuple[str, int]] = {}
    for depth in range(deepest, 0, -1):
        ends: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
        for side, files in enumerate(left):
            for key in files:
                if len(parts[key]) >= depth:
                    ends.setdefault(parts[key][:depth], ([], []))[side].append(key)
        for files_a, files_b in ends.values():
            if len(files_a) == len(files_b) == 1:
                moved[files_b[0]] = files_a[0], depth
                left[0].discard(files_a[0])
                left[1].discard(files_b[0])
    return moved


def _parts_from_the_end(key: str) -> tuple[str, ...]:
    """A file key's parts, its name first (Windows paths recorded elsewhere too)."""
    return tuple(reversed(key.replace("\\", "/").split("/")))


def _match_by(
    keys: tuple[list[object], list[object]],
    functions_a: list[FunctionProfile],
    functions_b: list[FunctionProfile],
) -> tuple[
    list[tuple[FunctionProfile | None, FunctionProfile | None]],
    list[FunctionProfile],
    list[FunctionProfile],
]:
    """Pairs whose key is unambiguous (one function with it on each side); then the rest of each.

    ``keys`` holds each function's key, in the order of ``functions_a`` and ``functions_b``.
    """
    keys_a, keys_b = keys
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


Keys = tuple[list[object], list[object]]
_NAME: Callable[[FunctionProfile], str] = attrgetter("name")
_SHORT_NAME: Callable[[FunctionProfile], str] = attrgetter("short_name")
MakeKeys = Callable[[list[FunctionProfile], list[FunctionProfile]], Keys]


def _by_name(file_of: Callable[[str], str], name_of: Callable[[FunctionProfile], str]) -> MakeKeys:
    """Functions of one name in one file: paired in their order when both runs have as many.

    For a name only one function has, that is its file and name, wherever it
    moved. line_profiler before 5.0 records ``run`` for both ``A.run`` and
    ``B.run`` (and any code has several ``<lambda>``): when both runs have n
    of them, the k-th pairs with the k-th, since code moves but rarely
    reorders. When the counts differ (one was added or removed) only one at
    the very same line pairs; the others are listed as found in one run.
    """

    def make_keys(left: list[FunctionProfile], right: list[FunctionProfile]) -> Keys:
        names = [[(file_of(f.filename), name_of(f)) for f in side] for side in (left, right)]
        counts = [Counter(side) for side in names]
        keys: list[list[object]] = [list(side) for side in names]  # a unique name: itself
        for index, (side, own, other) in enumerate(
            ((left, counts[0], counts[1]), (right, counts[1], counts[0]))
        ):
            shared = {name for name, n in own.items() if n > 1 or other.get(name, 0) > 1}
            if not shared:
                continue
            at = [i for i, name in enumerate(names[index]) if name in shared]
            at.sort(key=lambda i: side[i].start_line)
            ranks: Counter[object] = Counter()
            for i in at:
                name = names[index][i]
                if own[name] == other.get(name, 0):
                    keys[index][i] = (name, ranks[name])  # the k-th of n on both sides
                    ranks[name] += 1
                else:
                    keys[index][i] = (name, "at", side[i].start_line)
        return keys[0], keys[1]

    return make_keys


def _renamed_in_place(
    file_of: Callable[[str], str], name_of: Callable[[FunctionProfile], str] = _SHORT_NAME
) -> MakeKeys:
    """Same file, same first line, same shape of timed lines, and a name the other run lacks.

    Only a real rename: a function whose name (``name_of``) the other run
    still has is not taken for another one that now starts where it did.
    """

    def make_keys(left: list[FunctionProfile], right: list[FunctionProfile]) -> Keys:
        names_a, names_b = ({name_of(f) for f in side} for side in (left, right))

        def key_of(function: FunctionProfile, other_names: set[str]) -> object:
            if name_of(function) in other_names:
                return object()  # matches nothing
            return (file_of(function.filename), function.start_line, _timed_offsets(function))

        return [key_of(f, names_b) for f in left], [key_of(f, names_a) for f in right]

    return make_keys


def _renamed_between_neighbours(
    matched: list[tuple[FunctionProfile | None, FunctionProfile | None]],
    name_of: Callable[[FunctionProfile], str],
    file_of: Callable[[str], str],
) -> MakeKeys:
    """Renamed where it stood among the functions both runs have (``matched`` so far).

    The k-th of n functions between the same two matched neighbours in its
    file, when both runs have n there, each of the same shape as its
    counterpart, of a name the other run lacks, and moved by as much as one
    of its neighbours or an amount between: lines added above it moved it, as
    ``_renamed_in_place`` cannot see. Above the first neighbour or below the
    last, only a function alone there. Files whose matched functions changed
    order are left out.
    """

    def make_keys(left: list[FunctionProfile], right: list[FunctionProfile]) -> Keys:
        starts: dict[str, list[tuple[int, int]]] = {}
        for a, b in matched:
            if a is not None and b is not None and file_of(a.filename) == file_of(b.filename):
                starts.setdefault(file_of(a.filename), []).append((a.start_line, b.start_line))
        neighbours: dict[str, tuple[list[int], list[int]]] = {}
        for file, pairs in starts.items():
            pairs.sort()
            lines_a, lines_b = [a for a, _ in pairs], [b for _, b in pairs]
            if all(x < y for x, y in pairwise(lines_b)):  # in the same order in B
                neighbours[file] = (lines_a, lines_b)
        names = ({name_of(f) for f in left}, {name_of(f) for f in right})
        gaps_a = _gaps(left, neighbours, 0, names[1], name_of, file_of)
        gaps_b = _gaps(right, neighbours, 1, names[0], name_of, file_of)
        keys_a: list[object] = [object() for _ in left]  # each matches nothing...
        keys_b: list[object] = [object() for _ in right]
        for (file, gap), members_a in gaps_a.items():
            members_b = gaps_b.get((file, gap), [])
            if len(members_a) != len(members_b):
                continue
            starts_a, starts_b = neighbours[file]
            # The moves of its neighbours (one above the first or below the last).
            around = [k for k in (gap - 1, gap) if 0 <= k < len(starts_a)]
            if len(around) == 1 and len(members_a) > 1:
                continue  # nothing to tell an edit above them from a rename
            moves = [starts_b[k] - starts_a[k] for k in around]
            for index_a, index_b in zip(members_a, members_b, strict=True):
                a, b = left[index_a], right[index_b]
                move = b.start_line - a.start_line
                if min(moves) <= move <= max(moves) and _timed_offsets(a) == _timed_offsets(b):
                    keys_a[index_a] = keys_b[index_b] = (file, gap, index_a)  # ...but these
        return keys_a, keys_b

    return make_keys


def _gaps(
    functions: list[FunctionProfile],
    neighbours: dict[str, tuple[list[int], list[int]]],
    side: int,
    other_names: set[str],
    name_of: Callable[[FunctionProfile], str],
    file_of: Callable[[str], str],
) -> dict[tuple[str, int], list[int]]:
    """The functions (their indices, in order) between each two matched neighbours of a file.

    Gap ``k`` lies below the k-th neighbour: 0 above the first, the count below the
    last. Only functions of a name the other run lacks: a rename.
    """
    gaps: dict[tuple[str, int], list[int]] = {}
    for index, function in enumerate(functions):
        file = file_of(function.filename)
        if file in neighbours and name_of(function) not in other_names:
            gap = bisect.bisect_left(neighbours[file][side], function.start_line)
            gaps.setdefault((file, gap), []).append(index)
    for members in gaps.values():
        members.sort(key=lambda index: functions[index].start_line)
    return gaps


def _moved_to_another_file(all_a: list[FunctionProfile], all_b: list[FunctionProfile]) -> MakeKeys:
    """The qualified name alone, for a function moved to another module.

    Only a name that one function of each whole run has: a ``helper`` left
    over in each run, while others called ``helper`` matched elsewhere, is
    not taken for the same one. Nameless code (``<lambda>``) and special
    methods named alone (line_profiler 4.x's ``__init__`` of any class)
    never pair by name alone; ``Parser.__init__`` does.
    """

    def make_keys(left: list[FunctionProfile], right: list[FunctionProfile]) -> Keys:
        # Counted only when reached: most runs match every function before.
        counts = [Counter(f.name for f in side) for side in (all_a, all_b)]

        def key_of(function: FunctionProfile) -> object:
            name = function.name
            if name.startswith("<") or name.startswith("__"):  # 4.x's unqualified __init__
                return object()  # matches nothing
            return name if counts[0][name] == counts[1][name] == 1 else object()

        return [key_of(f) for f in left], [key_of(f) for f in right]

    return make_keys
