"""Write a profile diff as text, JSON (a pinned contract) or one self-contained HTML page."""

from __future__ import annotations

import html
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain, repeat
from operator import mul, sub
from typing import TextIO

from lprof_viewer.core.align import CHANGED, INSERTED, REMOVED, AlignedRows, time_change
from lprof_viewer.core.diff import (
    FunctionDiff,
    ProfileDiff,
    change_arrow,
    direction,
    distinct_titles,
    signed_change,
    signed_changes,
    total_hits_text,
)
from lprof_viewer.core.exporters.json_export import compact_json
from lprof_viewer.core.heat import RGB, heat_color, heat_fraction, hex_color, text_on
from lprof_viewer.core.helper_process import write_in_halves
from lprof_viewer.core.model import FunctionProfile
from lprof_viewer.core.units import AUTO, TimeUnit, with_unit


class DiffExporter(ABC):
    """Writes a :class:`ProfileDiff` to a text stream: a head, each function, a tail."""

    def __init__(self, unit: TimeUnit | None = None) -> None:
        self.unit = unit or AUTO

    def write(self, diff: ProfileDiff, stream: TextIO) -> None:
        """Write the whole diff, biggest change first.

        The functions of a large diff are written in two halves, the second
        by a forked helper where it can (``helper_process``): aligning and
        formatting 200,000 lines keeps a core busy for seconds.
        """
        functions = diff.functions

        def text_of(index: int) -> str:
            return self.function_text(index, functions[index])

        stream.write(self.head(diff))
        write_in_halves(len(functions), text_of, stream, PARALLEL_FROM)
        stream.write(self.tail(diff))

    @abstractmethod
    def head(self, diff: ProfileDiff) -> str:
        """What comes before the functions: the summary, the functions table."""

    @abstractmethod
    def function_text(self, index: int, function: FunctionDiff) -> str:
        """The ``index``-th function, biggest change first (0 for the first)."""

    @abstractmethod
    def tail(self, diff: ProfileDiff) -> str:
        """What comes after the functions."""


#: From this many functions on, a helper process writes half of them (``DiffExporter.write``).
PARALLEL_FROM = 500


def diff_exporter_for(name: str, unit: TimeUnit | None = None) -> DiffExporter:
    """A new exporter for ``text``, ``json`` or ``html`` (one of :data:`DIFF_FORMATS`)."""
    return _EXPORTERS[name](unit)


def function_json(function: FunctionDiff) -> str:
    """One function's JSON object, its lines written column by column.

    Two large profiles hold 200,000 aligned lines: a dict per line for
    ``json.dumps`` costs several times more than formatting each line from
    columns made with C-level maps.
    """
    rows, aligned_by, note = function.alignment
    head = {
        "name": function.name,
        "file": function.filename,
        "start_line_a": function.a.start_line if function.a else None,
        "start_line_b": function.b.start_line if function.b else None,
        "time_a": function.time_a,
        "time_b": function.time_b,
        "delta": function.delta,
        "ratio": function.ratio,
        "only_in": function.only_in,
        "aligned_by": aligned_by,
        "note": note or None,
    }
    hits_a, times_a = _hits_and_times(function.a, rows.line_a)
    hits_b, times_b = _hits_and_times(function.b, rows.line_b)
    # Equal ticks of one timer unit give equal floats: only a change of unit leaves
    # rounding to clear (time_change), at a function call per line.
    same_unit = function.a is None or function.b is None or function.a.unit == function.b.unit
    deltas = map(sub, times_b, times_a) if same_unit else map(time_change, times_a, times_b)
    cells = zip(
        map(_NULL.get, rows.line_a, rows.line_a),
        map(_NULL.get, rows.line_b, rows.line_b),
        map(_json_string, rows.text_a),
        map(_json_string, rows.text_b),
        hits_a,
        hits_b,
        times_a,
        times_b,
        deltas,
        rows.kinds,
        strict=True,
    )
    # One format for all the lines: a call and a tuple per line cost more than their cells.
    lines = _lines_template(len(rows.kinds)) % tuple(chain.from_iterable(cells))
    return f'{compact_json(head)[:-1]},"lines":[{lines}]}}'


_LINE_TEMPLATE = (
    '{"line_a":%s,"line_b":%s,"source_a":%s,"source_b":%s,'
    '"hits_a":%d,"hits_b":%d,"time_a":%r,"time_b":%r,"delta":%r,"kind":"%s"}'
)


def _lines_template(count: int) -> str:
    """``count`` line objects' template, comma-separated.

    Kept for the lengths most functions have; a long function's (190 bytes a
    line) is made for it alone, so a profile of long functions keeps none.
    """
    if count <= _KEPT_TEMPLATES:
        return _kept_lines_template(count)
    return ",".join([_LINE_TEMPLATE] * count)


_KEPT_TEMPLATES = 256


@lru_cache(maxsize=_KEPT_TEMPLATES)
def _kept_lines_template(count: int) -> str:
    return ",".join([_LINE_TEMPLATE] * count)


#: A line number's JSON value: ``_NULL.get(number, number)`` is "null" for None.
_NULL: dict[int | None, str] = {None: "null"}
#: JSON string literal of a str, non-ASCII kept (``ensure_ascii=False``).
_json_string = json.encoder.encode_basestring


def _hits_and_times(
    function: FunctionProfile | None, numbers: Sequence[int | None]
) -> tuple[Iterable[int], list[float]]:
    """Hits and seconds on each of the rows' line numbers (0 and 0.0 where none is timed).

    Straight from the function's columns with C-level maps, as ``LineStat.time``
    computes them (ticks times the unit): the contract's 0 and 0.0 where a row is
    not timed, where ``AlignedRows``' columns (for text and HTML) hold None.
    """
    if function is None:
        return repeat(0, len(numbers)), [0.0] * len(numbers)
    linenos = function.linenos
    hits = dict(zip(linenos, function.hits, strict=True))
    ticks = dict(zip(linenos, function.ticks, strict=True))
    # None (a row the side has no line in) is never a key: it gets the default.
    timed_ticks = map(ticks.get, numbers, repeat(0))  # type: ignore[arg-type]
    times = list(map(mul, timed_ticks, repeat(function.unit)))
    return map(hits.get, numbers, repeat(0)), times  # type: ignore[arg-type]


class DiffJsonExporter(DiffExporter):
    """``{"total_a", "total_b", "functions": [...]}``."""

    def head(self, diff: ProfileDiff) -> str:
        """The totals, and the functions' list opened."""
        total_a, total_b = compact_json(diff.total_a), compact_json(diff.total_b)
        return f'{{"total_a":{total_a},"total_b":{total_b},"functions":['

    def function_text(self, index: int, function: FunctionDiff) -> str:
        """The function's object, after a comma unless it is the first."""
        return f",{function_json(function)}" if index else function_json(function)

    def tail(self, diff: ProfileDiff) -> str:
        """The list and the document closed."""
        return "]}\n"


_MARKS = {INSERTED: "+", REMOVED: "-"}
#: The page marks edited lines too (text prints their two versions as - and +).
_HTML_MARKS = {**_MARKS, CHANGED: "~"}


class DiffTextExporter(DiffExporter):
    """A summary, the functions by change, then each function's lines side by side."""

    def head(self, diff: ProfileDiff) -> str:
        """Plain text for a terminal or a pull request comment: the summary, the functions."""
        unit = self.unit
        name_a, name_b = diff.names
        head = [f"A: {name_a}\nB: {name_b}\n{diff.summary(unit)}\n\n"]
        # A run that lacks the function has no time for it (blank, as the window shows it).
        rows = [
            (
                unit.format_total(function.a),
                unit.format_total(function.b),
                signed_change(unit, function.delta),
                function.verdict,
                title,
            )
            for function, title in zip(diff.functions, distinct_titles(diff.functions), strict=True)
        ]
        titles = (*time_titles(unit), "", "Function")
        width = max([12, *(len(text) for row in rows for text in row[:3])])
        verdict = max([14, *(len(row[3]) for row in rows)])  # '12345.6x slower'
        line = f"%{width}s %{width}s %{width}s  %-{verdict}s %s\n"
        head.append(line % titles)
        head.extend(map(line.__mod__, rows))
        return "".join(head)

    def tail(self, diff: ProfileDiff) -> str:
        """Nothing: the last function ends the text."""
        return ""

    def function_text(self, index: int, function: FunctionDiff) -> str:
        """The function's rows, each column formatted in one pass (200,000 rows in a large diff)."""
        unit = self.unit
        rows, _, note = function.alignment
        out = [f"\n{function.name} — {function.filename}\n"]
        if note:
            out.append(f"{note}\n")
        numbers_a = list(map(_BLANK.get, rows.line_a, rows.line_a))
        numbers_b = list(map(_BLANK.get, rows.line_b, rows.line_b))
        times_a = unit.ticks_texts(rows.ticks("a"), function.a.unit if function.a else 0.0)
        times_b = unit.ticks_texts(rows.ticks("b"), function.b.unit if function.b else 0.0)
        changes = signed_changes(unit, rows.changes())
        titles = time_titles(unit)
        # Columns as wide as their titles and texts (fixed units name the unit: 'Time A (ms)').
        number = max([5, *map(len, map(str, (*rows.line_a, *rows.line_b)))])
        time = max([10, len(titles[0]), len(titles[1]), *map(len, times_a), *map(len, times_b)])
        change = max([11, len(titles[2]), *map(len, changes)])
        row, edited = _row_templates(number, time, change)
        out.append(row % (" ", "A#", titles[0], "B#", titles[1], titles[2], "Code"))
        columns = zip(
            rows.kinds,
            numbers_a,
            numbers_b,
            times_a,
            times_b,
            changes,
            rows.text_a,
            rows.text_b,
            strict=True,
        )
        for kind, number_a, number_b, time_a, time_b, change_text, text_a, text_b in columns:
            if kind == CHANGED:  # both versions, as a code review shows them
                out.append(
                    edited % (number_a, time_a, change_text, text_a, number_b, time_b, text_b)
                )
            else:
                # Offset-aligned rows: the code of whichever side has trustworthy source.
                text = text_b or text_a
                mark = _MARKS.get(kind, " ")
                out.append(row % (mark, number_a, time_a, number_b, time_b, change_text, text))
        return "".join(out)


@lru_cache(maxsize=16)
def _row_templates(number: int, time: int, change: int) -> tuple[str, str]:
    """A row of the text diff and an edited line's two rows, for these column widths.

    ``%`` is the quickest way to lay out 200,000 rows; an edited line shows A's
    version, then B's, as a code review shows them.
    """
    row = f"%s %{number}s %{time}s %{number}s %{time}s %{change}s  %s\n"
    blank_number, blank_time, blank_change = " " * number, " " * time, " " * change
    edited = (
        f"- %{number}s %{time}s {blank_number} {blank_time} %{change}s  %s\n"
        f"+ {blank_number} {blank_time} %{number}s %{time}s {blank_change}  %s\n"
    )
    return row, edited


#: A row's line number as its text: ``_BLANK.get(number, number)`` is '' for None.
_BLANK: dict[int | None, str] = {None: ""}


def time_titles(unit: TimeUnit) -> tuple[str, str, str]:
    """The titles of the Time A, Time B and Change columns, naming a fixed unit."""
    return with_unit("Time A", unit), with_unit("Time B", unit), with_unit("Change", unit)


PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1d1f23; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin: 1.6em 0 0.3em; }
.summary { font-size: 1.1em; font-weight: 600; }
.meta { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.86em; }
th, td { padding: 0 0.5em; text-align: right; white-space: pre; }
td.code, th.code { text-align: left; font-family: ui-monospace, Menlo, Consolas, monospace; }
td.num { font-family: ui-monospace, Menlo, Consolas, monospace; }
tr.inserted td.b, tr.inserted td.code.b { background: #e6ffec; }
tr.removed td.a, tr.removed td.code.a { background: #ffebe9; }
tr.changed td.mark { color: #9a6700; }
.faster { color: #1a7f37; } .slower { color: #cf222e; }
td.mark { font-weight: bold; }
"""


class DiffHtmlExporter(DiffExporter):
    """The side-by-side view as one page to attach to a pull request (no scripts, no network)."""

    def head(self, diff: ProfileDiff) -> str:
        """The page's head, the summary and the functions table (each function follows)."""
        unit = self.unit
        name_a, name_b = map(html.escape, diff.names)
        summary = diff.summary_lines(unit)
        head = [
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{name_a} vs {name_b}</title>"
            f"<style>{PAGE_STYLE}</style></head><body>\n"
            f"<h1>{name_a} → {name_b}</h1>\n"
            f"<p class='summary'>{'<br>'.join(map(html.escape, filter(None, summary)))}</p>\n"
            "<table><tr><th class='code'>Function</th>"
            + "".join(f"<th>{html.escape(title)}</th>" for title in time_titles(unit))
            + "<th>Ratio</th><th>Line hits A</th><th>Line hits B</th></tr>\n"
        ]
        titles = distinct_titles(diff.functions)
        for index, (function, title) in enumerate(zip(diff.functions, titles, strict=True)):
            verdict = function.verdict
            css = direction(function.delta)
            arrow = change_arrow(function.delta)
            head.append(
                f"<tr><td class='code'><a href='#d{index}'>{html.escape(title)}</a>"
                f"</td><td>{unit.format_total(function.a)}</td>"
                f"<td>{unit.format_total(function.b)}</td>"
                f"<td class='{css}'>{arrow} {signed_change(unit, function.delta)}</td>"
                f"<td class='{css}'>{verdict}</td>"
                f"<td>{total_hits_text(function.a)}</td>"
                f"<td>{total_hits_text(function.b)}</td></tr>\n"
            )
        head.append("</table>\n")
        return "".join(head)

    def tail(self, diff: ProfileDiff) -> str:
        """The page closed."""
        return "</body></html>\n"

    def function_text(self, index: int, function: FunctionDiff) -> str:
        """The function side by side with heat, each column made in one pass.

        A large diff has 200,000 rows.
        """
        unit = self.unit
        rows, _, note = function.alignment
        parts = [
            f"<h2 id='d{index}'>{html.escape(function.name)}</h2>"
            f"<p class='meta'>{html.escape(function.filename)} — "
            f"{html.escape(function.verdict)}</p>\n"
        ]
        if note:
            parts.append(f"<p class='meta'>{html.escape(note)}</p>\n")
        time_a, time_b, change = map(html.escape, time_titles(unit))
        parts.append(
            f"<table><tr><th>A#</th><th>Hits A</th><th>{time_a}</th><th class='code'>A</th>"
            f"<th></th><th>{change}</th><th>B#</th><th>Hits B</th><th>{time_b}</th>"
            "<th class='code'>B</th></tr>\n"
        )
        changes = rows.changes()
        columns = zip(
            rows.kinds,
            _html_side(rows, "a", function.a, unit),
            [direction(0.0 if change is None else change) for change in changes],
            signed_changes(unit, changes),
            _html_side(rows, "b", function.b, unit),
            strict=True,
        )
        for kind, side_a, css, change, side_b in columns:
            mark = _HTML_MARKS.get(kind, "")
            parts.append(_HTML_ROW % (kind, side_a, mark, css, change, side_b))
        parts.append("</table>\n")
        return "".join(parts)


#: One row of the page: the kind, A's cells, the mark, the change, B's cells.
_HTML_ROW = "<tr class='%s'>%s<td class='mark'>%s</td><td class='num %s'>%s</td>%s</tr>\n"


def _html_side(
    rows: AlignedRows, side: str, function: FunctionProfile | None, unit: TimeUnit
) -> list[str]:
    """Side ``side``'s four cells of each row: line number, hits, time and code, heat-shaded.

    Both sides' heat is scaled to the hottest line of either, as the window's.
    """
    numbers, texts = (rows.line_a, rows.text_a) if side == "a" else (rows.line_b, rows.text_b)
    hottest = rows.hottest
    shades = [
        "" if t is None else _shade_style(heat_color(heat_fraction(t, hottest)))
        for t in rows.seconds(side)
    ]
    cells = zip(
        map(_BLANK.get, numbers, numbers),
        ["" if h is None else f"{h:,}" for h in rows.hits(side)],
        unit.ticks_texts(rows.ticks(side), function.unit if function else 0.0),
        shades,
        map(html.escape, texts),
        strict=True,
    )
    number_cell, code_cell = f"<td class='num {side}'", f"<td class='code {side}'"
    return [
        f"{number_cell}>{number}</td>{number_cell}>{hit}</td>"
        f"{number_cell}{shade}>{time}</td>{code_cell}{shade}>{code}</td>"
        for number, hit, time, shade, code in cells
    ]


#: Diff exporters by ``--format`` name.
_EXPORTERS: dict[str, type[DiffExporter]] = {
    "text": DiffTextExporter,
    "json": DiffJsonExporter,
    "html": DiffHtmlExporter,
}
DIFF_FORMATS = tuple(_EXPORTERS)


def _shade_style(shade: RGB) -> str:
    """A heat background, with text that reads on it (white on the hottest reds)."""
    return f" style='background:{hex_color(shade)};color:{text_on(shade)}'"
