"""Pygments highlighting of Python source, line by line."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers.python import PythonLexer
from pygments.token import _TokenType


@lru_cache(maxsize=1)
def python_lexer() -> Lexer:
    """One shared Python lexer (building one is slow)."""
    return PythonLexer(stripnl=False, ensurenl=False)


def tokenize_lines(lines: Sequence[str]) -> list[list[tuple[_TokenType, str]]]:
    """Pygments tokens of each line; a token spanning lines is split at line ends."""
    result: list[list[tuple[_TokenType, str]]] = [[]]
    for token_type, value in python_lexer().get_tokens("\n".join(lines)):
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                result.append([])
            if piece:
                result[-1].append((token_type, piece))
    while len(result) > len(lines):
        result.pop()
    while len(result) < len(lines):
        result.append([])
    return result


class ChunkedHighlighter:
    """Tokens of a long run of lines, lexed a chunk at a time as lines are asked for.

    A view shows a few dozen lines of a source that may be 20,000 long: only
    the chunks holding the lines shown are lexed, once each.
    """

    def __init__(self, lines: Sequence[str], chunk_size: int = 128) -> None:
        self._lines = lines
        self._chunk_size = chunk_size
        self._chunks: dict[int, list[list[tuple[_TokenType, str]]]] = {}

    def tokens(self, index: int) -> list[tuple[_TokenType, str]]:
        """The tokens of the 0-based line ``index``."""
        chunk, offset = divmod(index, self._chunk_size)
        if chunk not in self._chunks:
            start = chunk * self._chunk_size
            self._chunks[chunk] = tokenize_lines(self._lines[start : start + self._chunk_size])
        return self._chunks[chunk][offset]

    @property
    def chunks_lexed(self) -> int:
        """How many chunks have been lexed so far."""
        return len(self._chunks)
