"""Which profiled functions run inside other profiled functions, read from their code.

line_profiler times each function's lines, a call included: when ``process``
calls ``parse`` and both are profiled, ``parse``'s time is in ``process``'s
too, and adding every function's total counts it twice. line_profiler
records no calls, so a call is read from the caller's timed lines: a
function's name followed by ``(`` outside comments and strings, called bare
(a module's or a nested function, or a class, which runs its ``__init__``)
or on ``self`` or ``cls`` (a method of the caller's class). ``json.load(``
is not a call of a profiled ``load``, nor ``parser.parse(`` of a profiled
``parse``: an object's class cannot be read from the code. Where names are bare
(line_profiler 4.x, or 5.x under Python 3.10), where each function is defined
(a class, another function) is read from its code instead. It is a hint for
the summary, never a number of line_profiler's changed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import NamedTuple

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.model import FunctionProfile

#: A bare call, not after a dot: ``parse(``.
_BARE_CALL = re.compile(r"(?<![\w.])(\w+)\s*\(")
#: A call of one's own method: ``self.parse(``, ``cls.make(``. (``super().save(``
#: is not read: which class is above cannot be told from the names.)
_OWN_METHOD_CALL = re.compile(r"(?<![\w.])(?:self|cls)\s*\.\s*(\w+)\s*\(")
#: Profiles with more functions than this are not read for calls: each function's
#: code would be found and searched, and such profiles come from profiling whole
#: modules, where nearly everything is nested in something.
MAX_FUNCTIONS_READ = 2_000

Calls = list[tuple[FunctionProfile, FunctionProfile]]


def calls_between(
    functions: Sequence[FunctionProfile], annotate: Callable[[FunctionProfile], AnnotatedFunction]
) -> Calls | None:
    """(caller, callee) pairs: the callee is called on a timed line of the caller.

    Only a call that can name one function counts: a name several profiled
    functions share (line_profiler 4.x records ``step`` for every class's)
    is a guess, left out. A function calling itself is not nested in itself.
    None when the calls cannot all be read: a function that ran has no
    trustworthy code (missing, or changed since), or the profile has more
    than ``MAX_FUNCTIONS_READ``.
    """
    if len(functions) > MAX_FUNCTIONS_READ:
        return None
    bare: dict[str, list[FunctionProfile]] = {}  # called by their name alone
    methods: dict[str, list[FunctionProfile]] = {}
    for function in functions:
        name = function.name
        if name.startswith("<"):  # <lambda> is called by no name
            continue
        methods.setdefault(function.short_name, []).append(function)
        if "." not in name or ".<locals>." in name:  # a module's function, or a nested one
            bare.setdefault(function.short_name, []).append(function)
        elif name.endswith(".__init__") and name.count(".") == 1:  # Parser( runs Parser.__init__
            bare.setdefault(name.partition(".")[0], []).append(function)
    read = _CodeRead(annotate)

    calls: Calls = []
    for caller in functions:
        annotated = annotate(caller)
        if not annotated.shows_source:
            if caller.ran:  # code that ran and cannot be read: its calls are unknown
                return None
            continue
        timed = _CODE_ONLY.sub("", "\n".join(map(annotated.text, caller.linenos)))
        called = [
            *_one_named(bare, _BARE_CALL.findall(timed), partial(_in_its_scope, caller, read)),
            *_one_named(
                methods, _OWN_METHOD_CALL.findall(timed), partial(_of_its_class, caller, read)
            ),
        ]
        calls += [(caller, callee) for callee in dict.fromkeys(called) if callee is not caller]
    return calls


#: Comments and one-line strings, taken out before calls are read: ``# no parse(r) here``.
_CODE_ONLY = re.compile(r"""#[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""")


def _of_its_class(caller: FunctionProfile, read: _CodeRead, method: FunctionProfile) -> bool:
    """Whether ``self.name(`` in ``caller`` may call ``method``: of its class, when both say.

    A visitor's ``self.visit(`` is not another class's ``visit``. line_profiler
    4.x (and 5.x under Python 3.10) names neither's class: then where each is
    defined is read from the code (``_CodeRead``), and where it cannot be,
    any function of the name may be the method.
    """
    if "." not in caller.name:
        if "." in method.name:
            return False
        where_caller, where_method = read.where(caller), read.where(method)
        if where_method == MODULE or (isinstance(where_method, tuple) and where_method[0] == DEF):
            return False  # a module's or a nested function, which self.x( cannot call
        if isinstance(where_caller, tuple) and where_caller[0] == CLASS:
            return where_caller == where_method
        return True
    if "." not in method.name:  # a module's function, which self.x( cannot call
        return False
    return caller.name.rpartition(".")[0] == method.name.rpartition(".")[0]


def _in_its_scope(caller: FunctionProfile, read: _CodeRead, function: FunctionProfile) -> bool:
    """Whether a bare call in ``caller`` may call ``function``: a nested one only from within.

    With bare names (line_profiler 4.x, 5.x under Python 3.10), where each is
    defined is read from the code: a method is never called bare, and a
    function nested in another only from that one.
    """
    if ".<locals>." in function.name:
        return function.name.startswith(f"{caller.name}.<locals>.")
    if "." in function.name:  # Parser( runs Parser.__init__
        return True
    defined = read.where(function)
    if isinstance(defined, tuple) and defined[0] == CLASS:
        return False
    if isinstance(defined, tuple) and defined[0] == DEF:
        return read.def_line(caller) == defined[1:]
    return True


#: Where a function is defined, read from its code: MODULE; (CLASS, file, line) for a
#: method, (DEF, file, line) for a function nested in another, at the line of that
#: ``class`` or ``def``; None when it cannot be told (no code to read).
_Where = tuple[str, str, int] | str | None
MODULE, CLASS, DEF = "module", "class", "def"
_OPENERS = (("class ", CLASS), ("def ", DEF), ("async def ", DEF))


class _CodeRead:
    """Where functions are defined, read from their files' code once each (for bare names)."""

    def __init__(self, annotate: Callable[[FunctionProfile], AnnotatedFunction]) -> None:
        self._annotate = annotate
        self._outlines: dict[str, _Outline | None] = {}

    def where(self, function: FunctionProfile) -> _Where:
        """The block around the function's ``def``: the module, a class or a function."""
        found = self._def_of(function)
        return found[1] if found else None

    def def_line(self, function: FunctionProfile) -> tuple[str, int] | None:
        """The file and line of the function's ``def``, below its decorators."""
        found = self._def_of(function)
        return (function.filename, found[0]) if found else None

    def _def_of(self, function: FunctionProfile) -> tuple[int, _Where] | None:
        """The line of the function's ``def`` (the first at or below its first line) and
        the block around it."""
        if function.filename not in self._outlines:
            annotated = self._annotate(function)
            source = annotated.source if annotated.shows_source else None
            outline = None if source is None else _outline_of(source.lines, function.filename)
            self._outlines[function.filename] = outline
        outline = self._outlines[function.filename]
        if outline is None:
            return None
        start = function.start_line
        index = bisect.bisect_left(outline.lines, start)
        if index == len(outline.lines):
            return None
        if outline.lines[index] != start and start not in outline.decorators:
            return None  # no def of its own (a lambda)
        return outline.lines[index], outline.around[index]


class _Outline(NamedTuple):
    """A file's ``class`` and ``def`` lines, in order, each with the block around it."""

    lines: list[int]
    around: list[_Where]
    decorators: set[int]
    """Lines beginning with ``@``: where a decorated function's first line is."""


def _outline_of(lines: Sequence[str], filename: str) -> _Outline:
    """Every ``class`` and ``def`` of a file with the one it is in, by indentation, in one pass.

    A block of another kind (``if TYPE_CHECKING:``) is no scope: a ``def`` in
    it belongs to the class or module around it.
    """
    outline = _Outline([], [], set())
    opened: list[tuple[int, str, int]] = []  # (indent, kind, line) of the blocks we are in
    for number, text in enumerate(lines, 1):
        stripped = text.lstrip()
        if stripped.startswith("@"):
            outline.decorators.add(number)
            continue
        kind = next((kind for keyword, kind in _OPENERS if stripped.startswith(keyword)), None)
        if kind is None:
            continue
        indent = len(text) - len(stripped)
        while opened and opened[-1][0] >= indent:
            opened.pop()
        outline.lines.append(number)
        outline.around.append((opened[-1][1], filename, opened[-1][2]) if opened else MODULE)
        opened.append((indent, kind, number))
    return outline


def _one_named(
    functions: dict[str, list[FunctionProfile]],
    names: Iterable[str],
    may_be: Callable[[FunctionProfile], bool],
) -> list[FunctionProfile]:
    """For each name, the one function it may call; none where it may call several."""
    found = []
    for name in dict.fromkeys(names):
        candidates = [f for f in functions.get(name, []) if may_be(f)]
        if len(candidates) == 1:
            found += candidates
    return found
