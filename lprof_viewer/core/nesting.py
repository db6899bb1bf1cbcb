"""Which profiled functions run inside other profiled functions, read from their code.

line_profiler times each function's lines, a call included: when ``process``
calls ``parse`` and both are profiled, ``parse``'s time is in ``process``'s
too, and adding every function's total counts it twice. line_profiler
records no calls, so a call is read from the caller's timed lines: a
function's name followed by ``(``, called bare (a module's function) or on
``self``, ``cls`` or ``super()`` (a method). ``json.load(`` is not a call of
a profiled ``load``. It is a hint for the summary, never a number of
line_profiler's changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.model import FunctionProfile

#: A bare call, not after a dot: ``parse(``.
_BARE_CALL = re.compile(r"(?<![\w.])(\w+)\s*\(")
#: A call of one's own method: ``self.parse(``, ``cls.make(``, ``super().save(``.
_OWN_METHOD_CALL = re.compile(r"(?:(?<![\w.])(?:self|cls)|super\(\s*\))\s*\.\s*(\w+)\s*\(")
#: Profiles with more functions than this are not read for calls: each function's
#: code would be found and searched, and such profiles come from profiling whole
#: modules, where nearly everything is nested in something.
MAX_FUNCTIONS_READ = 2_000

Calls = list[tuple[FunctionProfile, FunctionProfile]]


def calls_between(
    functions: Sequence[FunctionProfile], annotate: Callable[[FunctionProfile], AnnotatedFunction]
) -> Calls | None:
    """(caller, callee) pairs: the callee is called on a timed line of the caller.

    A function calling itself is not nested in itself; a caller whose code
    is missing or changed since is not read. None when the profile has more
    than ``MAX_FUNCTIONS_READ`` functions: not looked at, rather than none.
    """
    if len(functions) > MAX_FUNCTIONS_READ:
        return None
    module_level: dict[str, list[FunctionProfile]] = {}
    methods: dict[str, list[FunctionProfile]] = {}
    for function in functions:
        if function.short_name.startswith("<"):  # <lambda> is called by no name
            continue
        methods.setdefault(function.short_name, []).append(function)
        if "." not in function.name:  # line_profiler 4.x names methods so too
            module_level.setdefault(function.name, []).append(function)
    calls: Calls = []
    for caller in functions:
        annotated = annotate(caller)
        if not annotated.shows_source:
            continue
        timed = "\n".join(map(annotated.text, caller.linenos))
        callees = [
            *_named(module_level, _BARE_CALL.findall(timed)),
            *_named(methods, _OWN_METHOD_CALL.findall(timed)),
        ]
        calls += [(caller, callee) for callee in dict.fromkeys(callees) if callee is not caller]
    return calls


def _named(
    functions: dict[str, list[FunctionProfile]], names: Iterable[str]
) -> list[FunctionProfile]:
    return [function for name in dict.fromkeys(names) for function in functions.get(name, [])]
