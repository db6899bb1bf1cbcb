"""Time diffing two 10,000-function / 210,000-line profiles, some functions edited between them.

    python bench/bench_diff.py [--repeats 5] [--edited 0.05] [--skip-window] [--workdir DIR]
                               [--json OUT.json]

Profile A is ``make_big_profile.generate``'s; B is made from a copy of A's
sources with two lines inserted into ~5% of the functions (shifting everything
below them in their files), its times changed and its file names pointing at
the copy. Targets (issue 5): the headless diff under a second, both computed
alone (load both, match, align every function's lines; timed inside a fresh
process, B's side read by a forked helper as the command reads it, and for
comparison both sides in one process) and as the whole
``lprof-viewer diff A B --format json -o OUT`` and ``lprof-viewer diff A B -o OUT``
(text), each also shown as a multiple
of unpickling both files in the same go (the machine's speed drifts between
runs); and the diff window
(``--screenshot --diff A B``) within 3x of the single-profile window
(``--screenshot A``). When either window run fails, the script says why and
reports the headless rows alone.
"""

from __future__ import annotations

import pickle
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from _timing import (
    Check,
    CommandFailed,
    Job,
    Measurement,
    Row,
    all_passed,
    at_most_times,
    child_env,
    common_parser,
    compared_with,
    format_table,
    measure,
    measure_warm,
    warm_up,
    working_folder,
    write_json,
)
from make_big_profile import FunctionKey, Timing, generate, write_lprof

TIME_LIMIT_S = 1.0  # the headless diff, in-process and whole command
WINDOW_LIMIT = 3.0  # the diff window may take at most this many times the single-profile window
RUN_TIMEOUT = 120.0  # seconds; a window that never exits must not hang the benchmark
INSERTED = ("    extra_a = n + 1", "    extra_b = extra_a * 2")

# Load both profiles, match their functions and align every function's lines
# (all an export needs before it writes), touching ``f.lines`` function by
# function as an export or any caller does. ``open_diff`` as the command calls
# it: B's side read by a forked helper ("parallel"), or both here ("serial").
DIFF_CALL = """\
import sys, time
from pathlib import Path
from lprof_viewer.core.pair_loading import open_diff
start = time.perf_counter()
diff = open_diff(Path(sys.argv[1]), Path(sys.argv[2]), [], None, sys.argv[3] == "parallel")
rows = sum(len(function.lines) for function in diff.functions)
elapsed = time.perf_counter() - start
assert len(diff.functions) == 10_000 and rows > 210_000, (len(diff.functions), rows)
print(elapsed)
"""

DIFF_COMMAND = (sys.executable, "-m", "lprof_viewer", "diff")

# The baseline: unpickling both files, nothing else, as any reader must. The
# machine's speed drifts by a quarter between runs; this row drifts with it.
PICKLE_CALL = """\
import pickle, sys, time
import line_profiler.line_profiler
start = time.perf_counter()
for path in sys.argv[1:3]:
    with open(path, "rb") as handle:
        pickle.load(handle)
print(time.perf_counter() - start)
"""

PICKLE_BOTH = "pickle.load of A and B (in-process)"
IN_PROCESS = "load, match, align every function (in-process)"
IN_PROCESS_SERIAL = "the same, both sides in one process"
COMMAND = "lprof-viewer diff --format json"
TEXT_COMMAND = "lprof-viewer diff (text, the default)"
SINGLE_WINDOW = "window --screenshot A"
DIFF_WINDOW = "window --screenshot --diff A B"


def make_edited_profile(a_lprof: Path, out: Path, share: float = 0.05, seed: int = 11) -> Path:
    """Profile B: A's sources copied to ``out/src``, 2 lines inserted into ``share`` of functions.

    B's timings are A's with the line numbers each edit shifts, the inserted
    lines timed too, and every time scaled by a random factor (0.3x to 1.7x);
    its keys name the copies. Answers B's .lprof path.
    """
    rng = random.Random(seed)
    with a_lprof.open("rb") as handle:
        stats = pickle.load(handle)  # our own file, written by make_big_profile
    by_file: dict[str, list[tuple[FunctionKey, list[Timing]]]] = defaultdict(list)
    for key, lines in stats.timings.items():
        by_file[key[0]].append((key, lines))
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    timings: dict[FunctionKey, list[Timing]] = {}
    for filename, functions in by_file.items():
        copy = src / Path(filename).name
        text = Path(filename).read_text(encoding="utf-8").split("\n")
        shift = 0
        for (_, start, name), lines in sorted(functions, key=lambda item: item[0][1]):
            edited = rng.random() < share
            body = start + 2 + shift  # the first body line, after the decorator and def
            if edited:
                text[body - 1 : body - 1] = INSERTED
            new_start = start + shift
            shift += len(INSERTED) if edited else 0
            moved = [
                (lineno + shift, hits, int(ticks * rng.uniform(0.3, 1.7)))
                for lineno, hits, ticks in lines
            ]
            added = [(body + k, lines[0][1], rng.randint(100, 10_000)) for k in range(2)]
            timings[(str(copy), new_start, name)] = (added if edited else []) + moved
        copy.write_text("\n".join(text), encoding="utf-8")
    return write_lprof(timings, out / "b.lprof")


def make_pair(folder: Path, share: float) -> tuple[Path, Path]:
    """Generate A in ``folder/a`` and B, edited from it, in ``folder/b``; answer both paths."""
    a = generate(folder / "a")
    shutil.move(a, folder / "a.lprof")
    b = make_edited_profile(folder / "a.lprof", folder / "b", share)
    shutil.move(b, folder / "b.lprof")
    return folder / "a.lprof", folder / "b.lprof"


def headless_jobs(folder: Path, repeats: int) -> list[Job]:
    """Unpickling both files, the diff computed in-process and the whole ``diff --format json``."""
    python = sys.executable
    out = folder / "diff.json"
    in_process, in_process_serial = (
        Job(
            name,
            [python, "-c", DIFF_CALL, "a.lprof", "b.lprof", mode],
            folder,
            repeats,
            in_process=True,
        )
        for name, mode in ((IN_PROCESS, "parallel"), (IN_PROCESS_SERIAL, "serial"))
    )
    pickle_both = [python, "-c", PICKLE_CALL, "a.lprof", "b.lprof"]
    baseline = Job(PICKLE_BOTH, pickle_both, folder, repeats, in_process=True)
    text = folder / "diff.txt"
    return [
        baseline,
        in_process,
        in_process_serial,
        Job(
            COMMAND,
            [*DIFF_COMMAND, "a.lprof", "b.lprof", "--format", "json", "-o", out.name],
            folder,
            repeats,
            output=out,
        ),
        Job(
            TEXT_COMMAND,
            [*DIFF_COMMAND, "a.lprof", "b.lprof", "-o", text.name],
            folder,
            repeats,
            output=text,
        ),
    ]


def window_jobs(folder: Path, repeats: int) -> tuple[Job, Job]:
    """The single-profile window on A, and the diff window on A and B, each saving a PNG."""
    python = sys.executable
    single_png, diff_png = folder / "single.png", folder / "diff.png"
    single = [python, "-m", "lprof_viewer", "--screenshot", single_png.name, "a.lprof"]
    diff = [python, "-m", "lprof_viewer", "--screenshot", diff_png.name, "--diff"]
    return (
        Job(SINGLE_WINDOW, single, folder, repeats, output=single_png, timeout=RUN_TIMEOUT),
        Job(
            DIFF_WINDOW,
            [*diff, "a.lprof", "b.lprof"],
            folder,
            repeats,
            output=diff_png,
            timeout=RUN_TIMEOUT,
        ),
    )


def measure_window(folder: Path, repeats: int) -> tuple[list[Row], str | None]:
    """The window rows (diff window against the single-profile window), or why there are none."""
    single, diff = window_jobs(folder, repeats)
    env = child_env(folder, QT_QPA_PLATFORM="offscreen", LPROF_VIEWER_DATA=str(folder / "data"))
    for job, what in ((single, "the single-profile window"), (diff, "the diff window")):
        try:
            warm_up(job, env)
        except CommandFailed as error:
            last = str(error).strip().splitlines()[-1]
            return [], f"{what} is not available yet (`{job.shell()}` failed: {last})"
    results = measure([single, diff], env)
    rows = [
        Row(results[SINGLE_WINDOW]),
        Row(
            results[DIFF_WINDOW],
            [at_most_times(results[DIFF_WINDOW], results[SINGLE_WINDOW], WINDOW_LIMIT)],
        ),
    ]
    return rows, None


def under_a_second(result: Measurement, baseline: Measurement) -> Row:
    """A row held to the one-second target, and compared with unpickling both files."""
    passed = result.median < TIME_LIMIT_S
    return Row(
        result,
        [
            Check(f"{result.median:.3f} s", f"< {TIME_LIMIT_S:g} s", passed),
            compared_with(result, baseline),
        ],
    )


def main() -> int:
    """Generate the pair, measure, print the table; exit 1 when a target is missed."""
    parser = common_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--edited", type=float, default=0.05, help="share of functions edited in B (0.05)"
    )
    parser.add_argument("--skip-window", action="store_true", help="measure the headless diff only")
    args = parser.parse_args()
    window_note = None
    with working_folder(args.workdir) as folder:
        print(f"Generating profiles A and B in {folder} ...", file=sys.stderr)
        make_pair(folder, args.edited)
        env = child_env(folder, LPROF_VIEWER_DATA=str(folder / "data"))
        jobs = headless_jobs(folder, args.repeats)
        try:
            results = measure_warm(jobs, env)
        except CommandFailed as error:
            print(f"bench_diff: {error}", file=sys.stderr)
            return 2
        baseline = results[PICKLE_BOTH]
        rows = [Row(baseline)]
        headless = (IN_PROCESS, COMMAND, TEXT_COMMAND)
        rows += [under_a_second(results[name], baseline) for name in headless]
        serial = results[IN_PROCESS_SERIAL]  # no target: what the helper saves
        rows.insert(2, Row(serial, [compared_with(serial, results[IN_PROCESS])]))
        if not args.skip_window:
            window_rows, window_note = measure_window(folder, args.repeats)
            rows += window_rows
    print(format_table(rows))
    if window_note:
        print(f"Window target not measured: {window_note}")
    if args.json:
        settings = {
            "repeats": args.repeats,
            "functions": 10_000,
            "timed_lines": 210_000,
            "edited_share": args.edited,
            "window": window_note or "measured",
        }
        write_json(args.json, rows, settings)
    return 0 if all_passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
