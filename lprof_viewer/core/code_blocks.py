"""Where each profiled function's code is in its source, and whether it is still that code.

A function's lines are those ``line_profiler`` shows (``inspect.getblock``'s
block). Functions are found by indentation, a whole file's at once
(``ordinary_blocks``), knowing which lines go on with a statement begun
above (``SourceFile.layout``: multi-line strings, backslashes, brackets);
the rare rest one at a time by tokenizing (one-line defs, decorators over
several lines, odd indentation, a block ending inside brackets).
"""

from __future__ import annotations

import inspect
import re
import tokenize
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import add, sub
from types import FunctionType

from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.source_layout import bracket_nets
from lprof_viewer.core.sources import SourceFile

#: A source file newer than its profile by more than this is called changed;
#: archive formats keep modification times to two seconds.
MTIME_TOLERANCE_S = 2.0

_DEF_LINE = re.compile(r"\s*(?:async\s+)?def\s+(\w+)")  # match: from the start; group 1: the name
_DECORATOR_LINE = re.compile(r"^\s*@")


def code_block(source: SourceFile, start_line: int) -> range:
    """Line numbers of the function starting at ``start_line``, as line_profiler shows them.

    The same lines ``line_profiler.get_code_block`` (``inspect.getblock``)
    finds; indentation gives them for almost every function, and tokenizing
    is kept for the unusual ones (``_indented_blocks`` says which).
    """
    lines = source.lines
    found = _indented_blocks(source, [start_line])[0]
    if found is not None:
        end = found[1]
    else:
        tail = [line + "\n" for line in lines[start_line - 1 :]]
        try:
            end = start_line - 1 + len(_getblock()(tail))
        except (SyntaxError, tokenize.TokenError, IndentationError):
            end = len(lines)
    return range(start_line, max(start_line, end) + 1)


@cache
def _getblock() -> Callable[[list[str]], list[str]]:
    """``inspect.getblock`` with line_profiler's block finder where it has one.

    ``get_code_block`` reads Cython's ``cdef``, ``cpdef`` and ``property``
    before a block as ``def``, swapping inspect's ``BlockFinder`` for the
    time of a call (not thread-safe); here a copy of the function has its
    own globals. line_profiler is imported on the first fallback only: it
    takes tens of milliseconds.
    """
    import line_profiler.line_profiler as line_profiler

    finder = getattr(line_profiler, "_CythonBlockFinder", inspect.BlockFinder)
    namespace = {**inspect.getblock.__globals__, "BlockFinder": finder}
    return FunctionType(inspect.getblock.__code__, namespace, "getblock")


def _def_line(lines: Sequence[str], start_line: int) -> tuple[int, re.Match[str]] | None:
    """The def of the function starting at 1-based ``start_line``, past its decorators.

    Answers its 0-based index and its ``_DEF_LINE`` match; None when
    ``start_line`` is neither a decorator nor a def.
    """
    index = start_line - 1
    if not 0 <= index < len(lines):
        return None
    text = lines[index]
    match = _DEF_LINE.match(text)
    if match is not None:
        return index, match
    if not _DECORATOR_LINE.match(text):
        return None
    # Decorators, which may span lines, up to the first def.
    for position in range(index, min(index + MAX_DECORATOR_LINES + 1, len(lines))):
        match = _DEF_LINE.match(lines[position])
        if match is not None:
            return position, match
    return None


#: Decorator lines looked through for a def.
MAX_DECORATOR_LINES = 200


#: Lines a def's header (its signature) may span.
MAX_HEADER_LINES = 200


def _indented_blocks(
    source: SourceFile, start_lines: Sequence[int]
) -> list[tuple[str, int] | None]:
    """For each start line, the def's name and the block's 1-based last line, by indentation.

    The block ends before the first statement at or left of the def's
    column, below its header; comments indented as its body just after it
    are kept (``_last_kept_comment``), as ``inspect.getblock`` keeps them.
    None where indentation alone cannot tell: decorators spanning lines, a
    one-line def, a block ending inside brackets, odd indentation (tabs,
    a backslash alone on a line), or a file that does not lex
    (``SourceFile.layout``). Column by column, with
    C-level maps: a large profile names hundreds of functions in a file.
    """
    layout, lines = source.layout, source.lines
    if layout.doubtful:
        return [None] * len(start_lines)
    past_the_end = len(layout.code)
    # The def: the first line from the start on that does not start with
    # ``@``; past the end, the blank added to the lines.
    decorators = source.decorator_mask + b"\0"
    starts = list(map(min, map(max, start_lines, repeat(1)), repeat(past_the_end)))
    def_lines = list(map(decorators.find, repeat(0), starts))
    headers = list(map((*lines, "").__getitem__, map(sub, def_lines, repeat(1))))
    matches = list(map(_DEF_LINE.match, headers))
    header_ends = _header_ends(source, start_lines, def_lines, headers, matches)
    found: list[tuple[str, int] | None] = [None] * len(start_lines)
    shown = [i for i, header_end in enumerate(header_ends) if header_end is not None]
    if not shown:
        return found
    shown_headers = [headers[i] for i in shown]
    columns = map(sub, map(len, shown_headers), map(len, map(str.lstrip, shown_headers)))
    ends_by_column = source.code_at_or_left_of
    body_from = [header_ends[i] + 1 for i in shown]  # type: ignore[operator]
    ends = [
        past_the_end if end < 0 else end
        for end in map(bytes.find, map(ends_by_column, columns), repeat(1), body_from)
    ]
    code, comments = layout.code, layout.comments
    lasts = list(map(code.rfind, repeat(1), body_from, ends))  # -1: no body
    # The line ending a block starts a statement: no bracket left open above it.
    left_open = layout.open_brackets(lines, body_from, map(sub, ends, repeat(1)))
    trailing = map(comments.find, repeat(1), map(add, lasts, repeat(1)), ends)
    odd = layout.odd_indentation
    rows = zip(shown, body_from, ends, lasts, left_open, trailing, strict=True)
    for i, first_body_line, end, last, opened, comment_after in rows:
        if last < 0 or (opened and end < past_the_end):
            continue
        if odd and _any_between(odd, def_lines[i], end):
            continue
        if comment_after >= 0:
            body = code.find(1, first_body_line)
            last = _last_kept_comment(lines, comments, body, last, end)
        found[i] = (matches[i].group(1), last)
    return found


def _header_ends(
    source: SourceFile,
    start_lines: Sequence[int],
    def_lines: Sequence[int],
    headers: Sequence[str],
    matches: Sequence[re.Match[str] | None],
) -> list[int | None]:
    """The last line of each def's header (which may span lines); None where there is no def.

    None too for a header that ``:`` does not end (a one-line def has no
    block to find by indentation). The common header, all on its def's
    line, is told apart with C-level maps; the others are read line by line.
    """
    layout = source.layout
    ends_with_colon = map(str.endswith, map(str.rstrip, headers), repeat(":"))
    starts = list(map(min, map(max, start_lines, repeat(1)), def_lines))
    opened = layout.open_brackets(source.lines, starts, def_lines)  # decorators and def line
    special = layout.bracket_corrections.keys() | layout.comment_columns.keys()
    continued = layout.continued
    found: list[int | None] = []
    rows = zip(start_lines, starts, def_lines, matches, ends_with_colon, opened, strict=True)
    for recorded, start, def_line, match, colon, left_open in rows:
        if match is None or recorded < 1 or def_line - start > MAX_DECORATOR_LINES:
            found.append(None)
        elif colon and not left_open and not continued[def_line + 1] and def_line not in special:
            found.append(def_line if not continued[def_line] else None)
        else:
            found.append(_header_end(source, start, def_line))
    return found


def _header_end(source: SourceFile, start: int, def_line: int) -> int | None:
    """The last line of the def's header read line by line; None when no ``:`` ends it.

    None too when the decorators above it leave a bracket open or the def
    is inside a string: ``@`` went on from a line above, not a decorator.
    """
    layout, lines = source.layout, source.lines
    corrections, continued = layout.bracket_corrections, layout.continued
    if continued[def_line] or (
        start < def_line and layout.open_brackets(lines, [start], [def_line - 1])[0]
    ):
        return None
    last_line = min(def_line + MAX_HEADER_LINES, len(lines) + 1)
    opened = bracket_nets(lines[def_line - 1 : last_line - 1])
    depth = 0
    for lineno, line_opens in enumerate(opened, def_line):
        depth += line_opens - corrections.get(lineno, 0)
        if depth == 0 and not continued[lineno + 1]:
            return lineno if layout.statement_text(lines, lineno).rstrip().endswith(":") else None
    return None


def _last_kept_comment(
    lines: Sequence[str], comments: bytes, first_body_line: int, last: int, end: int
) -> int:
    """The block's last line when comments follow its last statement (1-based, as the masks).

    ``inspect.getblock`` keeps those indented at least as far as the body, up
    to the last such one before the next code (``end``).
    """
    body = lines[first_body_line - 1]
    body_column = len(body) - len(body.lstrip())
    for lineno in range(end - 1, last, -1):
        text = lines[lineno - 1]
        if comments[lineno] and len(text) - len(text.lstrip()) >= body_column:
            return lineno
    return last


def _any_between(sorted_numbers: Sequence[int], low: int, high: int) -> bool:
    """True when some number of ``sorted_numbers`` is from ``low`` to ``high``."""
    position = bisect_left(sorted_numbers, low)
    return position < len(sorted_numbers) and sorted_numbers[position] <= high


def body_start(source: SourceFile, start_line: int) -> int:
    """First line of a function's body: after its decorators and (multi-line) def header."""
    found = _def_line(source.lines, start_line)
    if found is not None and not source.layout.doubtful:
        header_end = _header_end(source, start_line, found[0] + 1)
        if header_end is not None:
            return header_end + 1
    # A one-line def, or a file that does not lex: the first line ending in a colon.
    count = len(source.lines)
    lineno = start_line
    while lineno <= count and not _DEF_LINE.match(source.line(lineno)):
        lineno += 1
    while lineno <= count and not source.line(lineno).split("#", 1)[0].rstrip().endswith(":"):
        lineno += 1
    return lineno + 1


@dataclass(frozen=True)
class Staleness:
    """Why a source file does not match the profile; ``reason`` is one sentence."""

    reason: str
    mismatched: bool
    """True when the code itself does not match (not only a newer file)."""


def check_source(
    function: FunctionProfile, source: SourceFile, recorded_at: float | None
) -> Staleness | None:
    """Does the source still hold the code the profile measured? None when it does."""
    start = function.start_line
    if start > len(source.lines):
        return Staleness(
            f"{source.path.name} has {len(source.lines)} lines, but the profile has "
            f"{function.name} starting at line {start}.",
            True,
        )
    if not _defines_function_at(source, function):
        return Staleness(
            f"{source.path.name} changed since it was profiled: line {start} is not the "
            f"definition of {function.name}.",
            True,
        )
    linenos = function.linenos
    if not source.all_code(linenos):
        lineno = next(n for n in linenos if not source.is_code(n))
        return Staleness(
            f"{source.path.name} changed since it was profiled: timed line {lineno} of "
            f"{function.name} is blank or a comment.",
            True,
        )
    return modified_since(source, recorded_at)


def modified_since(source: SourceFile, recorded_at: float | None) -> Staleness | None:
    """The staleness of a file changed on disk after the profile was recorded, else None."""
    if recorded_at is not None and source.mtime > recorded_at + MTIME_TOLERANCE_S:
        return Staleness(f"{source.path.name} was modified after it was profiled.", False)
    return None


def _defines_function_at(source: SourceFile, function: FunctionProfile) -> bool:
    short = function.short_name
    if short.startswith("<"):  # lambdas, comprehensions, <module>: no def line to check
        return True
    found = _def_line(source.lines, function.start_line)
    if found is not None and found[1].group(1) == short:
        return True
    cython = _CYTHON_DEF_LINE.match(source.line(function.start_line))
    return cython is not None and cython.group(1) == short


#: A Cython ``cpdef``/``cdef`` (or ``def``) with any return type before its name:
#: ``cpdef long csum(long n):``, ``cdef double[:] f(``, ``cdef (int, int) f(``, which
#: line_profiler profiles when the module is built with ``linetrace``. Group 1: the
#: first word before a ``(``, which must then be the function's name.
_CYTHON_DEF_LINE = re.compile(r"\s*c?p?def\s+.*?(\w+)\s*\(")


def ordinary_blocks(
    source: SourceFile, functions: Sequence[FunctionProfile], recorded_at: float | None
) -> dict[FunctionProfile, tuple[Staleness | None, range]]:
    """Staleness and lines to show of each ordinary function of ``functions``, all in ``source``.

    The same answers ``check_source`` and ``code_block`` give one function at
    a time, with the file's checks made once: its timed lines are all looked
    up in one set, its staleness on disk read once. Ordinary means: the def,
    or decorators above it, is where the profile says; the def is the
    function's; its block is found by indentation (``_indented_blocks``);
    its timed lines all hold code. The others are left out, for the
    one-at-a-time functions.
    """
    past_the_end = len(source.code_mask)
    timed = [function.linenos for function in functions]
    all_code = map(source.lines_without_code.isdisjoint, timed)  # and within the file: below
    blocks = _indented_blocks(source, [function.start_line for function in functions])
    staleness = modified_since(source, recorded_at)
    found = {}
    rows = zip(functions, blocks, all_code, timed, strict=True)
    for function, block, timed_code, linenos in rows:
        if block is None or not timed_code or not linenos:
            continue
        name, last = block
        top = max(linenos)
        if top < past_the_end and name == function.short_name:  # not past the end of the file
            found[function] = (staleness, range(function.start_line, max(last, top) + 1))
    return found
