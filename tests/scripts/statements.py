"""Statements over several lines, docstrings, clauses and branches that never run (kernprof -l).

Laid out as no formatter would, on purpose: a list going on at column 0
inside a function, and a docstring line at column 0.
"""


@profile
def documented(values):
    """Sum the squares of ``values``.

    # Inside the docstring: not a comment.
Not code either, though it starts at column 0.
    """
    total = 0
    for value in values:
        total += value * value
    return total


@profile
def spread_over_lines(flag):
    items = [
1, 2, 3,
]
    text = """
(a bracket left open inside a string
"""
    if flag:
        items.append(
            len(text),
        )
    return sum(items)


CALLS = 0


@profile
def with_clauses(values):
    global CALLS
    try:
        total = sum(values)
    except TypeError:
        total = 0
    else:
        CALLS += 1
    finally:
        values = None
    return total


@profile
def with_nested_code(values):
    count: int
    limit: dict(default=3)
    scale: float = 2.0

    @staticmethod
    def helper(value):
        doubled = value * scale
        return doubled

    class Box:
        size = 1

    total = sum(helper(value) for value in values)
    if total < 0:
        count = Box.size
        Box.size: int
        total += count
    return total


if __name__ == "__main__":
    for _ in range(100):
        documented(range(20))
        spread_over_lines(False)
        with_clauses([1, 2])
        with_nested_code([1, 2])
