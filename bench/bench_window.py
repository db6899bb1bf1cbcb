"""Time ``lprof-viewer --screenshot`` on the big profile against a bare PySide6 window.

    python bench/bench_window.py [--repeats 5] [--workdir DIR] [--json OUT.json]

Both are whole processes, offscreen. Targets (issue 3): the viewer within 3x of
bench/bare_qt_window.py, and its peak memory under 250 MiB. Until the viewer
window exists, only the baseline is measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import (
    CommandFailed,
    Job,
    Row,
    all_passed,
    at_most_times,
    child_env,
    common_parser,
    format_table,
    measure,
    peak_below,
    warm_up,
    working_folder,
    write_json,
)
from make_big_profile import generate

RUN_TIMEOUT = 120.0  # seconds; a viewer that never exits must not hang the benchmark
TIME_LIMIT = 3.0  # the viewer may take at most this many times the bare window
MEMORY_LIMIT_MIB = 250.0

BARE = "bare Qt window"
VIEWER = "lprof-viewer --screenshot"
BARE_SCRIPT = Path(__file__).resolve().parent / "bare_qt_window.py"


def jobs(folder: Path, lprof: Path, repeats: int) -> tuple[Job, Job]:
    """The baseline and the viewer, each writing its own PNG in ``folder``."""
    python = sys.executable
    bare_png, viewer_png = folder / "bare.png", folder / "viewer.png"
    bare_argv = [python, str(BARE_SCRIPT), str(bare_png)]
    viewer_argv = [python, "-m", "lprof_viewer", "--screenshot", str(viewer_png), lprof.name]
    return (
        Job(BARE, bare_argv, folder, repeats, output=bare_png, timeout=RUN_TIMEOUT),
        Job(VIEWER, viewer_argv, folder, repeats, output=viewer_png, timeout=RUN_TIMEOUT),
    )


def main() -> int:
    """Generate the profile, measure, print the table; exit 1 when a target is missed."""
    args = common_parser(__doc__.splitlines()[0]).parse_args()
    with working_folder(args.workdir) as folder:
        print(f"Generating the profile in {folder} ...", file=sys.stderr)
        bare, viewer = jobs(folder, generate(folder), args.repeats)
        env = child_env(folder, QT_QPA_PLATFORM="offscreen")
        try:
            warm_up(bare, env)
        except CommandFailed as error:
            print(f"bench_window: the baseline failed: {error}", file=sys.stderr)
            return 2
        try:
            warm_up(viewer, env)
            measured = [bare, viewer]
        except CommandFailed as error:
            print("viewer --screenshot not available yet")
            print(f"  ({str(error).splitlines()[-1]})", file=sys.stderr)
            measured = [bare]
        results = measure(measured, env)
    rows = [Row(results[BARE])]
    if VIEWER in results:
        checks = [
            at_most_times(results[VIEWER], results[BARE], TIME_LIMIT),
            peak_below(results[VIEWER], MEMORY_LIMIT_MIB),
        ]
        rows.append(Row(results[VIEWER], checks))
    print(format_table(rows))
    if args.json:
        write_json(args.json, rows, {"repeats": args.repeats, "viewer": VIEWER in results})
    return 0 if all_passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
