"""Generate a large, realistic profile for the benchmarks.

Writes ``N_MODULES`` Python modules holding ``functions`` functions in all,
each with ``lines_per_function`` timed lines, and a ``.lprof`` for them
pickled with line_profiler's own ``LineStats`` (as kernprof writes it).
The timing values are synthetic: running 10,000 real functions under kernprof
would measure the machine, not the viewer.

    python bench/make_big_profile.py OUT_DIR [--functions 10000] [--lines 21]
"""

from __future__ import annotations

import argparse
import pickle
import random
from pathlib import Path

from line_profiler import LineStats

N_MODULES = 10

FunctionKey = tuple[str, int, str]
Timing = tuple[int, int, int]


def function_source(index: int, timed_lines: int) -> list[str]:
    """Source of one generated function: a decorator, a def, and its body lines."""
    body = [f"    total_{k} = sum(range({index % 97 + k})) * {k}" for k in range(timed_lines - 1)]
    return ["@profile", f"def work_{index}(n):", *body, "    return n", ""]


def line_timings(rng: random.Random, start: int, timed_lines: int) -> list[Timing]:
    """Synthetic ``(lineno, hits, ticks)`` for a function whose decorator is at ``start``.

    The timed lines are the body after the def line (``start + 2`` onwards).
    """
    weight = rng.paretovariate(1.2)
    return [
        (start + 2 + k, hits, int(hits * weight * rng.uniform(50, 400)))
        for k in range(timed_lines)
        for hits in [rng.randint(1, 5000)]
    ]


def write_lprof(timings: dict[FunctionKey, list[Timing]], path: Path) -> Path:
    """Pickle ``timings`` as kernprof does (a ``LineStats``, 1 ns ticks); answer ``path``."""
    with path.open("wb") as handle:
        pickle.dump(LineStats(timings, 1e-9), handle, pickle.HIGHEST_PROTOCOL)
    return path


def generate(
    out: Path, functions: int = 10_000, lines_per_function: int = 21, seed: int = 7
) -> Path:
    """Write the modules and the profile into ``out``; answer the .lprof path."""
    rng = random.Random(seed)
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    timings: dict[FunctionKey, list[Timing]] = {}
    per_module = -(-functions // N_MODULES)
    for module in range(N_MODULES):
        path = src / f"module_{module:02d}.py"
        text = ['"""Generated for lprof-viewer benchmarks."""', ""]
        for index in range(module * per_module, min(functions, (module + 1) * per_module)):
            start = len(text) + 1  # the decorator line, as co_firstlineno records it
            text.extend(function_source(index, lines_per_function))
            timings[(str(path), start, f"work_{index}")] = line_timings(
                rng, start, lines_per_function
            )
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return write_lprof(timings, out / "big.lprof")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--functions", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=21, help="timed lines per function")
    args = parser.parse_args()
    print(generate(args.out, args.functions, args.lines))


if __name__ == "__main__":
    main()
