"""Time finding every function's lines in real code, against line_profiler's own search.

    python bench/bench_blocks.py [--repeats 5] [--workdir DIR] [--json OUT.json]

A function's lines are those ``python -m line_profiler`` shows: its
``get_code_block`` (``inspect.getblock``, which tokenizes). Real code has
what a generated profile lacks: docstrings, signatures over several lines,
comments, decorators with arguments. The input is every function of a dozen
standard-library modules (about 2,000). Both sides run in a fresh process
and time only the search: line_profiler's ``get_code_block`` for each
function, and our ``ProfileAnnotator.annotate`` for each (reading the files,
checking them against the profile and finding the lines). Target (ours; the
issues name none): at least 2x faster than line_profiler.
"""

from __future__ import annotations

import sys

from _timing import (
    CommandFailed,
    Job,
    Row,
    all_passed,
    at_least_faster,
    child_env,
    common_parser,
    format_table,
    measure_warm,
    working_folder,
    write_json,
)

SPEEDUP = 2.0  # our search must be at least this much faster than line_profiler's
MODULES = (
    "argparse",
    "asyncio.base_events",
    "asyncio.tasks",
    "dataclasses",
    "email.message",
    "http.client",
    "inspect",
    "logging",
    "pickle",
    "subprocess",
    "tokenize",
    "typing",
)

# Every function of the modules, as a profile records it: its first line
# (the first decorator's, else the def's) and its statements timed. Made
# before the clock starts, in each child alike.
FUNCTIONS = """\
import ast, importlib, sys
from pathlib import Path
STARTS = []  # (path, first line, name, statement lines)
for module in sys.argv[1:]:
    path = Path(importlib.import_module(module).__file__)
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            body = {s.lineno for s in ast.walk(node) if isinstance(s, ast.stmt)} - {node.lineno}
            STARTS.append((str(path), start, node.name, sorted(body)))
print(len(STARTS), file=sys.stderr)
"""

LINE_PROFILER_CALL = (
    FUNCTIONS
    + """\
import time
from line_profiler.line_profiler import get_code_block
start = time.perf_counter()
for path, first, _, _ in STARTS:
    get_code_block(path, first)
print(time.perf_counter() - start)
"""
)

OUR_CALL = (
    FUNCTIONS
    + """\
import time
from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.model import FunctionProfile, Profile
functions = [
    FunctionProfile((path, first, name), [(n, 1, 10) for n in body], 1e-6)
    for path, first, name, body in STARTS
]
annotator = ProfileAnnotator(Profile(functions, 1e-6))
start = time.perf_counter()
for function in functions:
    annotator.annotate(function)
print(time.perf_counter() - start)
"""
)

LINE_PROFILER = "line_profiler get_code_block, every function"
OURS = "ProfileAnnotator.annotate, every function"


def main() -> int:
    """Measure both searches, print the table; exit 1 when the target is missed."""
    args = common_parser(__doc__.splitlines()[0]).parse_args()
    python = sys.executable
    with working_folder(args.workdir) as folder:
        jobs = [
            Job(label, [python, "-c", code, *MODULES], folder, args.repeats, in_process=True)
            for label, code in ((LINE_PROFILER, LINE_PROFILER_CALL), (OURS, OUR_CALL))
        ]
        env = child_env(folder)
        try:
            results = measure_warm(jobs, env)
        except CommandFailed as error:
            print(f"bench_blocks: {error}", file=sys.stderr)
            return 2
    rows = [
        Row(results[LINE_PROFILER]),
        Row(results[OURS], [at_least_faster(results[OURS], results[LINE_PROFILER], SPEEDUP)]),
    ]
    print(format_table(rows))
    if args.json:
        write_json(args.json, rows, {"repeats": args.repeats, "modules": list(MODULES)})
    return 0 if all_passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
