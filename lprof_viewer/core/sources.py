"""Find, read and check the source files a profile refers to.

A profile records file names as they were on the machine that ran it: maybe
relative to where kernprof ran, maybe under a server's paths. Sources are read
with Python's own encoding rules and checked against the profile, so numbers
are never shown beside the wrong code.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, count, repeat
from operator import itemgetter
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from lprof_viewer.core.source_layout import SourceLayout, source_layout


def shown_name(text: str) -> str:
    """A file name as it can be shown: bytes that are not UTF-8 as backslash escapes.

    Python reads such a name with lone surrogates, which Qt drops without a
    word, showing a path that does not exist (``café`` in Latin-1 as ``caf``).
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_file(path: Path) -> bool:
    """``path.is_file()``, False too where the name cannot be checked.

    A profile may name a file under a folder this user cannot enter, or a
    pseudo-file name longer than the system allows (``<generated code for
    ...>``): ``Path.is_file`` raises for those; they are simply not found.
    """
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


class SourceMapError(ValueError):
    """A source-root mapping is not of the form OLD=NEW."""


@dataclass(frozen=True)
class SourceRoot:
    """Maps files recorded under ``old`` to the same files under ``new``."""

    old: str
    new: str

    @classmethod
    def parse(cls, text: str) -> SourceRoot:
        """Read ``OLD=NEW`` (folder prefixes) as given on the command line."""
        old, sep, new = text.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise SourceMapError(f"source map {text!r} is not of the form OLD=NEW")
        return cls(old.strip(), new.strip())

    @property
    def maps_relative_names(self) -> bool:
        """True for a mapping of relative names (``old`` is ``.``), not of a folder."""
        return not _split_path(self.old)

    def apply(self, filename: str) -> Path | None:
        """The file under ``new``, or None when ``filename`` is not under ``old``.

        An ``old`` of ``.`` maps relative names (``kernprof -l driver.py`` records
        ``driver.py``) to the folder they were found in; never an absolute one.
        """
        recorded = _split_path(filename)
        prefix = _split_path(self.old)
        if not prefix:  # '.', './': relative names
            relative = not _is_absolute_anywhere(filename)
            return Path(self.new).joinpath(*recorded) if relative and recorded else None
        head = recorded[: len(prefix)]
        if _is_windows_path(filename):  # C:\Proj and c:\proj are one folder there
            head, prefix = _casefolded(head), _casefolded(prefix)
        if head != prefix:
            return None
        return Path(self.new).joinpath(*recorded[len(prefix) :])


def _is_absolute_anywhere(text: str) -> bool:
    """True for a path absolute on some platform (``/srv/a.py``, ``C:\\a.py``)."""
    windows = PureWindowsPath(text)
    return PurePosixPath(text).is_absolute() or bool(windows.drive or windows.root)


def _is_windows_path(text: str) -> bool:
    return "\\" in text or re.match(r"^[A-Za-z]:", text) is not None


def _casefolded(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.casefold() for part in parts)


def _split_path(text: str) -> tuple[str, ...]:
    """Components of a path recorded on any platform (server paths may be Windows paths)."""
    parts = PureWindowsPath(text).parts if _is_windows_path(text) else PurePosixPath(text).parts
    return tuple(p for p in parts if p not in ("", "."))


def root_for_located_file(recorded: str, found: Path) -> SourceRoot:
    """The mapping that turns a recorded path into where the user found the file.

    The shared tail of the two paths is dropped, so that one mapping serves
    every other file recorded under the same folder.
    """
    recorded_parts = _split_path(recorded)
    found_parts = found.parts
    shared = 0
    while (
        shared < min(len(recorded_parts), len(found_parts)) - 1
        and recorded_parts[-1 - shared] == found_parts[-1 - shared]
    ):
        shared += 1
    shared = max(shared, 1)  # at least the file name itself
    old_parts = recorded_parts[:-shared]
    new_parts = found_parts[:-shared]
    old = _join_recorded(recorded, old_parts)
    return SourceRoot(old, str(Path(*new_parts)))


def locate_in_folder(recorded: str, folder: Path) -> Path | None:
    """The file a profile recorded as ``recorded``, searched for under ``folder``.

    Tries the longest tail of the recorded path first (``shop/views.py`` before
    ``views.py``), so the right file wins when names repeat.
    """
    parts = _split_path(recorded)
    for start in range(1 if len(parts) > 1 else 0, len(parts)):
        candidate = folder.joinpath(*parts[start:])
        if is_file(candidate):
            return candidate
    return None


def _join_recorded(recorded: str, parts: Sequence[str]) -> str:
    if _is_windows_path(recorded):
        return str(PureWindowsPath(*parts))
    return str(PurePosixPath(*parts))


def is_pseudo_file(filename: str) -> bool:
    """True for a name code is compiled under that no file has: ``<string>``, ``<generated …>``."""
    return filename.startswith("<") and filename.endswith(">")


@dataclass
class SourceLocator:
    """Finds the file a profile names: mapped roots, as recorded, then relative folders."""

    roots: Sequence[SourceRoot] = ()
    search_dirs: Sequence[Path] = ()
    """Folders a relative name is tried against: the .lprof's, then the current one."""
    snapshots: Mapping[str, Path] = field(default_factory=dict)
    """Recorded name -> the copy a run kept of the code it measured (tried first)."""
    _cache: dict[str, Path | None] = field(default_factory=dict, repr=False)

    @classmethod
    def for_profile_paths(
        cls,
        profile_paths: Iterable[Path],
        roots: Sequence[SourceRoot] = (),
        snapshots: Mapping[str, Path] | None = None,
    ) -> SourceLocator:
        """A locator that tries relative names beside the given .lprof files and in the cwd."""
        dirs: list[Path] = []
        for path in [*(Path(p).resolve().parent for p in profile_paths), Path.cwd()]:
            if path not in dirs:
                dirs.append(path)
        return cls(tuple(roots), tuple(dirs), dict(snapshots or {}))

    def candidates(self, filename: str) -> list[Path]:
        """Where the file may be, best first."""
        found: list[Path] = [self.snapshots[filename]] if filename in self.snapshots else []
        # A mapping is for a file that is not where the profile says: the file as
        # recorded comes first, so a mapping remembered from an older profile (a
        # folder since renamed, a server's path) never hides it. Longest mapping
        # first, so a specific mapping beats a general one.
        found.extend(self._recorded_places(filename))
        roots = sorted(self.roots, key=lambda r: len(r.old), reverse=True)
        found.extend(mapped for root in roots if (mapped := root.apply(filename)) is not None)
        return found

    def _recorded_places(self, filename: str) -> list[Path]:
        """The file as recorded: that path, or a relative name beside the profile, then here.

        kernprof writes its profile in the folder a relative name is relative
        to, while the viewer may have been started anywhere (a double-click
        starts it in the home folder): beside the profile comes first.
        """
        recorded = Path(filename)
        if recorded.is_absolute():
            return [recorded]
        return [*(folder / recorded for folder in self.search_dirs), recorded]

    def is_where_recorded(self, filename: str) -> bool:
        """True when the file found is the one the profile names, not a snapshot or a mapping.

        Only such a file's modification time says whether it changed since
        the profile was recorded: a copy or a clone elsewhere is newer anyway.
        """
        located = self.locate(filename)
        return located is not None and located in self._recorded_places(filename)

    def is_snapshot(self, filename: str) -> bool:
        """True when the file found is a run's snapshot of it."""
        snapshot = self.snapshots.get(filename)
        return snapshot is not None and self.locate(filename) == snapshot

    def editable(self, filename: str) -> Path | None:
        """The file to open in an editor: the user's own, not a run's snapshot of it.

        A snapshot keeps the code a run measured; the developer fixing the hot
        line wants the file they work on, where it is (as recorded or mapped).
        """
        snapshot = self.snapshots.get(filename)
        found = (p for p in self.candidates(filename) if p != snapshot and is_file(p))
        return next(found, None) or self.locate(filename)

    def locate(self, filename: str) -> Path | None:
        """The readable file behind a recorded name, or None when it cannot be found."""
        if filename not in self._cache:
            self._cache[filename] = next(
                (path for path in self.candidates(filename) if is_file(path)), None
            )
        return self._cache[filename]


#: bytes.translate table swapping 0 and 1.
_FLIP_0_1 = bytes([1, 0, *range(2, 256)])
#: What a line is by its first non-blank character (``_CODE`` for any other).
_BLANK, _CODE, _COMMENT, _DECORATOR = 0, 1, 2, 3
_KIND_OF_START = {"": _BLANK, "#": _COMMENT, "@": _DECORATOR}
#: bytes.translate tables keeping one kind as 1, the others as 0 (a decorator is code).
_CODE_ONLY = bytes.maketrans(b"\0\1\2\3", b"\0\1\0\1")
_COMMENT_ONLY = bytes.maketrans(b"\0\1\2\3", b"\0\0\1\0")
_DECORATOR_ONLY = bytes.maketrans(b"\0\1\2\3", b"\0\0\0\1")
_FIRST_CHARACTER = itemgetter(slice(0, 1))


@dataclass(frozen=True)
class SourceFile:
    """The lines of one source file, decoded as Python would, without line endings."""

    path: Path
    lines: tuple[str, ...]
    mtime: float
    encoding: str

    def __getstate__(self) -> dict[str, Any]:
        # Pickled to send one side of a diff from a helper process: the lines go
        # as one text, a tenth of the cost of pickling 24,000 strings. No line
        # holds a line break: read_source split them there.
        state = self.__dict__.copy()
        state["lines"] = ("\n".join(self.lines), len(self.lines))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        text, count = state["lines"]
        self.__dict__.update(state, lines=tuple(text.split("\n")) if count else ())

    def line(self, lineno: int) -> str:
        """The text of a 1-based line, or '' past the end."""
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    @property
    def code_mask(self) -> bytes:
        """1 at index ``n`` when 1-based line ``n`` holds code, else 0 (index 0 unused)."""
        return self._masks[0]

    @cached_property
    def lines_without_code(self) -> frozenset[int]:
        """1-based numbers of the blank and comment lines, and 0 (no line at all)."""
        return frozenset(compress(count(), self.code_mask.translate(_FLIP_0_1)))

    @property
    def comment_mask(self) -> bytes:
        """1 at index ``n`` when 1-based line ``n`` holds a comment and nothing else."""
        return self._masks[1]

    @property
    def decorator_mask(self) -> bytes:
        """1 at index ``n`` when 1-based line ``n`` starts with ``@`` (a decorator, most often)."""
        return self._masks[2]

    @cached_property
    def _masks(self) -> tuple[bytes, bytes, bytes]:
        # Column by column with C-level maps: a large profile names files of
        # tens of thousands of lines. One byte per line says blank, code,
        # comment or decorator.
        starts = map(_FIRST_CHARACTER, map(str.lstrip, self.lines))
        kinds = b"\0" + bytes(map(_KIND_OF_START.get, starts, repeat(_CODE)))
        return (
            kinds.translate(_CODE_ONLY),
            kinds.translate(_COMMENT_ONLY),
            kinds.translate(_DECORATOR_ONLY),
        )

    def code_at_or_left_of(self, column: int) -> bytes:
        """1 at index ``n`` when 1-based line ``n`` starts a statement indented at most ``column``.

        A block whose header is indented ``column`` ends before the first such
        line below it (unless brackets left open above make it go on with
        one: see ``SourceLayout.open_brackets``). Made once per column (a
        file's functions share a few).
        """
        found = self._code_at_or_left_of.get(column)
        if found is None:
            # Code indented further has only blanks in its first column + 1 characters.
            heads = map(itemgetter(slice(0, column + 1)), self.lines)
            further = b"\0" + bytes(map(str.isspace, heads))
            code, continued = self.code_mask, self.layout.continued[:-1]
            # code AND NOT further AND NOT continued, byte by byte, as big-integer operations.
            left = int.from_bytes(code, "big") & ~int.from_bytes(further, "big")
            if continued.find(1) >= 0:
                left &= ~int.from_bytes(continued, "big")
            found = self._code_at_or_left_of[column] = left.to_bytes(len(code), "big")
        return found

    @cached_property
    def _code_at_or_left_of(self) -> dict[int, bytes]:
        return {}

    @cached_property
    def layout(self) -> SourceLayout:
        """Its strings, comments and continued lines (``source_layout``)."""
        return source_layout(self.lines, self.code_mask, self.comment_mask)

    def is_code(self, lineno: int) -> bool:
        """True when a 1-based line holds code."""
        return 0 < lineno <= len(self.lines) and self.code_mask[lineno] == 1

    def all_code(self, linenos: Sequence[int]) -> bool:
        """True when every one of ``linenos`` (1-based) holds code, in one C-level pass."""
        mask = self.code_mask
        try:  # line 0 reads as not code (the reader refuses negative line numbers)
            return all(map(mask.__getitem__, linenos))
        except IndexError:  # past the end of the file
            return False


def decode_source(data: bytes) -> tuple[str, str]:
    """Source bytes as text by PEP 263 (cookie or BOM, else UTF-8); bad bytes become U+FFFD."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown or contradictory coding cookie
        encoding = "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        encoding = "utf-8"
        text = data.decode(encoding, errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def read_source(path: Path) -> SourceFile:
    """Read a source file (raises OSError when it cannot be read)."""
    data = path.read_bytes()
    text, encoding = decode_source(data)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return SourceFile(path, tuple(lines), path.stat().st_mtime, encoding)


class SourceCache:
    """Reads each source file once, and again only when it changes on disk."""

    def __init__(self) -> None:
        self._files: dict[Path, SourceFile | None] = {}

    def get(self, path: Path | None) -> SourceFile | None:
        """The file's contents, or None when it cannot be read."""
        if path is None:
            return None
        cached = self._files.get(path)
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        if cached is None or cached.mtime != mtime:
            try:
                cached = read_source(path)
            except OSError:
                cached = None
            self._files[path] = cached
        return cached


def is_code_line(text: str) -> bool:
    """True for a line holding code (not blank, not only a comment)."""
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def told_apart(paths: Sequence[Path]) -> list[str]:
    """Names for files that share one: each with as many of its folders as tell them apart.

    ``before/out/x.lprof`` and ``after/out/x.lprof`` read so, not twice
    ``out/x.lprof``; paths that differ in no folder keep their whole path.
    """
    for depth in range(1, max((len(p.parts) for p in paths), default=1)):
        names = [str(Path(*p.parts[-depth - 1 :])) for p in paths]
        if len(set(names)) == len(names):
            return names
    return [str(p) for p in paths]
