"""Write profiles as .lprof files that line_profiler itself reads."""

from __future__ import annotations

import os
import pickle
import secrets
from pathlib import Path

from lprof_viewer.core.model import RawStats

#: The newest pickle protocol every Python 3 that line_profiler ran on can read.
_PROTOCOL = 4


def write_lprof(stats: RawStats, path: str | os.PathLike[str]) -> Path:
    """Pickle ``stats`` as line_profiler's own ``LineStats``, atomically (a new file replaces it).

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
    if path.exists() and not path.is_file():  # a device or pipe (/dev/stdout): write into it
        with path.open("wb") as stream:
            pickle.dump(LineStats(timings, stats.unit), stream, _PROTOCOL)  # type: ignore[arg-type]
        return path
    if path.is_symlink():  # replace the file it points to, not the link
        path = Path(os.path.realpath(path))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # Made as open() makes a file (0666 less the umask), unlike mkstemp's 0600;
    # a file it replaces keeps its own permissions.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(LineStats(timings, stats.unit), stream, _PROTOCOL)  # type: ignore[arg-type]
        _keep_mode_of(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _keep_mode_of(path: Path, replacement: Path) -> None:
    """Give ``replacement`` the permission bits of the file ``path``, when there is one."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    os.chmod(replacement, mode & 0o7777)
