"""Open two profiles to compare: read B's side in a helper process while this one reads A's.

Reading a side (unpickling its profile, reading and scanning its source
files, finding every function's lines) is most of what a diff costs, and
the two sides share nothing. Where forking is safe (``helper_process``), a
forked helper reads B's side and sends it back: first its annotator, which
this process matches with A's while the helper reads B's files, then what it
found in them. On a machine with two cores the pair takes little longer than
one side. If the helper fails in any way but a refused profile, this process
reads what is missing itself, so an unexpected error surfaces here as it
would have without the helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lprof_viewer.core.annotate import FilesRead, ProfileAnnotator
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.diff import ProfileDiff
from lprof_viewer.core.helper_process import Send, can_fork, forked_helper
from lprof_viewer.core.lprof_reader import ProfileLoadError
from lprof_viewer.core.run_history import RunHistory, open_with_sources
from lprof_viewer.core.sources import SourceCache, SourceRoot


def open_pair_with_sources(
    path_a: Path, path_b: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> tuple[ProfileAnnotator, ProfileAnnotator]:
    """Two runs to compare, each with its own sources (or snapshot), one after the other.

    Files are read as functions are annotated, through one cache: two runs of
    the same script mostly name the same files, which are then read and
    scanned once.
    """
    cache = SourceCache()
    (annotator_a, _), (annotator_b, _) = (
        open_with_sources([path], roots, history, cache) for path in (path_a, path_b)
    )
    return annotator_a, annotator_b


def open_diff(
    path_a: Path,
    path_b: Path,
    roots: Sequence[SourceRoot],
    history: RunHistory | None,
    in_parallel: bool = True,
) -> ProfileDiff:
    """The diff of two runs, every function's source read; B's side in a helper if it can.

    A refused profile raises its :class:`ProfileLoadError`, A's when both are
    bad, as when they are read one after the other.
    """
    if not (in_parallel and can_fork()):
        diff = ProfileDiff(*open_pair_with_sources(path_a, path_b, roots, history))
        for annotator in diff.annotators:
            annotator.read_every_file()
        return diff
    with forked_helper(lambda send: _send_side(send, path_b, roots, history), 2) as helper:
        annotator_a = _read_side(path_a, roots, history)
        annotator_b = helper.receive()
        if isinstance(annotator_b, ProfileLoadError):
            raise annotator_b
        if not isinstance(annotator_b, ProfileAnnotator):  # the helper failed: read B here
            annotator_b = _read_side(path_b, roots, history)
        diff = ProfileDiff(annotator_a, annotator_b)  # while the helper reads B's files
        files_read = helper.receive()
    if isinstance(files_read, FilesRead):
        annotator_b.adopt(files_read)
    else:
        annotator_b.read_every_file()
    return diff


def _read_side(
    path: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> ProfileAnnotator:
    """One side of a diff: the profile with every function's source found and checked."""
    annotator, _ = open_with_sources([path], roots, history)
    with collector_paused():
        annotator.read_every_file()
    return annotator


def _send_side(
    send: Send, path: Path, roots: Sequence[SourceRoot], history: RunHistory | None
) -> None:
    """In the helper: B's annotator (or why its profile was refused), then what its files hold."""
    try:
        annotator, _ = open_with_sources([path], roots, history)
    except ProfileLoadError as refused:
        send(refused)
        return
    send(annotator)
    with collector_paused():
        annotator.read_every_file()
    send(annotator.files_read())
