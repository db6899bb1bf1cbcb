"""Profiling target with a single profiled function that is never called."""


@profile
def unused(x: int) -> int:
    """Decorated for profiling but never executed."""
    y = x * 2
    return y + 1


if __name__ == "__main__":
    print("nothing profiled ran")
