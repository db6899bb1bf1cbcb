"""The interface every exporter shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from lprof_viewer.core.annotate import AnnotatedFunction, ProfileAnnotator
from lprof_viewer.core.model import Profile
from lprof_viewer.core.units import TimeUnit


@dataclass(frozen=True)
class ExportOptions:
    """What the user chose: the unit times are written in (text and HTML)."""

    unit: TimeUnit = field(default_factory=lambda: TimeUnit("us"))


class Exporter(ABC):
    """Writes an annotated profile to a text stream in one format."""

    #: The ``--format`` name.
    name: str
    #: The usual file name suffix.
    suffix: str

    def __init__(self, options: ExportOptions | None = None) -> None:
        self.options = options or ExportOptions()

    def export(self, annotator: ProfileAnnotator, stream: TextIO) -> None:
        """Write the whole profile, functions biggest total time first."""
        self.write(annotator.profile, iter(annotator), stream)

    @abstractmethod
    def write(
        self, profile: Profile, functions: Iterable[AnnotatedFunction], stream: TextIO
    ) -> None:
        """Write ``functions`` (already in display order) of ``profile``."""
