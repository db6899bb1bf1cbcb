"""Time loading and exporting a 10,000-function / 210,000-line profile against the baselines.

    python bench/bench_core.py [--repeats 5] [--repeats-slow 3] [--workdir DIR] [--json OUT.json]

Targets (issue 2): ``load_lprof`` within 2x of a bare ``pickle.load`` of the same
file (both timed inside a fresh process, call only); the text export at least
20x faster than ``python -m line_profiler`` on it (whole commands).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import (
    CommandFailed,
    Job,
    Row,
    all_passed,
    at_least_faster,
    at_most_times,
    child_env,
    common_parser,
    compared_with,
    format_table,
    measure_warm,
    working_folder,
    write_json,
)
from make_big_profile import generate

LOAD_LIMIT = 2.0  # load_lprof may take at most this many times a bare pickle.load
TEXT_SPEEDUP = 20.0  # the text export must be at least this much faster than line_profiler

# The class the file names is imported before the clock starts, so the baseline
# times unpickling alone (importing line_profiler would flatter our loader).
PICKLE_CALL = """\
import pickle, sys, time
import line_profiler.line_profiler
start = time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    stats = pickle.load(handle)
print(time.perf_counter() - start)
"""
LOAD_CALL = """\
import sys, time
from lprof_viewer.core.lprof_reader import load_lprof
start = time.perf_counter()
profile = load_lprof(sys.argv[1])
print(time.perf_counter() - start)
"""
PICKLE_PROCESS = "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))"
LOAD_PROCESS = (
    "import sys; from lprof_viewer.core.lprof_reader import load_lprof; load_lprof(sys.argv[1])"
)

PICKLE_IN = "pickle.load (in-process)"
PICKLE_WHOLE = "pickle.load (whole process)"
LOAD_IN = "load_lprof (in-process)"
LOAD_WHOLE = "load_lprof (whole process)"
LINE_PROFILER = "python -m line_profiler -u 1e-6"
TEXT = "export --format text --unit us"
JSON = "export --format json"


def jobs(folder: Path, lprof: Path, repeats: int, repeats_slow: int) -> tuple[list[Job], Job]:
    """The fast jobs, and the slow ``python -m line_profiler`` baseline."""
    python = sys.executable
    name = lprof.name  # every command runs from the folder holding the profile

    def python_c(label: str, code: str, in_process: bool) -> Job:
        return Job(label, [python, "-c", code, name], folder, repeats, in_process=in_process)

    def export(label: str, fmt: str, out: str, *unit: str) -> Job:
        argv = [python, "-m", "lprof_viewer", "export", name, "--format", fmt, *unit, "-o", out]
        return Job(label, argv, folder, repeats, output=folder / out)

    fast = [
        python_c(PICKLE_IN, PICKLE_CALL, in_process=True),
        python_c(LOAD_IN, LOAD_CALL, in_process=True),
        python_c(PICKLE_WHOLE, PICKLE_PROCESS, in_process=False),
        python_c(LOAD_WHOLE, LOAD_PROCESS, in_process=False),
        export(TEXT, "text", "export.txt", "--unit", "us"),
        export(JSON, "json", "export.json"),
    ]
    out = folder / "line_profiler.txt"
    slow = Job(
        LINE_PROFILER,
        [python, "-m", "line_profiler", "-u", "1e-6", name],
        folder,
        repeats_slow,
        stdout_path=out,
        output=out,
    )
    return fast, slow


def main() -> int:
    """Generate the profile, measure, print the table; exit 1 when a target is missed."""
    parser = common_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats-slow",
        type=int,
        default=3,
        help="samples of python -m line_profiler, ~40 s each (3)",
    )
    args = parser.parse_args()
    with working_folder(args.workdir) as folder:
        print(f"Generating the profile in {folder} ...", file=sys.stderr)
        lprof = generate(folder)
        fast, slow = jobs(folder, lprof, args.repeats, args.repeats_slow)
        env = child_env(folder)
        try:
            results = measure_warm(fast, env, unwarmed=[slow])
        except CommandFailed as error:
            print(f"bench_core: {error}", file=sys.stderr)
            return 2
    rows = [
        Row(results[PICKLE_IN]),
        Row(results[LOAD_IN], [at_most_times(results[LOAD_IN], results[PICKLE_IN], LOAD_LIMIT)]),
        Row(results[PICKLE_WHOLE]),
        Row(results[LOAD_WHOLE], [compared_with(results[LOAD_WHOLE], results[PICKLE_WHOLE])]),
        Row(results[LINE_PROFILER]),
        Row(results[TEXT], [at_least_faster(results[TEXT], results[LINE_PROFILER], TEXT_SPEEDUP)]),
        Row(results[JSON]),
    ]
    print(format_table(rows))
    if args.json:
        settings = {
            "repeats": args.repeats,
            "repeats_slow": args.repeats_slow,
            "functions": 10_000,
            "timed_lines": 210_000,
        }
        write_json(args.json, rows, settings)
    return 0 if all_passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
