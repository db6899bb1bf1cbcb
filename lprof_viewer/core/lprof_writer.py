"""Write profiles as .lprof files that line_profiler itself reads."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from lprof_viewer.core.model import RawStats


def write_lprof(stats: RawStats, path: str | os.PathLike[str]) -> Path:
    """Pickle ``stats`` as line_profiler's own ``LineStats``, atomically.

    ``python -m line_profiler`` and ``LineStats.from_files`` read the result.
    """
    try:
        from line_profiler import LineStats
    except ImportError as error:  # pragma: no cover - line_profiler is a dependency
        raise RuntimeError("writing a .lprof file needs line_profiler installed") from error
    path = Path(path)
    timings = {key: list(lines) for key, lines in stats.timings.items()}
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(LineStats(timings, stats.unit), stream, pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
        # mkstemp makes the file private; the result gets the permissions of
        # the file it replaces, or of any new file (0666 less the umask).
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _mode_for(path: Path) -> int:
    """The permission bits ``path`` has, or a file newly made there would have."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)  # the only portable way to read it: set it and put it back
        os.umask(umask)
        return 0o666 & ~umask
