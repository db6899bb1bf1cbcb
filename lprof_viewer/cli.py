"""The command line: headless verbs (export, merge) or the window.

``lprof-viewer export|merge ...`` runs without Qt; anything else opens the
window on the files given. Every failure is one sentence on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from lprof_viewer import __version__
from lprof_viewer.core.ending_signals import ending_signals_handled
from lprof_viewer.core.exporters import FORMATS, ExportOptions, exporter_for
from lprof_viewer.core.kernprof_command import (
    RunConfig,
    find_interpreter,
    is_bare_name,
    parse_env_item,
)
from lprof_viewer.core.lprof_reader import ProfileLoadError, read_stats
from lprof_viewer.core.merge import merge_stats, with_sources_found
from lprof_viewer.core.output_files import replacing_text
from lprof_viewer.core.preload import cancel_preload, preload_profiles
from lprof_viewer.core.sources import SourceMapError, SourceRoot
from lprof_viewer.core.units import UNIT_CHOICES, UNIT_SECONDS, TimeUnit
from lprof_viewer.desktop.instance_protocol import is_standalone

HEADLESS_VERBS = ("export", "merge", "run", "diff")
EXIT_BAD_INPUT = 2
#: A headless command stopped by Ctrl+C, as shells report a command SIGINT ended.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The user asked for something the command cannot do; the message says what."""


def _source_root(text: str) -> SourceRoot:
    try:
        root = SourceRoot.parse(text)
    except SourceMapError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    # The shell expands ~ only at the start of a word, not after OLD=.
    new = Path(root.new).expanduser()
    try:
        is_folder = new.is_dir()
    except OSError as error:  # a name too long, a folder we cannot enter
        raise argparse.ArgumentTypeError(
            f"source map {text!r}: {new} cannot be checked: {error.strerror or error}"
        ) from None
    if not is_folder:
        raise argparse.ArgumentTypeError(f"source map {text!r}: {new} is not a folder")
    return SourceRoot(root.old, str(new))


def _add_source_map(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-map",
        action="append",
        default=[],
        type=_source_root,
        metavar="OLD=NEW",
        help="find files recorded under OLD under NEW instead (repeatable)",
    )


def export_parser() -> argparse.ArgumentParser:
    """``lprof-viewer export FILE... [--format] [-o] [--unit] [--source-map]``."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer export",
        description="Write one profile (several files are merged) as text, JSON, CSV or HTML.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".lprof files")
    parser.add_argument(
        "--format",
        "-f",
        choices=list(FORMATS),
        help="text (the default), json, csv or html; with -o, the file's suffix when it names one",
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    parser.add_argument(
        "--unit",
        choices=list(UNIT_SECONDS),
        help="unit of the times in text and HTML (default: us, as python -m line_profiler); "
        "JSON and CSV times are always in seconds",
    )
    _add_source_map(parser)
    return parser


def merge_parser() -> argparse.ArgumentParser:
    """``lprof-viewer merge FILE... -o OUT.lprof``."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer merge",
        description="Add up profiles from several runs or workers into one .lprof file.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".lprof files")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT.lprof",
        help="the profile to write, readable by python -m line_profiler",
    )
    return parser


def diff_parser() -> argparse.ArgumentParser:
    """``lprof-viewer diff A B [--format text|json|html] [-o OUT]``."""
    from lprof_viewer.core.diff_export import DIFF_FORMATS  # the diff verb alone needs it

    parser = argparse.ArgumentParser(
        prog="lprof-viewer diff",
        description="Compare two profiles: did the change help, and where?",
    )
    parser.add_argument("a", type=Path, metavar="A.lprof", help="the run before")
    parser.add_argument("b", type=Path, metavar="B.lprof", help="the run after")
    parser.add_argument(
        "--format",
        "-f",
        choices=DIFF_FORMATS,
        help="text (the default), json, or html: one page to attach to a pull request; with "
        "-o, the file's suffix when it names one",
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    parser.add_argument(
        "--unit",
        choices=UNIT_CHOICES,
        default="auto",
        help="unit of the times in text and HTML (default: auto, each in the unit that reads "
        "best); JSON times are always in seconds",
    )
    _add_source_map(parser)
    return parser


def run_diff(args: argparse.Namespace, stdout: TextIO | None) -> int:
    """Write the diff of two profiles."""
    from lprof_viewer.core.diff_export import DIFF_FORMATS, diff_exporter_for
    from lprof_viewer.core.pair_loading import open_diff
    from lprof_viewer.core.run_history import RunHistory, default_history_root

    _refuse_to_overwrite(args.output, [args.a, args.b])
    args.format = format_for(args.format, args.output, DIFF_FORMATS)
    if args.unit != "auto" and args.format == "json":
        raise UsageError("--unit applies to text and HTML; JSON times are always in seconds.")
    history = RunHistory(default_history_root())
    diff = open_diff(args.a, args.b, args.source_map, history)
    exporter = diff_exporter_for(args.format, TimeUnit(args.unit))
    _write_to(args.output, stdout, lambda stream: exporter.write(diff, stream))
    return 0


def format_for(chosen: str | None, output: Path | None, formats: Sequence[str]) -> str:
    """The format asked for; else the one ``-o``'s suffix names (``run.json``); else text.

    A suffix naming a format this command cannot write (a diff's ``.csv``, a
    ``.pdf``), or a profile (``.lprof``), is refused rather than filled with text.
    """
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    suffix = "html" if suffix == "htm" else suffix
    if suffix == "lprof":
        raise UsageError(
            f"{output} would hold {chosen or 'text'}, not a profile; "
            "lprof-viewer merge writes .lprof files."
        )
    if chosen is not None:
        return chosen
    if suffix in _NOT_TEXT and suffix not in formats:
        raise UsageError(f"this command cannot write {suffix.upper()}; choose one with --format.")
    return suffix if suffix in formats else "text"


#: Suffixes that promise something other than text: another command's format, or a
#: document, picture or archive (``report.pdf``). Other names get text (``run.out``).
_NOT_TEXT = (
    *("json", "csv", "html"),
    *("pdf", "png", "jpg", "jpeg", "gif", "svg", "webp"),
    *("doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "ppt", "pptx"),
    *("zip", "gz", "bz2", "xz", "tar", "7z"),
)


def _refuse_to_overwrite(output: Path | None, inputs: Sequence[Path]) -> None:
    """Refuse an output that is one of the profiles read: it would be lost to the text."""
    if output is None:
        return
    for path in inputs:
        try:
            same = os.path.samefile(output, path)
        except OSError:  # either is missing: not the same file
            continue
        if same:
            raise UsageError(
                f"{output} is one of the profiles being read; writing there would replace it."
            )


def _write_to(output: Path | None, stdout: TextIO | None, write: Callable[[TextIO], None]) -> None:
    """Let ``write`` fill ``output`` (standard output when None); one sentence if it can't."""
    # A file name that is not valid UTF-8 (read from a profile as surrogates)
    # is written with backslash escapes rather than refused.
    if output is None:
        if stdout is None:  # started with standard output closed
            raise UsageError("standard output is closed; name a file with -o.")
        if isinstance(stdout, io.TextIOWrapper):
            stdout.reconfigure(errors="backslashreplace")
        try:
            write(stdout)
            stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as error:  # a full disk behind a redirection
            raise UsageError(
                f"cannot write to standard output: {error.strerror or error}."
            ) from None
        return
    try:
        with replacing_text(output) as stream:  # a failed write leaves the old file
            write(stream)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}.") from None


def run_parser() -> argparse.ArgumentParser:
    """``lprof-viewer run SCRIPT [options] [-- ARGS...]`` (see :func:`parse_run_arguments`)."""
    parser = argparse.ArgumentParser(
        prog="lprof-viewer run",
        usage="lprof-viewer run SCRIPT [options] [-- SCRIPT_ARGS...]",
        description="Profile a script with kernprof -l, keep the run in the history, and exit "
        "with the script's status. Options go before or after SCRIPT; everything after -- "
        "is the script's own.",
    )
    parser.add_argument(
        "script", type=Path, nargs="?", metavar="SCRIPT", help="the profiling script"
    )
    parser.add_argument(
        "--python",
        help="interpreter, a path or a name on PATH (default: a venv beside or above the "
        "script, else the active one, else the Python running lprof-viewer)",
    )
    parser.add_argument("--cwd", type=Path, help="working folder (default: the script's)")
    parser.add_argument("-o", "--output", type=Path, help="also write the profile here")
    parser.add_argument(
        "-p",
        "--prof-mod",
        action="append",
        default=[],
        metavar="MODULE",
        help="also profile this module or function (kernprof -p; repeatable)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set an environment variable for the run, value as written (repeatable)",
    )
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
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
        "--run", type=Path, metavar="SCRIPT", help="open the window and profile SCRIPT"
    )
    parser.add_argument(
        "--diff", nargs=2, type=Path, metavar=("A", "B"), help="compare two profiles side by side"
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="OUT.png",
        help="load everything, save a picture of the window and exit",
    )
    _add_source_map(parser)
    parser.add_argument(
        "--palette",
        choices=("system", "dark"),
        default="system",
        help="the desktop's colours (default), or a dark palette",
    )
    parser.add_argument(
        "--new-instance",
        action="store_true",
        help="open a window of its own instead of handing the files to the running one",
    )
    desktop = parser.add_mutually_exclusive_group()
    desktop.add_argument(
        "--install-desktop",
        action="store_true",
        help="make .lprof files open in lprof-viewer from this user's desktop (Linux)",
    )
    desktop.add_argument("--uninstall-desktop", action="store_true", help="undo --install-desktop")
    parser.add_argument("--version", action="version", version=f"lprof-viewer {__version__}")
    return parser


def run_export(args: argparse.Namespace, stdout: TextIO | None) -> int:
    """Export the merged profile of ``args.files``, a run's with the code it measured."""
    from lprof_viewer.core.run_history import RunHistory, default_history_root, open_with_sources

    _refuse_to_overwrite(args.output, args.files)
    args.format = format_for(args.format, args.output, list(FORMATS))
    if args.unit is not None and args.format in ("json", "csv"):
        raise UsageError(
            f"--unit applies to text and HTML; {args.format.upper()} times are always in seconds."
        )
    history = RunHistory(default_history_root())
    annotator, _ = open_with_sources(args.files, args.source_map, history)
    exporter = exporter_for(args.format, ExportOptions(unit=TimeUnit(args.unit or "us")))
    _write_to(args.output, stdout, lambda stream: exporter.export(annotator, stream))
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """Merge ``args.files`` into ``args.output``."""
    from lprof_viewer.core.lprof_writer import write_lprof

    merged = merge_stats([with_sources_found(read_stats(path), path) for path in args.files])
    # Recorded when the last worker's profile was (read before the output may
    # replace an input): a file's time is how a source edited since is told
    # apart, and a merge is not a new recording.
    recorded = max(path.stat().st_mtime for path in args.files)
    try:
        write_lprof(merged, args.output)
        if args.output.is_file():  # not a device or pipe written through
            # Not when written into another user's file: only its owner may set times.
            with contextlib.suppress(PermissionError):
                os.utime(args.output, (recorded, recorded))
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}.") from None
    files = "1 file" if len(args.files) == 1 else f"{len(args.files)} files"
    print(f"Merged {files} into {args.output}", file=sys.stderr)
    return 0


def parse_run_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """``run``'s options anywhere; everything after the first ``--`` is the script's, as is.

    (argparse alone drops a ``--`` the script itself is given, and refuses
    options after the script.)
    """
    parser = run_parser()
    split = argv.index("--") if "--" in argv else len(argv)
    options, script_args = list(argv[:split]), list(argv[split + 1 :])
    args = parser.parse_intermixed_args(options)
    if args.script is None:  # run -- script.py ARGS...
        if not script_args:
            parser.error("the script to run is required")
        args.script = Path(script_args.pop(0))
    args.args = [*args.args, *script_args]
    return args


def run_config(args: argparse.Namespace) -> RunConfig:
    """The run settings the ``run`` verb's arguments ask for."""
    config = RunConfig.for_script(args.script)
    if args.cwd is not None:
        config.cwd = args.cwd.resolve()
    config.args = list(args.args)
    config.prof_mods = list(args.prof_mod)
    try:
        config.env = dict(map(parse_env_item, args.env))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.python is not None:
        # By name on the run's PATH; a relative path from here, not the script's folder.
        found = find_interpreter(args.python, config.environment())
        if is_bare_name(args.python) and not found.exists():
            raise UsageError(f"there is no interpreter called {args.python} on the PATH.")
        config.python = found.absolute()
    return config


def run_script(args: argparse.Namespace, stdout: TextIO | None) -> int:
    """Profile a script as ``kernprof -l`` would, keep the run, exit with its status."""
    import shutil

    from lprof_viewer.core.run_headless import RunError, run_and_record
    from lprof_viewer.core.run_history import (
        RunHistory,
        cannot_keep_run,
        default_history_root,
    )

    config = run_config(args)
    if args.output is not None:  # said before the run, not after it has taken its minutes
        _check_profile_output(args.output, config.script)
    root = default_history_root()
    if stdout is None:  # started with standard output closed: the console file keeps it all
        stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # for the process's life
    try:
        record = run_and_record(config, RunHistory(root), stdout)
    except RunError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # the history folder cannot be made or written
        raise UsageError(cannot_keep_run(error, root)) from None
    try:
        stdout.flush()
    except BrokenPipeError:  # `lprof-viewer run s.py | head`: the run was kept all the same
        _discard_standard_output(stdout)
    except OSError:  # a full disk behind a redirection: the run's console file has it all
        pass
    if args.output is not None and record.has_profile:  # before anything is said: the
        try:  # terminal may be gone (closed, which stopped the run)
            shutil.copy2(record.profile, args.output)
        except OSError as error:  # the run is kept; only the copy failed
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}.") from None
    try:
        print(f"lprof-viewer: {record.message}", file=sys.stderr)
        if record.has_profile:
            print(f"lprof-viewer: profile kept at {record.profile}", file=sys.stderr)
    except OSError:  # no terminal left to read it: the run's record says the same
        pass
    if record.exit_status is None:
        return 1
    return record.exit_status if record.exit_status >= 0 else 128 - record.exit_status


def _check_profile_output(output: Path, script: Path) -> None:
    """Refuse a ``run -o`` that cannot hold the profile, or would replace code with it."""
    try:
        is_folder, is_script = output.is_dir(), output.exists() and output.samefile(script)
    except OSError:  # a name the system refuses (too long): said when it is written
        is_folder = is_script = False
    if is_folder:
        raise UsageError(f"cannot write {output}: it is a folder; name the profile file in it.")
    if not output.absolute().parent.is_dir():
        raise UsageError(f"cannot write {output}: its folder does not exist.")
    if is_script or output.suffix.lower() in (".py", ".pyw"):
        raise UsageError(
            f"{output} is Python source; writing the profile there would replace it "
            "(name a .lprof file)."
        )


def _refuse_mistyped_verb(argv: Sequence[str]) -> None:
    """``lprof-viewer exprot run.lprof`` is a typo, not a file to open in a window."""
    if not argv or argv[0].startswith("-") or argv[0] in HEADLESS_VERBS:
        return
    close = difflib.get_close_matches(argv[0], HEADLESS_VERBS, n=1, cutoff=0.6)
    if close and not Path(argv[0]).exists():
        raise UsageError(f"unknown command {argv[0]!r}; did you mean {close[0]!r}?")


def _discard_standard_output(stream: TextIO) -> None:
    """Send what is still buffered for a reader that went away to nowhere, quietly.

    Otherwise Python's flush of standard output at exit fails again and
    prints a traceback. Only the process's own standard output is redirected.
    """
    if stream is not sys.stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file behind it
        pass
    finally:
        os.close(devnull)


def _run_writing_verb(argv: Sequence[str], stdout: TextIO | None) -> int:
    """``export``, ``merge`` or ``diff``: the verbs that write an output."""
    if argv[0] == "export":
        return run_export(export_parser().parse_args(argv[1:]), stdout)
    if argv[0] == "merge":
        return run_merge(merge_parser().parse_args(argv[1:]))
    return run_diff(diff_parser().parse_args(argv[1:]), stdout)


class CommandEnded(BaseException):
    """A signal asked a headless command to end: it unwinds as Ctrl+C does.

    So its output's file is left as it was, and its helper processes stopped.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


def _raise_command_ended(signal_number: int, _frame: object) -> None:
    raise CommandEnded(signal_number)


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Parse ``argv`` and run; answer the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    try:
        _refuse_mistyped_verb(argv)
        if argv and argv[0] in ("export", "merge", "diff"):
            with ending_signals_handled(_raise_command_ended):
                return _run_writing_verb(argv, stdout)
        if argv and argv[0] == "run":
            return run_script(parse_run_arguments(argv[1:]), stdout)
        args = window_parser().parse_args(argv)
        if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
            raise UsageError(
                f"--screenshot writes a PNG picture; name it .png, not {args.screenshot.name}."
            )
    except (ProfileLoadError, UsageError) as error:
        print(f"lprof-viewer: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `lprof-viewer export big.lprof | head`
        _discard_standard_output(stdout)
        return 0
    except KeyboardInterrupt:  # Ctrl+C on an export: its file, if any, is left as it was
        return EXIT_INTERRUPTED
    except CommandEnded as ended:  # SIGTERM (timeout, a CI job cancelled) or SIGHUP, the same
        return 128 + ended.signal_number
    if args.install_desktop or args.uninstall_desktop:
        from lprof_viewer.desktop import xdg_install

        return xdg_install.main(uninstalling=args.uninstall_desktop)
    # Read the profiles named on another core while Qt and the window start.
    preload_profiles([path for path in args.files if path.suffix != ".py"])
    if not is_standalone(args):
        from lprof_viewer.ui.single_instance import hand_off_to_running_window

        if hand_off_to_running_window(args):
            cancel_preload()
            return 0
    from lprof_viewer.ui.app import run_window

    return run_window(args)
