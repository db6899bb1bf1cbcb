"""One self-contained HTML page: functions by total time, highlighted source, heat shading."""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache
from typing import TextIO

from pygments.formatters.html import HtmlFormatter
from pygments.token import STANDARD_TYPES, _TokenType

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.exporters.base import Exporter
from lprof_viewer.core.heat import (
    NEVER_RAN_LIGHT,
    RGB,
    heat_color,
    heat_fraction,
    hex_color,
    reads_on,
    text_on,
)
from lprof_viewer.core.helper_process import write_in_halves
from lprof_viewer.core.highlight import tokenize_lines
from lprof_viewer.core.model import Profile
from lprof_viewer.core.sources import is_code_line
from lprof_viewer.core.token_styles import LIGHT, token_format
from lprof_viewer.core.units import TimeUnit, line_stat_text

PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1d1f23; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin: 1.6em 0 0.3em; }
.meta { color: #555; font-size: 0.9em; }
.warn { background: #fff4ce; border: 1px solid #e0c060; padding: 0.3em 0.6em; }
table.summary, table.lines { border-collapse: collapse; font-size: 0.88em; }
table.summary td, table.summary th { padding: 0.15em 0.7em; text-align: right; }
table.summary td.name, table.summary th.name { text-align: left; }
table.lines { font-family: ui-monospace, Menlo, Consolas, monospace; width: 100%; }
table.lines th { text-align: right; border-bottom: 1px solid #999; padding: 0.1em 0.6em; }
table.lines td { text-align: right; padding: 0 0.6em; white-space: pre; }
table.lines td.code { text-align: left; width: 100%; }
table.lines th.code { text-align: left; }
tr.noncode td { color: #777; }
"""


#: From this many functions on, a helper process writes half of them (``write_in_halves``).
PARALLEL_FROM = 100


class HtmlExporter(Exporter):
    """A page a person can attach to a bug report: no scripts, no network."""

    name = "html"
    suffix = ".html"

    def write(
        self, profile: Profile, functions: Iterable[AnnotatedFunction], stream: TextIO
    ) -> None:
        """Write the page: a summary table, then each function's source with heat."""
        unit = self.options.unit
        functions = list(functions)
        title = html.escape(profile.name)
        token_css = HtmlFormatter(style="default", nobackground=True).get_style_defs("td.code")
        stream.write(
            f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title} — line profile</title><style>{PAGE_STYLE}{token_css}</style>"
            f"</head><body>\n<h1>{title}</h1>\n<p class='meta'>Total time "
            f"{profile.total_time:.6g} s in {len(functions)} functions; timer unit "
            f"{profile.unit:g} s; times below in {html.escape(unit.label)}.</p>\n"
        )
        stream.write(self._summary(functions, unit))

        def function_html(index: int) -> str:
            return self._function(index, functions[index], unit)

        # Highlighting is most of the page's cost (5 ms a function): from a
        # hundred functions on, a helper highlights half of them.
        write_in_halves(len(functions), function_html, stream, PARALLEL_FROM)
        stream.write("</body></html>\n")

    @staticmethod
    def _summary(functions: list[AnnotatedFunction], unit: TimeUnit) -> str:
        rows = [
            "<table class='summary'><tr><th class='name'>Function</th><th class='name'>File</th>"
            f"<th>Total ({html.escape(unit.label)})</th><th>Hits</th><th>% of total</th></tr>"
        ]
        for index, annotated in enumerate(functions):
            function = annotated.function
            share = annotated.percent_of_total
            rows.append(
                f"<tr><td class='name'><a href='#f{index}'>{html.escape(function.name)}</a></td>"
                f"<td class='name'>{html.escape(function.filename)}:{function.start_line}</td>"
                f"<td>{unit.format_total(function)}</td><td>{function.total_hits}</td>"
                f"<td>{'' if share is None else f'{share:.1f}'}</td></tr>"
            )
        rows.append("</table>\n")
        return "".join(rows)

    @staticmethod
    def _function(index: int, annotated: AnnotatedFunction, unit: TimeUnit) -> str:
        function = annotated.function
        parts = [
            f"<h2 id='f{index}'>{html.escape(function.name)}</h2><p class='meta'>"
            f"{html.escape(function.filename)}, line {function.start_line} — "
            f"{unit.format_total(function)} {'' if unit.is_auto else unit.label}</p>\n"
        ]
        if annotated.source_note is not None:
            parts.append(f"<p class='warn'>{html.escape(annotated.source_note)}</p>\n")
        label = html.escape(unit.label)
        parts.append(
            "<table class='lines'><tr><th>Line #</th><th>Hits</th>"
            f"<th>Time ({label})</th><th>Per Hit ({label})</th><th>% Time</th>"
            "<th class='code'>Line Contents</th></tr>\n"
        )
        hottest = max((line.stat.time for line in annotated.lines if line.stat), default=0.0)
        tokens = tokenize_lines([line.text for line in annotated.lines])
        for line, line_tokens in zip(annotated.lines, tokens, strict=True):
            stat = line.stat
            shade = heat_color(heat_fraction(stat.time, hottest)) if stat else None
            code = "".join(_token_span(kind, text, shade) for kind, text in line_tokens)
            if stat is None:
                row_class = "" if is_code_line(line.text) else " class='noncode'"
                never_ran = annotated.never_ran(line.lineno)
                style = f" style='background:{hex_color(NEVER_RAN_LIGHT)}'" if never_ran else ""
                cells = "<td></td>" * 4
            else:
                assert shade is not None
                style = f" style='background:{hex_color(shade)};color:{text_on(shade)}'"
                row_class = ""
                percent = line_stat_text(stat, "percent", unit)
                cells = (
                    f"<td>{stat.hits}</td><td>{line_stat_text(stat, 'time', unit)}</td>"
                    f"<td>{line_stat_text(stat, 'per_hit', unit)}</td><td>{percent}</td>"
                )
            parts.append(
                f"<tr{row_class}{style}><td>{line.lineno}</td>{cells}"
                f"<td class='code'>{code}</td></tr>\n"
            )
        parts.append("</table>\n")
        return "".join(parts)


def _token_span(kind: _TokenType, text: str, shade: RGB | None) -> str:
    """A token in its Pygments class, or in the row's text colour where that colour
    would not read on the line's heat (the window's rule: no '=' lost on the hottest red)."""
    css_class = STANDARD_TYPES.get(kind)
    escaped = html.escape(text)
    if not css_class:
        return escaped
    color = _token_rgb(kind)
    if shade is not None and color is not None and not reads_on(color, shade):
        return f"<span style='color:{text_on(shade)}'>{escaped}</span>"
    return f"<span class='{css_class}'>{escaped}</span>"


@lru_cache(maxsize=512)
def _token_rgb(kind: _TokenType) -> RGB | None:
    """The colour Pygments' default style gives ``kind`` (None: the text's own)."""
    hex_digits = token_format(LIGHT, kind)[0]
    if hex_digits is None:
        return None
    return (int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16))
