"""Join a profile's functions with their source code, ready to show or export."""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lprof_viewer.core.code_blocks import (
    Staleness,
    body_start,
    check_source,
    code_block,
    ordinary_blocks,
)
from lprof_viewer.core.file_versions import follow_line
from lprof_viewer.core.model import FunctionProfile, LineStat, Profile
from lprof_viewer.core.sources import (
    SourceCache,
    SourceFile,
    SourceLocator,
    SourceRoot,
    is_pseudo_file,
)

#: A statement beginning with a string: a docstring, nothing for the profiler to time.
_BARE_STRING = re.compile(r"""\s*[rRbBuUfF]{0,2}['"]""")
#: Statements Python never reports running, so never timed even when they ran:
#: ``else:``, ``finally:`` and ``try:`` alone on their line, declarations, and
#: ``...``, which compiles to nothing.
_NEVER_TIMED = re.compile(
    r"\s*(?:(?:else|finally|try)\s*:|\.\.\.)\s*(?:#.*)?$|\s*(?:global|nonlocal)\s"
)


#: A statement that opens a block of its own code object: a nested def or class
#: (or a decorator above one). Its body is timed, if at all, as another function.
_NESTED_BLOCK = re.compile(r"\s*(?:@|(?:async\s+)?def\s|class\s)")
#: A statement that may be an annotation: ``name: ...`` (``_is_bare_annotation`` tells).
_ANNOTATION_START = re.compile(r"\s*[A-Za-z_]\w*\s*:(?!=)")


def _outside_nested_blocks(lines: Sequence[str], starts: Sequence[int], body: int) -> list[int]:
    """``starts`` less the statements inside nested defs and classes below ``body``.

    Those run as their own code objects, never timed as this function's lines:
    a helper defined inside the function is not code "that never ran" here.
    The nested def line itself stays: running it is this function's work.
    """
    kept: list[int] = []
    nested_column: int | None = None
    for lineno in starts:
        text = lines[lineno - 1]
        column = len(text) - len(text.lstrip())
        if nested_column is not None:
            if column > nested_column:
                continue
            nested_column = None
        kept.append(lineno)
        if lineno >= body and _NESTED_BLOCK.match(text):
            nested_column = column
    return kept


def _is_bare_annotation(text: str) -> bool:
    """True for ``x: int`` without a value: a function compiles it to nothing, never timed.

    Not ``obj.x: int``, whose object a function does evaluate (and line_profiler
    times), nor ``x: int = 1``. Read with ``ast`` from the statement's first line;
    one going on below (a bracket left open) is taken as code.
    """
    if not _ANNOTATION_START.match(text):
        return False
    try:
        (statement,) = ast.parse(text.strip()).body
    except (SyntaxError, ValueError):
        return False
    return (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.value is None
    )


@dataclass(frozen=True)
class AnnotatedLine:
    """One line of a function as shown: its number, text and timing (None when not timed)."""

    lineno: int
    text: str
    stat: LineStat | None


@dataclass(eq=False)  # not frozen: a diff of two large profiles makes 20,000 in a go
class AnnotatedFunction:
    """A function with its source lines, or the reason they cannot be shown."""

    function: FunctionProfile
    source: SourceFile | None
    staleness: Staleness | None
    line_numbers: Sequence[int]
    """The lines to show: the function's block, or its timed span without source."""
    profile: Profile
    """The profile the function belongs to (for its lines' shares of the whole)."""

    @property
    def percent_of_total(self) -> float | None:
        """The function's share of the whole profile's time."""
        return self.profile.percent_of_total(self.function)

    @property
    def missing_source(self) -> bool:
        """True when the file the profile names could not be found or read."""
        return self.source is None

    @property
    def stale(self) -> bool:
        """True when the source may not be the code that was profiled."""
        return self.staleness is not None

    @property
    def shows_source(self) -> bool:
        """True when source text is shown beside the numbers (found and matching)."""
        return self.source is not None and (self.staleness is None or not self.staleness.mismatched)

    @property
    def source_note(self) -> str | None:
        """One sentence on code not found, hidden or maybe changed; None when all is well."""
        name, filename = self.function.name, self.function.filename
        if self.source is None and is_pseudo_file(filename):
            return f"{name} was compiled from a string ({filename}): no file holds its code."
        if self.source is None:
            return f"{filename} was not found, so {name}'s numbers are shown without its code."
        if self.staleness is None:
            return None
        reason = self.staleness.reason
        return (
            reason if self.shows_source else f"{reason.removesuffix('.')}, so its code is hidden."
        )

    def never_ran(self, lineno: int) -> bool:
        """True for a line of the body that begins a statement but was never timed.

        The decorators and the (maybe multi-line) def header are not the
        body: they run once, when the module is imported, not when profiled.
        Nor are the lines going on with a statement begun above (its timing
        is on its first line), a docstring, which never runs, or a line such
        as ``else:`` that is never timed though what it leads to ran.
        """
        if self.source is None or not self.shows_source or lineno in self.stats:
            return False
        return lineno >= self._body_start and lineno in self._statements

    @cached_property
    def _statements(self) -> frozenset[int]:
        """The shown lines that begin a statement, less bare strings and ``_NEVER_TIMED`` ones."""
        source, numbers = self.source, self.line_numbers
        assert source is not None  # never_ran asks only when there is source
        if not isinstance(numbers, range) or not numbers:
            return frozenset(n for n in numbers if source.is_code(n))
        lines, layout = source.lines, source.layout
        if layout.doubtful:  # its strings cannot be told: every line of code
            return frozenset(n for n in numbers if source.is_code(n))
        last = min(numbers.stop - 1, len(lines))
        starts = layout.statement_starts(lines, source.code_mask, numbers.start, last)
        return frozenset(
            n
            for n in _outside_nested_blocks(lines, starts, self._body_start)
            if not _BARE_STRING.match(lines[n - 1])
            and not _NEVER_TIMED.match(lines[n - 1])
            and not _is_bare_annotation(layout.statement_text(lines, n))
        )

    @cached_property
    def _body_start(self) -> int:
        assert self.source is not None  # never_ran asks only when there is source
        return body_start(self.source, self.function.start_line)

    def text(self, lineno: int) -> str:
        """The source text of a line, or '' when no trustworthy source is shown."""
        return self.source.line(lineno) if self.shows_source and self.source else ""

    def texts(self) -> Sequence[str]:
        """``text(n)`` of each of ``line_numbers``, sliced from the source in one go."""
        numbers, source = self.line_numbers, self.source
        if source is None or not self.shows_source:
            return [""] * len(numbers)
        if not isinstance(numbers, range) or numbers.start < 1:
            return [self.text(n) for n in numbers]
        texts = source.lines[numbers.start - 1 : numbers.stop - 1]
        if len(texts) < len(numbers):  # numbers past the end of the file
            return [*texts, *[""] * (len(numbers) - len(texts))]
        return texts

    @cached_property
    def stats(self) -> dict[int, LineStat]:
        """Timed lines by line number, with shares of the function and of the profile."""
        stats = self.profile.line_stats(self.function)
        return dict(zip(self.function.linenos, stats, strict=True))

    @cached_property
    def lines(self) -> tuple[AnnotatedLine, ...]:
        """Every shown line with its text and timing."""
        stats, text = self.stats, self.text
        return tuple(AnnotatedLine(n, text(n), stats.get(n)) for n in self.line_numbers)


#: Without source, a span this much longer than the timed lines shows them alone.
MAX_BLANK_SPAN = 10_000


def _span_without_source(start_line: int, timed: Sequence[int]) -> Sequence[int]:
    """Lines to show with no source: the timed span, as line_profiler does.

    Numbers are not shown beside code that may be the wrong code. A timed line
    absurdly far from the rest (a hostile file's line 2,000,000,000) would make
    that span billions of empty rows: then only the start and timed lines show.
    """
    first = min(start_line, *timed) if timed else start_line
    last = max(timed, default=first)
    if last - first > len(timed) + MAX_BLANK_SPAN:
        return sorted({start_line, *timed})
    return range(first, last + 1)


@dataclass(frozen=True)
class FilesRead:
    """What an annotator found reading its files, functions named by their place in the profile.

    Sent from the process that read them to the one showing the profile
    (``ProfileAnnotator.files_read`` and ``adopt``): a profile's functions
    are other objects there.
    """

    sources: dict[str, SourceFile | None]
    """Each file name's source, None where it cannot be read."""
    blocks: dict[str, list[tuple[int, Staleness | None, int, int]]]
    """Each file's ordinary functions: place, staleness, first line and one past the last."""


class ProfileAnnotator:
    """Finds and checks the source of each function of one profile."""

    def __init__(
        self,
        profile: Profile,
        roots: Sequence[SourceRoot] = (),
        cache: SourceCache | None = None,
        snapshots: Mapping[str, Path] | None = None,
        run_started_at: float | None = None,
        run_title: str | None = None,
    ) -> None:
        self.profile = profile
        self.locator = SourceLocator.for_profile_paths(profile.paths, roots, snapshots)
        self.run_started_at = run_started_at
        #: What the run that wrote the profile is called ('busy.py 11:23:20'), if one did.
        self.run_title = run_title
        self.cache = cache or SourceCache()
        self._sources: dict[str, SourceFile | None] = {}
        self._ordinary: dict[str, dict[FunctionProfile, tuple[Staleness | None, range]]] = {}
        self._by_file: dict[str, list[FunctionProfile]] | None = None
        self._alone: dict[FunctionProfile, tuple[Staleness | None, Sequence[int]]] = {}
        self._reading = threading.Lock()

    def source_of(self, function: FunctionProfile) -> SourceFile | None:
        """The function's source file, or None when it cannot be found or read.

        Each file is looked up and read once per annotator: an annotator is a
        snapshot, and a reload makes a new one.
        """
        name = function.filename
        if name not in self._sources:
            self._sources[name] = self.cache.get(self.locator.locate(name))
        return self._sources[name]

    def annotate(self, function: FunctionProfile) -> AnnotatedFunction:
        """The function with its source, staleness and lines to show."""
        ordinary = self._ordinary.get(function.filename)
        if ordinary is None:
            with self._reading:  # two threads asking for one file: the second waits, not rereads
                ordinary = self._ordinary.get(function.filename)
                if ordinary is None:
                    ordinary = self._ordinary_in(function)
        source = self.source_of(function)
        found = ordinary.get(function) or self._alone.get(function)
        if found is None:  # tokenizing may be slow: once per function
            found = self._alone[function] = self._check_alone(function, source)
        staleness, numbers = found
        return AnnotatedFunction(function, source, staleness, numbers, self.profile)

    def place_to_edit(self, annotated: AnnotatedFunction, lineno: int) -> tuple[Path, int] | None:
        """The file and line to open in an editor for a shown line; None without source.

        The developer's own file (``SourceLocator.editable``), not a run's
        snapshot of it; when that file was edited since the run, the line is
        followed through the edits, so the editor opens on the same code.
        """
        shown = annotated.source
        if shown is None:
            return None
        editable = self.locator.editable(annotated.function.filename) or shown.path
        if editable == shown.path:
            return editable, lineno
        own = self.cache.get(editable)
        return editable, lineno if own is None else follow_line(shown.lines, own.lines, lineno)

    def read_every_file(self) -> None:
        """Find and check every function's source now, file by file, as ``annotate`` would.

        Afterwards annotating any function reads no disk: for a side of a diff
        read in another process (``pair_loading``).
        """
        first_of_each_file = {f.filename: f for f in reversed(self.profile.functions)}
        for function in first_of_each_file.values():
            if function.filename not in self._ordinary:
                self._ordinary_in(function)

    def files_read(self) -> FilesRead:
        """What reading the files found, to send to a copy of this annotator in another process."""
        place = {function: i for i, function in enumerate(self.profile.functions)}
        blocks = {
            name: [
                (place[function], staleness, lines.start, lines.stop)
                for function, (staleness, lines) in found.items()
            ]
            for name, found in self._ordinary.items()
        }
        return FilesRead(dict(self._sources), blocks)

    def adopt(self, read: FilesRead) -> None:
        """Take what another process's copy of this annotator found reading the files."""
        functions = self.profile.functions
        with self._reading:
            self._sources.update(read.sources)
            for name, blocks in read.blocks.items():
                self._ordinary[name] = {
                    functions[i]: (staleness, range(start, stop))
                    for i, staleness, start, stop in blocks
                }

    def __getstate__(self) -> dict[str, object]:
        # Sent whole to the process comparing it: the lock alone cannot go.
        state = self.__dict__.copy()
        del state["_reading"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._reading = threading.Lock()

    def has_read_file_of(self, function: FunctionProfile) -> bool:
        """True when ``function``'s file was read and checked: annotating it reads no disk."""
        return function.filename in self._ordinary

    def _ordinary_in(
        self, function: FunctionProfile
    ) -> dict[FunctionProfile, tuple[Staleness | None, range]]:
        """The ordinary functions of ``function``'s file (``ordinary_blocks``), found at once."""
        name = function.filename
        source = self.source_of(function)
        if source is None:
            found = {}
        else:
            if self._by_file is None:
                by_file: dict[str, list[FunctionProfile]] = {}
                for each in self.profile.functions:
                    by_file.setdefault(each.filename, []).append(each)
                self._by_file = by_file
            in_file = self._by_file.get(name, [function])
            found = ordinary_blocks(source, in_file, self._recorded_at(name))
        self._ordinary[name] = found
        return found

    def _recorded_at(self, filename: str) -> float | None:
        """When the profile was recorded, for a file found where the profile names it.

        For a run's snapshot, when the run started: the copy keeps the file's
        time, and a file saved while the run went on may not be what ran.
        None for a file found elsewhere (a mapped or copied folder): its
        modification time says nothing about the profile.
        """
        if self.run_started_at is not None and self.locator.is_snapshot(filename):
            return self.run_started_at
        return self.profile.recorded_at if self.locator.is_where_recorded(filename) else None

    def _check_alone(
        self, function: FunctionProfile, source: SourceFile | None
    ) -> tuple[Staleness | None, Sequence[int]]:
        """Staleness and lines to show of a function ``ordinary_blocks`` left out."""
        recorded_at = self._recorded_at(function.filename)
        staleness = None if source is None else check_source(function, source, recorded_at)
        timed = function.linenos
        if source is not None and (staleness is None or not staleness.mismatched):
            block = code_block(source, function.start_line)
            # A timed line below the block (odd syntax) must still show its numbers.
            numbers = range(block.start, max(block.stop - 1, max(timed)) + 1) if timed else block
            return staleness, numbers
        return staleness, _span_without_source(function.start_line, timed)

    def __iter__(self) -> Iterator[AnnotatedFunction]:
        return (self.annotate(function) for function in self.profile.functions)
