"""Pygments highlighting of Python source, line by line."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import PythonLexer
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
