"""Which lines of a Python source go on with a statement begun above, found without tokenizing.

``inspect.getblock`` tokenizes a function to find its end: about half a
millisecond a function, and a profile of a large code base names thousands.
A block's end only needs to know which lines start a statement: not a line
inside a multi-line string, after a backslash or inside brackets. Strings
and comments are found as ``tokenize`` reads them, jumping with
``str.find`` from one quote or ``#`` to the next; brackets are counted
per span of lines (``open_brackets``), less those inside strings and
comments.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, repeat
from operator import mul, sub

#: bytes.translate arguments keeping the brackets alone, all made round.
_AS_ROUND = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"()[]{}")))


@dataclass(frozen=True)
class SourceLayout:
    """Strings, comments and continued lines of one source file (line numbers 1-based)."""

    continued: bytes
    """1 at index ``n`` when line ``n`` goes on with a statement begun above it:
    inside a multi-line string or after a backslash (brackets are counted
    apart, by ``open_brackets``). Index 0 and one past the last line are 0."""
    code: bytes
    """1 at index ``n`` when line ``n`` is part of a statement: it holds code,
    or goes on with one (a string's last line may hold only quotes)."""
    comments: bytes
    """1 at index ``n`` when line ``n`` holds a comment alone, not inside a string."""
    comment_columns: dict[int, int]
    """Where each line's comment starts, for the lines holding one."""
    bracket_corrections: dict[int, int]
    """Opening minus closing brackets inside the strings and comments that
    start on a line, for the lines where that is not 0."""
    odd_indentation: tuple[int, ...]
    """Lines whose indentation ``tokenize`` reads otherwise than by their
    characters, in order: indented with a tab or form feed, or holding only
    a backslash (which ``tokenize`` takes as a line indented that far)."""
    doubtful: bool
    """True when a string is left open: the file does not lex, so nothing here holds."""

    def open_brackets(
        self, lines: Sequence[str], firsts: Iterable[int], lasts: Iterable[int]
    ) -> list[int]:
        """Brackets left open by the code of each span of lines (1-based, both ends included)."""
        firsts, lasts = list(firsts), list(lasts)
        spans = map(lines.__getitem__, map(slice, map(sub, firsts, repeat(1)), lasts))
        opened = bracket_nets(map("".join, spans))
        if not self.bracket_corrections:
            return opened
        sums = self._corrections_so_far
        inside = map(
            sub, map(sums.__getitem__, lasts), map(sums.__getitem__, map(sub, firsts, repeat(1)))
        )
        return list(map(sub, opened, inside))

    @cached_property
    def _corrections_so_far(self) -> list[int]:
        """Index ``n``: the corrections of lines 1 to ``n``."""
        corrections = self.bracket_corrections.get
        return list(accumulate(map(corrections, range(len(self.continued)), repeat(0))))

    def statement_starts(
        self, lines: Sequence[str], code: bytes, first: int, last: int
    ) -> list[int]:
        """Lines from ``first`` to ``last`` (1-based) that begin a statement.

        Lines of code not going on with one begun above: not inside a
        string, after a backslash or inside brackets opened since
        ``first`` (which must itself begin one). ``code`` is
        ``SourceFile.code_mask``.
        """
        corrections, continued = self.bracket_corrections, self.continued
        starts, depth = [], 0
        for lineno, opened in enumerate(bracket_nets(lines[first - 1 : last]), first):
            if depth == 0 and code[lineno] and not continued[lineno]:
                starts.append(lineno)
            depth += opened - corrections.get(lineno, 0)
        return starts

    def statement_text(self, lines: Sequence[str], lineno: int) -> str:
        """Line ``lineno`` without its comment."""
        text = lines[lineno - 1]
        column = self.comment_columns.get(lineno)
        return text if column is None else text[:column]


def source_layout(lines: Sequence[str], code: bytes, comments: bytes) -> SourceLayout:
    """The layout of ``lines`` (a file's lines without their line endings).

    ``code`` and ``comments`` say which lines hold code and comments alone
    by their first character (``SourceFile.code_mask``, ``comment_mask``);
    the layout's own answer for lines inside strings.
    """
    text = "\n".join(lines)
    scan = _Scan(text)
    continued = bytearray(len(lines) + 2)
    for first, last in scan.multi_line_strings:
        continued[first + 1 : last + 1] = b"\1" * (last - first)
    odd: set[int] = set()
    lineno, counted_to = 1, 0  # the 1-based line of ``position``, newlines counted so far
    position = text.find("\\\n")
    while position >= 0:
        lineno += text.count("\n", counted_to, position)
        counted_to = position
        if not scan.inside_token(position):
            continued[lineno + 1] = 1
            if not lines[lineno - 1][:-1].strip():  # a backslash alone: tokenize indents by it
                odd.add(lineno)
        position = text.find("\\\n", position + 2)
    if "\t" in text or "\f" in text:
        odd.update(
            number
            for number, line in enumerate(lines, 1)
            if "\t" in line[: len(line) - len(line.lstrip())]
            or "\f" in line[: len(line) - len(line.lstrip())]
        )
    if continued.find(1) >= 0:
        as_number = int.from_bytes(continued[:-1], "big")
        size = len(code)
        code = (int.from_bytes(code, "big") | as_number).to_bytes(size, "big")
        comments = (int.from_bytes(comments, "big") & ~as_number).to_bytes(size, "big")
    return SourceLayout(
        bytes(continued),
        code,
        comments,
        scan.comment_columns,
        scan.bracket_corrections,
        tuple(sorted(odd)),
        scan.doubtful,
    )


class _Scan:
    """String literals and comments of a source text, read from one quote or ``#`` to the next."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.multi_line_strings: list[tuple[int, int]] = []  # (first, last) lines of each
        self.comment_columns: dict[int, int] = {}
        self.bracket_corrections: dict[int, int] = {}
        self.doubtful = False
        self._starts: list[int] = []  # of every token, in order, with its end
        self._ends: list[int] = []
        self._line, self._counted_to = 1, 0  # the line of the last token, counted so far
        self._read()

    def inside_token(self, position: int) -> bool:
        """True when ``position`` is inside a string or comment."""
        index = bisect_right(self._starts, position) - 1
        return index >= 0 and position < self._ends[index]

    def _read(self) -> None:
        text, find = self.text, self.text.find
        length = len(text)
        next_of = {char: find(char) for char in "#'\""}
        position = 0
        while True:
            found = [at for at in next_of.values() if at >= 0]
            if not found:
                return
            start = min(found)
            char = text[start]
            end = self._end_of_token(start, char)
            if end < 0:  # a string never closed: the file does not lex
                self.doubtful = True
                return
            self._note(start, end, char)
            position = end
            for each, at in next_of.items():
                if 0 <= at < position:
                    next_of[each] = find(each, position)
            if position >= length:
                return

    def _end_of_token(self, start: int, char: str) -> int:
        """Where the comment or string starting at ``start`` ends, or -1 when it never does."""
        text = self.text
        if char == "#":
            end = text.find("\n", start)
            return len(text) if end < 0 else end
        if text.startswith(char * 3, start):  # triple-quoted: newlines allowed
            close = text.find(char * 3, start + 3)
            while close >= 0 and _escaped(text, close):
                close = text.find(char * 3, close + 1)
            return close + 3 if close >= 0 else -1
        position = start + 1
        while True:  # one quote: closed on its line, or continued by a backslash
            close = text.find(char, position)
            newline = text.find("\n", position, close if close >= 0 else len(text))
            if newline >= 0:
                if not _escaped(text, newline):
                    return -1
                position = newline + 1
            elif close < 0:
                return -1
            elif _escaped(text, close):
                position = close + 1
            else:
                return close + 1

    def _note(self, start: int, end: int, char: str) -> None:
        text = self.text
        self._line += text.count("\n", self._counted_to, start)
        self._counted_to = start
        line = self._line
        self._starts.append(start)
        self._ends.append(end)
        token = text[start:end]
        if char == "#":
            self.comment_columns[line] = start - text.rfind("\n", 0, start) - 1
        else:
            newlines = token.count("\n")
            if newlines:
                self.multi_line_strings.append((line, line + newlines))
        kept = token.encode("utf-8", "surrogatepass").translate(_AS_ROUND, _NOT_BRACKETS)
        net = len(kept) - 2 * kept.count(b")")
        if net:
            self.bracket_corrections[line] = self.bracket_corrections.get(line, 0) + net


def bracket_nets(texts: Iterable[str]) -> list[int]:
    """Brackets each text opens minus those it closes, strings and comments included."""
    # C passes keeping the brackets alone, as ( and ): UTF-8 writes every
    # other character with other bytes.
    encoded = map(str.encode, texts, repeat("utf-8"), repeat("surrogatepass"))
    kept = list(map(bytes.translate, encoded, repeat(_AS_ROUND), repeat(_NOT_BRACKETS)))
    closed = map(bytes.count, kept, repeat(b")"))
    return list(map(sub, map(len, kept), map(mul, closed, repeat(2))))


def _escaped(text: str, position: int) -> bool:
    """True when the character at ``position`` follows an odd run of backslashes."""
    run = 0
    while position - run > 0 and text[position - run - 1] == "\\":
        run += 1
    return run % 2 == 1
