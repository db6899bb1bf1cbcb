"""Profiling target whose profiled function raises after a few lines.

The script exits non-zero, but kernprof still writes the ``.lprof`` file.
"""


class FixtureError(RuntimeError):
    """The error deliberately raised by :func:`explode`."""


@profile
def explode(limit: int = 1_000) -> int:
    """Do some work, then fail."""
    total = 0
    for i in range(limit):
        total += i
    if total > 0:
        raise FixtureError(f"boom after summing to {total}")
    return total


if __name__ == "__main__":
    explode()
