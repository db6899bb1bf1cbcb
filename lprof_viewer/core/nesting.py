"""Which profiled functions run inside other profiled functions, read from their code.

line_profiler times each function's lines, a call included: when ``process``
calls ``parse`` and both are profiled, ``parse``'s time is in ``process``'s
too, and adding every function's total counts it twice. line_profiler
records no calls, so a call is read from the caller's timed lines: a name
followed by ``(`` that is the name of another profiled function. That reads
calls to another function of the same name as calls to it; it is a hint for
the summary, never a number of line_profiler's changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.sources import SourceFile

#: A call: a name (a function, or a method after a dot) and its opening bracket.
_CALL = re.compile(r"(\w+)\s*\(")
#: Profiles with more functions than this are not read for calls: each function's
#: timed lines would be searched, and such profiles come from profiling whole
#: modules, where nearly everything is nested in something.
MAX_FUNCTIONS_READ = 2_000


def nested_functions(
    functions: Sequence[FunctionProfile],
    source_of: Callable[[FunctionProfile], SourceFile | None],
) -> list[tuple[FunctionProfile, FunctionProfile]]:
    """(caller, callee) pairs: the callee is called on a timed line of the caller.

    A function calling itself is not nested in itself. Empty for a profile of
    more than ``MAX_FUNCTIONS_READ`` functions, or whose sources are missing.
    """
    if len(functions) > MAX_FUNCTIONS_READ:
        return []
    by_name: dict[str, list[FunctionProfile]] = {}
    for function in functions:
        if not function.short_name.startswith("<"):  # <lambda> is called by no name
            by_name.setdefault(function.short_name, []).append(function)
    pairs = []
    for caller in functions:
        source = source_of(caller)
        if source is None:
            continue
        timed = "\n".join(source.line(lineno) for lineno in caller.linenos)
        for name in set(_CALL.findall(timed)) & by_name.keys():
            pairs += [(caller, callee) for callee in by_name[name] if callee is not caller]
    return pairs


def outermost(
    functions: Sequence[FunctionProfile], nested: list[tuple[FunctionProfile, FunctionProfile]]
) -> list[FunctionProfile]:
    """The functions no other profiled function calls; all of them when every one is called."""
    inside = {id(callee) for _, callee in nested}
    found = [function for function in functions if id(function) not in inside]
    return found or list(functions)
