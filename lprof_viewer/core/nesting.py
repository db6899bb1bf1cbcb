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
            *_one_named(methods, _OWN_METHOD_CALL.findall(timed), partial(_of_its_class, caller)),
        ]
        calls += [(caller, callee) for callee in dict.fromkeys(called) if callee is not caller]
    return calls


#: Comments and one-line strings, taken out before calls are read: ``# no parse(r) here``.
_CODE_ONLY = re.compile(r"""#[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""")


def _of_its_class(caller: FunctionProfile, method: FunctionProfile) -> bool:
    """Whether ``self.name(`` in ``caller`` may call ``method``: of its class, when both say.

    A visitor's ``self.visit(`` is not another class's ``visit``; line_profiler
    4.x names neither's class.
    """
    if "." not in caller.name:  # line_profiler 4.x names no class: any method of the name
        return "." not in method.name
    if "." not in method.name:  # a module's function, which self.x( cannot call
        return False
    return caller.name.rpartition(".")[0] == method.name.rpartition(".")[0]


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
