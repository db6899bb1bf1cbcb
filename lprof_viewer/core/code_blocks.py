"""Where each profiled function's code is in its source, and whether it is still that code.

A function's lines are those ``line_profiler`` shows (``inspect.getblock``'s
block). Ordinary functions are found by indentation, a whole file's at once
(``ordinary_blocks``); the rest one at a time, tokenizing where indentation
cannot tell (multi-line strings, continuation lines, one-line defs).
"""

from __future__ import annotations

import inspect
import re
import tokenize
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.sources import SourceFile

#: A source file newer than its profile by more than this is called changed;
#: archive formats keep modification times to two seconds.
MTIME_TOLERANCE_S = 2.0

_DEF_LINE = re.compile(r"^\s*(async\s+)?def\s+(\w+)")
_DECORATOR_LINE = re.compile(r"^\s*@")


def code_block(source: SourceFile, start_line: int) -> range:
    """Line numbers of the function starting at ``start_line``, as line_profiler shows them.

    The same lines ``line_profiler.get_code_block`` (``inspect.getblock``)
    finds; plain indentation gives them for ordinary functions, and
    tokenizing is kept for the unusual ones (multi-line strings, one-line
    defs, continuation lines).
    """
    lines = source.lines
    end = _indented_block_end(source, start_line)
    if end is None:
        tail = [line + "\n" for line in lines[start_line - 1 :]]
        try:
            end = start_line - 1 + len(inspect.getblock(tail))
        except (SyntaxError, tokenize.TokenError, IndentationError):
            end = len(lines)
    return range(start_line, max(start_line, end) + 1)


def _def_line(lines: Sequence[str], start_line: int) -> tuple[int, re.Match[str], bool] | None:
    """The def of the function starting at 1-based ``start_line``, past its decorators.

    Answers its 0-based index, its ``_DEF_LINE`` match and whether every
    decorator line closes its brackets (so indentation alone can tell the
    block); None when ``start_line`` is neither a decorator nor a def.
    """
    index = start_line - 1
    if not 0 <= index < len(lines):
        return None
    text = lines[index]
    match = _DEF_LINE.match(text)
    if match is not None:
        return index, match, True
    if not _DECORATOR_LINE.match(text):
        return None
    # Decorators, which may span lines, up to the first def.
    balanced = True
    for position in range(index, min(index + 201, len(lines))):
        text = lines[position]
        match = _DEF_LINE.match(text)
        if match is not None:
            return position, match, balanced
        balanced = balanced and _DECORATOR_LINE.match(text) is not None
        balanced = balanced and text.count("(") == text.count(")")
    return None


def _indented_block_end(source: SourceFile, start_line: int) -> int | None:
    """The last line of an ordinary function by indentation, or None to tokenize instead."""
    found = _def_line(source.lines, start_line)
    if found is None or not found[2]:  # a decorator over several lines
        return None
    return _last_line_by_indentation(source, found[0] + 1)


def _last_line_by_indentation(source: SourceFile, def_line: int) -> int | None:
    """The 1-based last line of the block under the def on ``def_line``, by its byte masks.

    None when indentation alone cannot tell: a header going on past its line,
    no body below it, or an unusual line (``SourceFile.unusual_lines``) in it.
    """
    lines, code, comments = source.lines, source.code_mask, source.comment_mask
    header = lines[def_line - 1]
    if not header.rstrip().endswith(":"):
        return None
    # The block ends before the first line of code at or left of the def's column.
    column = len(header) - len(header.lstrip())
    end = source.code_at_or_left_of(column).find(1, def_line + 1)
    end = end if end > 0 else len(code)
    last = code.rfind(1, def_line + 1, end)
    if last < 0:
        return None
    if comments.find(1, last + 1, end) >= 0:
        last = _last_kept_comment(lines, comments, code.find(1, def_line + 1), last, end)
    unusual = source.unusual_lines
    # Most files' only unusual line is their docstring, above every function.
    if unusual and unusual[-1] >= def_line - 1 and _any_between(unusual, def_line - 1, last - 1):
        return None
    return last


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
        return Staleness(f"{source.path.name} was modified after the profile was recorded.", False)
    return None


def _defines_function_at(source: SourceFile, function: FunctionProfile) -> bool:
    short = function.short_name
    if short.startswith("<"):  # lambdas, comprehensions, <module>: no def line to check
        return True
    found = _def_line(source.lines, function.start_line)
    return found is not None and found[1].group(2) == short


def ordinary_blocks(
    source: SourceFile, functions: Sequence[FunctionProfile], recorded_at: float | None
) -> dict[FunctionProfile, tuple[Staleness | None, range]]:
    """Staleness and lines to show of each ordinary function of ``functions``, all in ``source``.

    The same answers ``check_source`` and ``code_block`` give one function at
    a time, with the file's checks made once: its timed lines are all looked
    up in one set, its staleness on disk read once. Ordinary means: the def,
    or decorators each on one line above it, is where the profile says; the
    def is the function's; its block is found by indentation
    (``_last_line_by_indentation``); its timed lines all hold code. The
    others are left out, for the one-at-a-time functions.
    """
    lines, past_the_end = source.lines, len(source.code_mask)
    timed = [function.linenos for function in functions]
    all_code = map(source.lines_without_code.isdisjoint, timed)  # and within the file: below
    staleness = modified_since(source, recorded_at)
    found = {}
    for function, timed_code, linenos in zip(functions, all_code, timed, strict=True):
        if not linenos or not timed_code:
            continue
        top = max(linenos)
        if top >= past_the_end:  # a timed line past the end of the file
            continue
        start = function.start_line
        header = _def_line(lines, start)
        if header is None or not header[2] or header[1].group(2) != function.short_name:
            continue
        last = _last_line_by_indentation(source, header[0] + 1)
        if last is not None:
            found[function] = (staleness, range(start, max(last, top) + 1))
    return found
