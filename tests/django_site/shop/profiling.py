"""The ``profile`` decorator: kernprof's builtin when present, else a no-op.

kernprof ``-l`` puts a ``LineProfiler`` into ``builtins.profile`` before running the
script, so modules imported afterwards pick it up here; plain imports still work.
"""

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def _no_profile(func: F) -> F:
    """Return ``func`` unchanged (used when not running under kernprof)."""
    return func


profile: Callable[[F], F] = getattr(builtins, "profile", _no_profile)
