# -*- coding: utf-8 -*-
"""Profiling target with functions of clearly different cost (run by kernprof -l).

Non-ASCII on purpose: café ✓ — the viewer must show this line intact.
"""

import functools
from collections.abc import Callable
from typing import Any

GREETING = "café ✓"


def logged(func: Callable[..., Any]) -> Callable[..., Any]:
    """A plain pass-through decorator, stacked above ``@profile``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


@profile
def slow_sum(n: int = 200_000) -> int:
    """The expensive one: a long pure-Python loop."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


@profile
def medium(n: int = 20_000) -> int:
    """About a tenth of slow_sum's work."""
    total = 0
    for i in range(n):
        total += i % 3
    return total


@profile
def fast() -> str:
    """Cheap: a few lines, called once."""
    word = GREETING.upper()
    return word[::-1]


class Worker:
    """Holds a profiled method, recorded as ``Worker.process`` by line_profiler 5.x."""

    def __init__(self, factor: int) -> None:
        self.factor = factor

    @profile
    def process(self, items: list[int]) -> list[int]:
        """Scale each item; called a few times."""
        out = []
        for item in items:
            out.append(item * self.factor)
        return out


@profile
def never_called(x: int) -> int:
    """Decorated but never executed: a profile entry with no hits."""
    y = x + 1
    return y * 2


@logged
@profile
def decorated_twice(text: str) -> int:
    """``@profile`` is the second decorator, so first_lineno is the ``@logged`` line."""
    count = 0
    for ch in text:
        if ch != " ":
            count += 1
    return count


def main() -> None:
    """Run every profiled function except ``never_called``."""
    slow_sum()
    medium()
    fast()
    worker = Worker(3)
    for _ in range(5):
        worker.process(list(range(50)))
    decorated_twice(GREETING)


if __name__ == "__main__":
    main()
