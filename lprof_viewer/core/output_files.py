"""Write an output file so that a failed or interrupted write leaves the old one whole.

What is written goes to a new file beside it, which replaces it only when
the writing ends without error: a full disk or Ctrl+C halfway through an
export leaves the file that was there. The new file is made as ``open``
makes one (0666 less the umask), not private as ``mkstemp``'s; a file it
replaces keeps its own permissions, and one that may not be written is
refused as ``open`` would refuse it; a link is followed, not replaced. A
device or pipe (``/dev/stdout``) is written into.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, BinaryIO, TextIO, TypeVar

_Stream = TypeVar("_Stream", bound=IO)


def replacing_text(path: Path) -> AbstractContextManager[TextIO]:
    """A text stream for ``path``: UTF-8, bad characters as backslash escapes, newlines kept."""

    def opened(descriptor: int) -> TextIO:
        return open(descriptor, "w", encoding="utf-8", errors="backslashreplace", newline="")

    return _replaced(path, opened)


def replacing_bytes(path: Path) -> AbstractContextManager[BinaryIO]:
    """A binary stream for ``path``."""
    return _replaced(path, lambda descriptor: open(descriptor, "wb"))


@contextmanager
def _replaced(path: Path, opened: Callable[[int], _Stream]) -> Iterator[_Stream]:
    if path.exists() and not path.is_file():  # a device or pipe: into it
        stream = opened(os.open(path, os.O_WRONLY))
        with stream:
            yield stream
        return
    if path.is_symlink():  # replace the file it points to, not the link
        path = Path(os.path.realpath(path))
    if path.exists() and not os.access(path, os.W_OK):  # read-only: not replaced either
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        stream = opened(descriptor)
        with stream:
            yield stream
        _keep_mode_of(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _keep_mode_of(path: Path, replacement: Path) -> None:
    """Give ``replacement`` the permission bits of the file ``path``, when there is one."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    os.chmod(replacement, mode & 0o7777)
