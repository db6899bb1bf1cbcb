"""The command line: headless verbs (export, merge) or the window.

``lprof-viewer export|merge ...`` runs without Qt; anything else opens the
window on the files given. Every failure is one sentence on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from lprof_viewer import __version__
from lprof_viewer.core.annotate import ProfileAnnotator
from lprof_viewer.core.exporters import FORMATS, ExportOptions, exporter_for
from lprof_viewer.core.lprof_reader import ProfileLoadError, load_profiles, read_stats
from lprof_viewer.core.merge import merge_stats
from lprof_viewer.core.sources import SourceMapError, SourceRoot
from lprof_viewer.core.units import UNIT_SECONDS, TimeUnit

HEADLESS_VERBS = ("export", "merge")
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """The user asked for something the command cannot do; the message says what."""


def _source_root(text: str) -> SourceRoot:
    try:
        return SourceRoot.parse(text)
    except SourceMapError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def export_parser() -> argparse.ArgumentParser:
    """``lprof-viewer export FILE... [--format] [-o] [--unit] [--source-map]``."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer export",
        description="Write one profile (several files are merged) as text, JSON, CSV or HTML.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".lprof files")
    parser.add_argument("--format", "-f", choices=list(FORMATS), default="text")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    parser.add_argument(
        "--unit",
        choices=list(UNIT_SECONDS),
        default="us",
        help="unit of the times in text and HTML (default: us, as python -m line_profiler)",
    )
    parser.add_argument(
        "--source-map",
        action="append",
        default=[],
        type=_source_root,
        metavar="OLD=NEW",
        help="find files recorded under OLD under NEW instead (repeatable)",
    )
    return parser


def merge_parser() -> argparse.ArgumentParser:
    """``lprof-viewer merge FILE... -o OUT.lprof``."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer merge",
        description="Add up profiles from several runs or workers into one .lprof file.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.lprof")
    return parser


def window_parser() -> argparse.ArgumentParser:
    """The window's options: files to open, the demo, a screenshot."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer",
        description="A viewer for line_profiler results. Headless verbs: "
        + ", ".join(HEADLESS_VERBS)
        + " (lprof-viewer VERB --help).",
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help=".lprof or .py files")
    parser.add_argument("--demo", action="store_true", help="open the bundled demo profile")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="OUT.png",
        help="load everything, save a picture of the window and exit",
    )
    parser.add_argument(
        "--source-map", action="append", default=[], type=_source_root, metavar="OLD=NEW"
    )
    parser.add_argument(
        "--palette", choices=("system", "dark"), default="system", help="force a dark palette"
    )
    parser.add_argument("--version", action="version", version=f"lprof-viewer {__version__}")
    return parser


def run_export(args: argparse.Namespace, stdout: TextIO) -> int:
    """Export the merged profile of ``args.files``."""
    profile = load_profiles(args.files)
    annotator = ProfileAnnotator(profile, args.source_map)
    exporter = exporter_for(args.format, ExportOptions(unit=TimeUnit(args.unit)))
    if args.output is None:
        exporter.export(annotator, stdout)
        return 0
    try:
        with args.output.open("w", encoding="utf-8", newline="") as stream:
            exporter.export(annotator, stream)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}.") from None
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """Merge ``args.files`` into ``args.output``."""
    from lprof_viewer.core.lprof_writer import write_lprof

    merged = merge_stats([read_stats(path) for path in args.files])
    try:
        write_lprof(merged, args.output)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}.") from None
    print(f"Merged {len(args.files)} files into {args.output}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Parse ``argv`` and run; answer the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    try:
        if argv and argv[0] == "export":
            return run_export(export_parser().parse_args(argv[1:]), stdout)
        if argv and argv[0] == "merge":
            return run_merge(merge_parser().parse_args(argv[1:]))
        args = window_parser().parse_args(argv)
    except (ProfileLoadError, UsageError) as error:
        print(f"lprof-viewer: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `lprof-viewer export big.lprof | head`
        return 0
    from lprof_viewer.ui.app import run_window

    return run_window(args)
