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

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.model import FunctionProfile, qualifies_names

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
    # Bare names (line_profiler 4.x, 5.x under Python 3.10) say nothing of classes and scopes:
    # then they are read from the code.
    read = None if qualifies_names(functions) else _CodeRead(annotate)

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


def _of_its_class(caller: FunctionProfile, read: _CodeRead | None, method: FunctionProfile) -> bool:
    """Whether ``self.name(`` in ``caller`` may call ``method``: of its class, when both say.

    A visitor's ``self.visit(`` is not another class's ``visit``. Where names
    are bare, where each is defined is read from the code (``read``); where
    it cannot be, any function of the name may be the method.
    """
    if "." not in caller.name:
        if "." in method.name or read is None:
            return "." not in method.name
        where_caller, where_method = read.where(caller), read.where(method)
        if _kind(where_method) in (MODULE, DEF):
            return False  # a module's or a nested function, which self.x( cannot call
        return where_caller == where_method if _kind(where_caller) == CLASS else True
    if "." not in method.name:  # a module's function, which self.x( cannot call
        return False
    return caller.name.rpartition(".")[0] == method.name.rpartition(".")[0]


def _in_its_scope(
    caller: FunctionProfile, read: _CodeRead | None, function: FunctionProfile
) -> bool:
    """Whether a bare call in ``caller`` may call ``function``: a nested one only from within.

    Where names are bare, where each is defined is read from the code
    (``read``): a method is never called bare, and a function nested in
    another only from that one.
    """
    if ".<locals>." in function.name:
        return function.name.startswith(f"{caller.name}.<locals>.")
    if "." in function.name or read is None:  # Parser( runs Parser.__init__
        return True
    defined = read.where(function)
    if defined is not None and defined[0] == DEF:
        return read.def_line(caller) == defined[1:]
    return _kind(defined) != CLASS


#: Where a function is defined, read from its code: (MODULE, file, 0); (CLASS, file, line)
#: for a method, (DEF, file, line) for a function nested in another, at the line of that
#: ``class`` or ``def``; None when it cannot be told (no code to read).
_Where = tuple[str, str, int] | None
MODULE, CLASS, DEF = "module", "class", "def"


def _kind(where: _Where) -> str | None:
    """MODULE, CLASS or DEF; None when unknown."""
    return where[0] if where else None


class _CodeRead:
    """Where functions are defined, read from their files' code (for bare names).

    Each file is parsed once (``ast``), and each function looked up once:
    many classes' ``step`` are each asked about every other's.
    """

    def __init__(self, annotate: Callable[[FunctionProfile], AnnotatedFunction]) -> None:
        self._annotate = annotate
        self._outlines: dict[str, dict[int, tuple[int, _Where]] | None] = {}
        self._found: dict[FunctionProfile, tuple[int, _Where] | None] = {}

    def where(self, function: FunctionProfile) -> _Where:
        """The block around the function's ``def``: the module, a class or a function."""
        found = self._def_of(function)
        return found[1] if found else None

    def def_line(self, function: FunctionProfile) -> tuple[str, int] | None:
        """The file and line of the function's ``def``, below its decorators."""
        found = self._def_of(function)
        return (function.filename, found[0]) if found else None

    def _def_of(self, function: FunctionProfile) -> tuple[int, _Where] | None:
        if function not in self._found:
            self._found[function] = self._read_def_of(function)
        return self._found[function]

    def _read_def_of(self, function: FunctionProfile) -> tuple[int, _Where] | None:
        annotated = self._annotate(function)
        if annotated.source is None or not annotated.shows_source:
            return None  # its code is not the code that ran
        if function.filename not in self._outlines:
            text = "\n".join(annotated.source.lines)
            self._outlines[function.filename] = _outline_of(text, function.filename)
        outline = self._outlines[function.filename]
        return None if outline is None else outline.get(function.start_line)


def _outline_of(text: str, filename: str) -> dict[int, tuple[int, _Where]] | None:
    """Each function of a file by its first line (its first decorator's, as line_profiler
    records it): the line of its ``def`` and the block it is defined in.

    Blocks of other kinds (``if TYPE_CHECKING:``, ``try:``) are no scope: a
    ``def`` in one belongs to the class, function or module around it. None
    for code that does not parse.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    outline: dict[int, tuple[int, _Where]] = {}
    scopes: list[tuple[ast.AST, _Where]] = [(tree, (MODULE, filename, 0))]
    while scopes:
        scope, where = scopes.pop()
        for node in _defined_in(scope):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if not isinstance(node, ast.ClassDef):
                outline[first] = node.lineno, where
            kind = CLASS if isinstance(node, ast.ClassDef) else DEF
            scopes.append((node, (kind, filename, node.lineno)))
    return outline


_Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _defined_in(scope: ast.AST) -> list[_Definition]:
    """The functions and classes a scope defines itself, inside its other blocks too."""
    found: list[_Definition] = []
    blocks = list(ast.iter_child_nodes(scope))
    while blocks:
        node = blocks.pop()
        if isinstance(node, _Definition):
            found.append(node)
        elif not isinstance(node, ast.Lambda):
            blocks.extend(ast.iter_child_nodes(node))
    return found


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
