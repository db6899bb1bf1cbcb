"""Which profiled functions run inside other profiled functions, read from their code.

line_profiler times each function's lines, a call included: when ``process``
calls ``parse`` and both are profiled, ``parse``'s time is in ``process``'s
too, and adding every function's total counts it twice. line_profiler
records no calls, so a call is read from the caller's timed lines: a
function's name followed by ``(``, called bare (a module's function, or a
class, which runs its ``__init__``) or on ``self`` or ``cls`` (a method of
the caller's class) or ``super()``. ``json.load(`` is not a call of a
profiled ``load``, nor ``parser.parse(`` of a profiled ``parse``: an
object's class cannot be read from the code. It is a hint for the summary,
never a number of line_profiler's changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.model import FunctionProfile

#: A bare call, not after a dot: ``parse(``.
_BARE_CALL = re.compile(r"(?<![\w.])(\w+)\s*\(")
#: A call of one's own method: ``self.parse(``, ``cls.make(``.
_OWN_METHOD_CALL = re.compile(r"(?<![\w.])(?:self|cls)\s*\.\s*(\w+)\s*\(")
#: A call of a method of a class above: ``super().save(``.
_SUPER_CALL = re.compile(r"(?<![\w.])super\(\s*\)\s*\.\s*(\w+)\s*\(")
#: Profiles with more functions than this are not read for calls: each function's
#: code would be found and searched, and such profiles come from profiling whole
#: modules, where nearly everything is nested in something.
MAX_FUNCTIONS_READ = 2_000

Calls = list[tuple[FunctionProfile, FunctionProfile]]


def calls_between(
    functions: Sequence[FunctionProfile], annotate: Callable[[FunctionProfile], AnnotatedFunction]
) -> Calls | None:
    """(caller, callee) pairs: the callee is called on a timed line of the caller.

    A function calling itself is not nested in itself. None when the calls
    cannot all be read: a function that ran has no trustworthy code (missing,
    or changed since), or the profile has more than ``MAX_FUNCTIONS_READ``.
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
        if "." not in name:  # a module's function (line_profiler 4.x names methods so too)
            bare.setdefault(name, []).append(function)
        elif name.endswith(".__init__") and name.count(".") == 1:  # Parser( runs Parser.__init__
            bare.setdefault(name.partition(".")[0], []).append(function)
    calls: Calls = []
    for caller in functions:
        annotated = annotate(caller)
        if not annotated.shows_source:
            if caller.ran:  # code that ran and cannot be read: its calls are unknown
                return None
            continue
        timed = "\n".join(map(annotated.text, caller.linenos))
        own = [
            m for m in _named(methods, _OWN_METHOD_CALL.findall(timed)) if _may_be_own(caller, m)
        ]
        above = _named(methods, _SUPER_CALL.findall(timed))
        callees = [*_named(bare, _BARE_CALL.findall(timed)), *own, *above]
        calls += [(caller, callee) for callee in dict.fromkeys(callees) if callee is not caller]
    return calls


def _may_be_own(caller: FunctionProfile, method: FunctionProfile) -> bool:
    """Whether ``self.name(`` in ``caller`` may call ``method``: of its class, when both say.

    A visitor's ``self.visit(`` is not another class's ``visit``; line_profiler
    4.x names neither's class, and ``super().save(`` calls another class's.
    """
    if "." not in caller.name or "." not in method.name:
        return True
    return caller.name.rpartition(".")[0] == method.name.rpartition(".")[0]


def _named(
    functions: dict[str, list[FunctionProfile]], names: Iterable[str]
) -> list[FunctionProfile]:
    return [function for name in dict.fromkeys(names) for function in functions.get(name, [])]
