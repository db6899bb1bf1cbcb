"""Write an output file so that a failed or interrupted write leaves the old one whole.

What is written goes to a new file beside it, which replaces it only when
the writing ends without error: a full disk or Ctrl+C halfway through an
export leaves the file that was there. The new file is made as ``open``
makes one (0666 less the umask), not private as ``mkstemp``'s; a file it
replaces keeps its own permissions, and one that may not be written is
refused as ``open`` would refuse it; a link is followed, not replaced.

Where replacing would change more than the contents, the file is written
into, as ``open`` writes: a device or pipe, this process's own streams
(``/dev/stdout``, ``/dev/fd/N``, or a name of the file standard output or
error is: into the very stream, after what the shell wrote there), another
user's file (replacing it would make it ours), a file
with other hard links (they would keep the old contents), and a file beside
which no new one can be made (a folder we may not write to, a name too long
for the new one's).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, BinaryIO, TextIO, TypeVar

_Stream = TypeVar("_Stream", bound=IO)

#: Names of a stream this process holds: '/dev/stdout', '/proc/self/fd/3'.
_OWN_STREAM = re.compile(r"/dev/(?:std(out|err)|fd/(\d+))|/proc/self/fd/(\d+)")
_STANDARD = {"out": 1, "err": 2}
#: Why no new file can be made beside the output, where writing into it may still work.
_CANNOT_MAKE_BESIDE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG}


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
    descriptor = _written_into(path)
    if descriptor is not None:
        stream = opened(descriptor)
        with stream:
            yield stream
        return
    path = _followed(path)
    if path.exists() and not os.access(path, os.W_OK):  # read-only: not replaced either
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    beside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary: Path | None = None
    try:
        try:
            descriptor = os.open(beside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            temporary = beside
        except OSError as error:
            if error.errno not in _CANNOT_MAKE_BESIDE:
                raise
            descriptor = _open_into(path)  # as open() writes it
        stream = opened(descriptor)
        with stream:
            yield stream
        if temporary is not None:
            _keep_mode_of(path, temporary)
            os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


def _followed(path: Path) -> Path:
    """The file a link leads to (to replace it, not the link); a loop of links is refused."""
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a link to a file not made yet: made there
        return Path(os.path.realpath(path))


def _written_into(path: Path) -> int | None:
    """A descriptor to write ``path`` through, where it is not to be replaced; else None."""
    own = _OWN_STREAM.fullmatch(str(path))
    if own is not None:
        standard, *numbers = own.groups()
        return _own_stream(_STANDARD[standard] if standard else int(next(n for n in numbers if n)))
    try:
        status = path.stat()
    except OSError:  # nothing there yet, or a dangling link: made anew
        return None
    for number in (1, 2):  # stdout or stderr by another name (/proc/$$/fd/1, a link to it)
        with contextlib.suppress(OSError):
            shown = os.fstat(number)
            if (shown.st_dev, shown.st_ino) == (status.st_dev, status.st_ino):
                return _own_stream(number)
    if not path.is_file():  # a device or pipe (/dev/null)
        return os.open(path, os.O_WRONLY)
    if status.st_nlink > 1 or (hasattr(os, "geteuid") and status.st_uid != os.geteuid()):
        return _open_into(path)
    return None


def _own_stream(number: int) -> int:
    """A new descriptor for this process's descriptor ``number``: the same open file."""
    flush_standard_streams()  # what Python holds goes first
    if not 0 <= number < 2**31:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return os.dup(number)


def _open_into(path: Path) -> int:
    """``path`` opened for writing as ``open(path, "w")`` opens it."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)


def _keep_mode_of(path: Path, replacement: Path) -> None:
    """Give ``replacement`` the permission bits of the file ``path``, when there is one."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    os.chmod(replacement, mode & 0o7777)


def flush_standard_streams() -> None:
    """Write out what Python holds for stdout and stderr; a full or closed one is said later.

    Before another writer takes the same file (a duplicated descriptor, a
    forked process, an exit that skips Python's own clean-up).
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None when started without them
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
