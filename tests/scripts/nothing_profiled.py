"""Profiling target that marks nothing with @profile (an easy slip): kernprof writes no timings."""


def work(n: int) -> int:
    """Runs, but was never decorated."""
    return sum(range(n))


if __name__ == "__main__":
    print(work(1000))
