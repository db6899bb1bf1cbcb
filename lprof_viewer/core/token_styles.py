"""Colours of Python tokens for the source views, light and dark.

These are Pygments' ``default`` and ``github-dark`` styles, written out: just
importing ``pygments.styles`` scans every installed package's entry points for
plugin styles, which costs the window a tenth of a second at start-up.
``tests/test_token_styles.py`` checks every entry against Pygments itself.
"""

from __future__ import annotations

from pygments.token import _TokenType, string_to_tokentype

#: (colour as hex without '#', or None for the text colour; bold; italic)
Format = tuple[str | None, bool, bool]

#: Token type name -> (colour, bold, italic), for the most general types; a
#: token takes the entry of its nearest listed parent.
_LIGHT: dict[str, Format] = {
    "Text.Whitespace": ("bbbbbb", False, False),
    "Comment": ("3D7B7B", False, True),
    "Comment.Preproc": ("9C6500", False, False),
    "Keyword": ("008000", True, False),
    "Keyword.Pseudo": ("008000", False, False),
    "Keyword.Type": ("B00040", False, False),
    "Operator": ("666666", False, False),
    "Operator.Word": ("AA22FF", True, False),
    "Name.Builtin": ("008000", False, False),
    "Name.Function": ("0000FF", False, False),
    "Name.Class": ("0000FF", True, False),
    "Name.Namespace": ("0000FF", True, False),
    "Name.Exception": ("CB3F38", True, False),
    "Name.Variable": ("19177C", False, False),
    "Name.Constant": ("880000", False, False),
    "Name.Label": ("767600", False, False),
    "Name.Entity": ("717171", True, False),
    "Name.Attribute": ("687822", False, False),
    "Name.Tag": ("008000", True, False),
    "Name.Decorator": ("AA22FF", False, False),
    "Literal.String": ("BA2121", False, False),
    "Literal.String.Doc": ("BA2121", False, True),
    "Literal.String.Interpol": ("A45A77", True, False),
    "Literal.String.Escape": ("AA5D1F", True, False),
    "Literal.String.Regex": ("A45A77", False, False),
    "Literal.String.Symbol": ("19177C", False, False),
    "Literal.String.Other": ("008000", False, False),
    "Literal.Number": ("666666", False, False),
}
_DARK: dict[str, Format] = {
    "": ("e6edf3", False, False),
    "Error": ("f85149", False, False),
    "Keyword": ("ff7b72", False, False),
    "Keyword.Constant": ("79c0ff", False, False),
    "Keyword.Pseudo": ("79c0ff", False, False),
    "Name.Class": ("f0883e", True, False),
    "Name.Constant": ("79c0ff", True, False),
    "Name.Decorator": ("d2a8ff", True, False),
    "Name.Entity": ("ffa657", False, False),
    "Name.Exception": ("f0883e", True, False),
    "Name.Function": ("d2a8ff", True, False),
    "Name.Label": ("79c0ff", True, False),
    "Name.Namespace": ("ff7b72", False, False),
    "Name.Property": ("79c0ff", False, False),
    "Name.Tag": ("7ee787", False, False),
    "Name.Variable": ("79c0ff", False, False),
    "Literal": ("a5d6ff", False, False),
    "Literal.Date": ("79c0ff", False, False),
    "Literal.String.Affix": ("79c0ff", False, False),
    "Literal.String.Delimiter": ("79c0ff", False, False),
    "Literal.String.Escape": ("79c0ff", False, False),
    "Literal.String.Heredoc": ("79c0ff", False, False),
    "Literal.String.Regex": ("79c0ff", False, False),
    "Comment": ("8b949e", False, True),
    "Comment.Preproc": ("8b949e", True, True),
    "Comment.Special": ("8b949e", True, True),
    "Operator": ("ff7b72", True, False),
    "Operator.Word": ("ff7b72", True, False),
    "Text.Whitespace": ("6e7681", False, False),
}


def _compile(table: dict[str, Format]) -> dict[_TokenType, Format]:
    return {
        string_to_tokentype(name) if name else string_to_tokentype(""): v
        for name, v in table.items()
    }


LIGHT: dict[_TokenType, Format] = _compile(_LIGHT)
DARK: dict[_TokenType, Format] = _compile(_DARK)
_PLAIN: Format = (None, False, False)


def token_format(table: dict[_TokenType, Format], token_type: _TokenType) -> Format:
    """(colour hex or None, bold, italic) of a token: its own entry or its nearest parent's."""
    current: _TokenType | None = token_type
    while current is not None:
        found = table.get(current)
        if found is not None:
            return found
        current = current.parent
    return _PLAIN
