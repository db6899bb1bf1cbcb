"""Generate one function with 20,000 timed lines in one file, for the scrolling benchmark.

Writes ``src/long_module.py`` and ``long.lprof`` into OUT_DIR, with the same
synthetic timings as make_big_profile.py.

    python bench/make_long_source.py OUT_DIR [--lines 20000]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from make_big_profile import function_source, line_timings, write_lprof

FUNCTION_NAME = "work_0"  # what function_source(0, ...) defines


def generate_long(out: Path, timed_lines: int = 20_000, seed: int = 11) -> Path:
    """Write the module and its profile into ``out``; answer the .lprof path."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    path = src / "long_module.py"
    text = ['"""Generated for lprof-viewer benchmarks: one very long function."""', ""]
    start = len(text) + 1  # the decorator line, as co_firstlineno records it
    text.extend(function_source(0, timed_lines))
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    timings = {
        (str(path), start, FUNCTION_NAME): line_timings(random.Random(seed), start, timed_lines)
    }
    return write_lprof(timings, out / "long.lprof")


def main() -> None:
    """``make_long_source.py OUT_DIR [--lines N]``: print the .lprof path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=20_000, help="timed lines in the function")
    args = parser.parse_args()
    print(generate_long(args.out, args.lines))


if __name__ == "__main__":
    main()
