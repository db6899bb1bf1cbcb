"""Plain text, laid out exactly as ``python -m line_profiler`` prints it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import TextIO

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.exporters.base import Exporter
from lprof_viewer.core.model import FunctionProfile, Profile

#: The Hits, Time, Per Hit and % Time fields of a line that was not timed.
_NOT_TIMED = ("", "", "", "")
#: line_profiler's default (and minimum) column widths.
COLUMN_WIDTHS = {"line": 6, "hits": 9, "time": 12, "perhit": 8, "percent": 8}
_HITS_WIDTH, _TIME_WIDTH, _PER_HIT_WIDTH = (COLUMN_WIDTHS[k] for k in ("hits", "time", "perhit"))
HEADER = ("Line #", "Hits", "Time", "Per Hit", "% Time", "Line Contents")


def format_each(spec: str, values: Sequence[object]) -> list[str]:
    """``spec % value`` for every value, in one C-level formatting call."""
    if not values:
        return []
    return ((spec + "\n") * len(values) % tuple(values)).split("\n")[:-1]


def _refit(texts: list[str], values: Sequence[float], width: int, spec: str) -> list[str]:
    """line_profiler's fallback: a text wider than its column is written with ``spec``."""
    if max(map(len, texts)) <= width:
        return texts
    return [t if len(t) <= width else spec % v for t, v in zip(texts, values, strict=True)]


def line_fields(
    function: FunctionProfile, total_ticks: float, scalar: float
) -> dict[int, tuple[str, str, str, str]]:
    """Hits, Time, Per Hit and % Time of each line, as line_profiler's ``show_func`` writes them.

    ``scalar`` is ``unit / output_unit`` (see ``model.convert_ticks``); time,
    per hit and percent are computed in the same order of operations as
    line_profiler so the rounding, and so every character, agrees. Each column
    is formatted in one call: this is the text export's inner loop.
    """
    linenos, hits, ticks = function.linenos, function.hits, function.ticks
    if not linenos:
        return {}
    times = [t * scalar for t in ticks]
    time_texts = _refit(format_each("%5.1f", times), times, _TIME_WIDTH, "%5.3g")
    averages = [float(t) / h if h else 0.0 for t, h in zip(times, hits, strict=True)]
    per_hit_texts = _refit(format_each("%5.1f", averages), averages, _PER_HIT_WIDTH, "%5.3g")
    if 0 in hits:
        per_hit_texts = [text if h else "" for text, h in zip(per_hit_texts, hits, strict=True)]
    hits_texts = _refit(format_each("%d", hits), hits, _HITS_WIDTH, "%g")
    if total_ticks:
        percent_texts = format_each("%5.1f", [100 * t / total_ticks for t in ticks])
    else:
        percent_texts = [""] * len(ticks)
    return dict(
        zip(
            linenos,
            zip(hits_texts, time_texts, per_hit_texts, percent_texts, strict=True),
            strict=True,
        )
    )


class TextExporter(Exporter):
    """The columns and numbers of ``python -m line_profiler``, biggest function first."""

    name = "text"
    suffix = ".txt"

    def write(
        self, profile: Profile, functions: Iterable[AnnotatedFunction], stream: TextIO
    ) -> None:
        """Write the timer unit, then every function's table."""
        output_unit = self.options.unit.seconds
        stream.write(f"Timer unit: {output_unit:g} s\n\n")
        for annotated in functions:
            stream.write(self.function_text(annotated, profile.unit, output_unit))

    @staticmethod
    def function_text(annotated: AnnotatedFunction, unit: float, output_unit: float) -> str:
        """One function's block of text."""
        function = annotated.function
        out = [f"Total time: {function.total_time:g} s\n"]
        if annotated.missing_source:
            out.append(
                f"\nCould not find file {function.filename}\n"
                "Are you sure you are running this program from the same directory\n"
                "that you ran the profiler from?\n"
                "Continuing without the function's contents.\n"
            )
        else:
            out.append(f"File: {function.filename}\n")
            out.append(f"Function: {function.name} at line {function.start_line}\n")
            if annotated.staleness is not None:
                out.append(f"Warning: {annotated.staleness.reason}\n")
        total = function.total_ticks
        scalar = unit / output_unit
        fields = line_fields(function, total, scalar)
        widths = dict(COLUMN_WIDTHS)
        if fields:
            for column, index in (("hits", 0), ("time", 1), ("perhit", 2)):
                longest = max(map(len, map(itemgetter(index), fields.values())))
                widths[column] = max(widths[column], longest)
        template = (
            f"%{widths['line']}s %{widths['hits']}s %{widths['time']}s "
            f"%{widths['perhit']}s %{widths['percent']}s  %-s\n"
        )
        header = template % HEADER
        out.append(f"\n{header}{'=' * (len(header) - 1)}\n")
        numbers = annotated.line_numbers
        cells = list(map(fields.get, numbers, repeat(_NOT_TIMED)))
        columns = (map(itemgetter(column), cells) for column in range(4))
        out.extend(map(template.__mod__, zip(numbers, *columns, annotated.texts(), strict=True)))
        out.append("\n")
        return "".join(out)
