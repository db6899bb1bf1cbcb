"""Which profiled functions run inside other profiled functions, read from their code.

line_profiler times each function's lines, a call included: when ``process``
calls ``parse`` and both are profiled, ``parse``'s time is in ``process``'s
too, and adding every function's total counts it twice. line_profiler
records no calls, so a call is read from the caller's timed lines: a
function's name followed by ``(`` outside comments and strings, called bare
(a module's or a nested function, or a class, which runs its ``__init__``)
or on ``self`` or ``cls`` (a method of the caller's class). ``json.load(``
is not a call of a profiled ``load``, nor ``parser.parse(`` of a profiled
``parse``: an object's class cannot be read from the code. It is a hint for the summary,
never a number of line_profiler's changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial

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
    classes: dict[FunctionProfile, _Where] = {}

    def class_of(function: FunctionProfile) -> _Where:
        if function not in classes:
            classes[function] = _class_read(annotate(function))
        return classes[function]

    calls: Calls = []
    for caller in functions:
        annotated = annotate(caller)
        if not annotated.shows_source:
            if caller.ran:  # code that ran and cannot be read: its calls are unknown
                return None
            continue
        timed = _CODE_ONLY.sub("", "\n".join(map(annotated.text, caller.linenos)))
        called = [
            *_one_named(bare, _BARE_CALL.findall(timed), partial(_in_its_scope, caller)),
            *_one_named(
                methods, _OWN_METHOD_CALL.findall(timed), partial(_of_its_class, caller, class_of)
            ),
        ]
        calls += [(caller, callee) for callee in dict.fromkeys(called) if callee is not caller]
    return calls


#: Comments and one-line strings, taken out before calls are read: ``# no parse(r) here``.
_CODE_ONLY = re.compile(r"""#[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""")


def _of_its_class(
    caller: FunctionProfile, class_of: Callable[[FunctionProfile], _Where], method: FunctionProfile
) -> bool:
    """Whether ``self.name(`` in ``caller`` may call ``method``: of its class, when both say.

    A visitor's ``self.visit(`` is not another class's ``visit``. line_profiler
    4.x (and 5.x under Python 3.10) names neither's class: then the classes
    are read from the code (``_class_read``), and where they cannot be, any
    method of the name may be the one.
    """
    if "." not in caller.name:
        if "." in method.name:
            return False
        where_caller, where_method = class_of(caller), class_of(method)
        if where_method == MODULE:  # a module's function, which self.x( cannot call
            return False
        if isinstance(where_caller, tuple) and isinstance(where_method, tuple):
            return where_caller == where_method
        return True
    if "." not in method.name:  # a module's function, which self.x( cannot call
        return False
    return caller.name.rpartition(".")[0] == method.name.rpartition(".")[0]


#: Where a function is defined: MODULE, a class (its file and the line of its
#: ``class``), or None when it cannot be told (no code, or nested in a function).
_Where = tuple[str, int] | str | None
MODULE = "module"


def _class_read(annotated: AnnotatedFunction) -> _Where:
    """The class whose body defines the function, read from its code (for bare names).

    The nearest line above its first one that is indented less, and opens
    a block: ``class`` is its class, ``def`` a function it is nested in.
    Lines of other blocks (``if TYPE_CHECKING:``) lead further out; a
    header's closing line (``):``) is passed over.
    """
    source = annotated.source if annotated.shows_source else None
    start = annotated.function.start_line
    if source is None or not 1 <= start <= len(source.lines):
        return None
    first = source.lines[start - 1]
    indent = len(first) - len(first.lstrip())
    if indent == 0:
        return MODULE
    for number in range(start - 1, 0, -1):
        text = source.lines[number - 1]
        stripped = text.lstrip()
        if not stripped or stripped.startswith(("#", ")", "]")):
            continue
        if len(text) - len(stripped) >= indent:
            continue
        if stripped.startswith("class "):
            return annotated.function.filename, number
        if stripped.startswith(("def ", "async def ")):
            return None
        indent = len(text) - len(stripped)  # another block: its own opener is further out
        if indent == 0:
            return None
    return None


def _in_its_scope(caller: FunctionProfile, function: FunctionProfile) -> bool:
    """Whether a bare call in ``caller`` may call ``function``: a nested one only from within."""
    if ".<locals>." not in function.name:
        return True
    return function.name.startswith(f"{caller.name}.<locals>.")


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
