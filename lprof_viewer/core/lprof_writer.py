"""Write profiles as .lprof files that line_profiler itself reads."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from lprof_viewer.core.model import RawStats
from lprof_viewer.core.output_files import replacing_bytes

#: The newest pickle protocol every Python 3 that line_profiler ran on can read.
_PROTOCOL = 4


def write_lprof(stats: RawStats, path: str | os.PathLike[str]) -> Path:
    """Pickle ``stats`` as line_profiler's own ``LineStats``; a new file replaces ``path``.

    ``python -m line_profiler`` and ``LineStats.from_files`` read the result,
    of every release since 3.x: the class is pickled by the name they all have,
    ``line_profiler._line_profiler.LineStats`` (5.1 moved its own to
    ``line_profiler.line_profiler``, a name older releases cannot load), and
    with pickle protocol 4, which every Python 3 since 3.4 reads.
    """
    try:
        from line_profiler._line_profiler import LineStats
    except ImportError:  # pragma: no cover - a future line_profiler without the old name
        from line_profiler import LineStats
    path = Path(path)
    timings = {key: list(lines) for key, lines in stats.timings.items()}
    with replacing_bytes(path) as stream:
        pickle.dump(LineStats(timings, stats.unit), stream, _PROTOCOL)  # type: ignore[arg-type]
    return path
