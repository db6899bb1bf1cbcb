"""Plain text, laid out exactly as ``python -m line_profiler`` prints it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, islice, repeat
from operator import attrgetter, itemgetter, mul, truediv
from typing import TextIO

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.exporters.base import Exporter
from lprof_viewer.core.model import FunctionProfile, Profile

_TOTAL_TICKS = attrgetter("total_ticks")
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
    if max(map(len, texts), default=0) <= width:
        return texts
    return [t if len(t) <= width else spec % v for t, v in zip(texts, values, strict=True)]


#: Hits, Time, Per Hit and % Time of one line, as text.
Fields = tuple[str, str, str, str]


def line_fields(
    functions: Sequence[FunctionProfile], scalar: float
) -> list[tuple[dict[int, Fields], Mapping[str, int]]]:
    """Each function's Hits, Time, Per Hit and % Time by line, as ``show_func`` writes them.

    With each function's column widths: line_profiler's, widened where a
    function's texts need it.

    ``scalar`` is ``unit / output_unit`` (see ``model.convert_ticks``); time,
    per hit and percent are computed in the same order of operations as
    line_profiler so the rounding, and so every character, agrees. The lines
    of all the functions are formatted together, one C-level call per
    column: this is the text export's inner loop.
    """
    lengths = [len(function.ticks) for function in functions]
    linenos = list(chain.from_iterable(function.linenos for function in functions))
    hits = list(chain.from_iterable(function.hits for function in functions))
    ticks = list(chain.from_iterable(function.ticks for function in functions))
    function_ticks = list(chain.from_iterable(map(repeat, map(_TOTAL_TICKS, functions), lengths)))
    times = list(map(mul, ticks, repeat(scalar)))
    time_texts = _refit(format_each("%5.1f", times), times, _TIME_WIDTH, "%5.3g")
    if 0 in hits:
        averages = [float(t) / h if h else 0.0 for t, h in zip(times, hits, strict=True)]
    else:
        averages = list(map(truediv, times, hits))
    per_hit_texts = _refit(format_each("%5.1f", averages), averages, _PER_HIT_WIDTH, "%5.3g")
    if 0 in hits:
        per_hit_texts = [text if h else "" for text, h in zip(per_hit_texts, hits, strict=True)]
    hits_texts = _refit(format_each("%d", hits), hits, _HITS_WIDTH, "%g")
    if 0 in function_ticks:
        percents = [100 * t / w if w else 0.0 for t, w in zip(ticks, function_ticks, strict=True)]
    else:
        percents = list(map(truediv, map(mul, repeat(100), ticks), function_ticks))
    percent_texts = format_each("%5.1f", percents)
    if 0 in function_ticks:
        percent_texts = [p if w else "" for p, w in zip(percent_texts, function_ticks, strict=True)]
    fields = list(zip(hits_texts, time_texts, per_hit_texts, percent_texts, strict=True))
    ends = list(accumulate(lengths))
    spans = list(map(slice, [0, *ends[:-1]], ends))
    by_function = map(zip, map(linenos.__getitem__, spans), map(fields.__getitem__, spans))
    all_fields = list(map(dict, by_function))
    # Most profiles need no column wider than line_profiler's defaults.
    if all(
        max(map(len, texts), default=0) <= width
        for texts, width in (
            (hits_texts, _HITS_WIDTH),
            (time_texts, _TIME_WIDTH),
            (per_hit_texts, _PER_HIT_WIDTH),
        )
    ):
        return [(fields, COLUMN_WIDTHS) for fields in all_fields]
    return [(fields, _column_widths(fields)) for fields in all_fields]


def _column_widths(fields: dict[int, Fields]) -> dict[str, int]:
    """line_profiler's widths, widened where a function's hits, time or per hit need it."""
    widths = dict(COLUMN_WIDTHS)
    if fields:
        for column, index in (("hits", 0), ("time", 1), ("perhit", 2)):
            longest = max(map(len, map(itemgetter(index), fields.values())))
            widths[column] = max(widths[column], longest)
    return widths


_FUNCTIONS_PER_BATCH = 256


def _batches(items: Iterable[AnnotatedFunction], size: int) -> Iterator[list[AnnotatedFunction]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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
        scalar = profile.unit / output_unit
        # A few hundred functions at a time: formatting their lines together
        # is fast, and the texts of 200,000 lines never pile up. The texts
        # are short-lived and acyclic: the collector has nothing to find.
        with collector_paused():
            for batch in _batches(functions, _FUNCTIONS_PER_BATCH):
                all_fields = line_fields([annotated.function for annotated in batch], scalar)
                for annotated, (fields, widths) in zip(batch, all_fields, strict=True):
                    stream.write(self.function_text(annotated, fields, widths))

    @staticmethod
    def function_text(
        annotated: AnnotatedFunction, fields: dict[int, Fields], widths: Mapping[str, int]
    ) -> str:
        """One function's block of text, its lines' ``fields`` and ``widths`` by ``line_fields``."""
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
