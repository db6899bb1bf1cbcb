"""The written-out token colours equal Pygments' own styles for every token Python code has."""

from __future__ import annotations

import argparse
import inspect
import json.decoder

import pytest
from pygments.styles.default import DefaultStyle
from pygments.styles.gh_dark import GhDarkStyle

from lprof_viewer.core.highlight import python_lexer
from lprof_viewer.core.token_styles import DARK, LIGHT, token_format

EXTRA = '''
@decorator
async def f(x: int = 0x1F, *args, **kw) -> "str":
    """Doc string."""
    y = f"{x!r:>10} {{braces}} \\n" + b"bytes" + r"raw\\d" + 'single' + 1.5e3j
    assert not (x is None or x in [1, 2]) and lambda: ...
    raise ValueError from None
    print(__name__, self.attr, True, False, None, NotImplemented)  # a comment
'''


def python_token_types() -> set:
    sources = [inspect.getsource(module) for module in (inspect, argparse, json.decoder)]
    types = set()
    for source in [*sources, EXTRA]:
        types.update(kind for kind, _ in python_lexer().get_tokens(source))
    return types


@pytest.mark.parametrize("table, style", [(LIGHT, DefaultStyle), (DARK, GhDarkStyle)])
def test_every_python_token_looks_as_in_pygments(table, style):
    for token_type in python_token_types():
        expected = style.style_for_token(token_type)
        color, bold, italic = token_format(table, token_type)
        want = ((expected["color"] or "").lower() or None, expected["bold"], expected["italic"])
        got = ((color or "").lower() or None, bold, italic)
        assert got == want, token_type
