"""JSON with a fixed shape (a contract tests pin): times in seconds, biggest function first."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.collector import collector_paused
from lprof_viewer.core.exporters.base import Exporter
from lprof_viewer.core.model import Profile


def function_record(annotated: AnnotatedFunction) -> dict[str, Any]:
    """One function as the JSON export writes it."""
    function = annotated.function
    text = annotated.text
    return {
        "file": function.filename,
        "name": function.name,
        "start_line": function.start_line,
        "total_time": function.total_time,
        "total_hits": function.total_hits,
        "stale": annotated.stale,
        # Why the sources are blank or may not be the code measured; null when all is well.
        "source_note": annotated.source_note,
        "lines": [
            {
                "line": stat.lineno,
                "hits": stat.hits,
                "time": stat.time,
                "per_hit": stat.per_hit,
                "percent": stat.percent,
                "source": text(stat.lineno),
            }
            for stat in annotated.stats.values()
        ],
    }


class JsonExporter(Exporter):
    """``{"unit", "total_time", "functions": [...]}``."""

    name = "json"
    suffix = ".json"

    def write(
        self, profile: Profile, functions: Iterable[AnnotatedFunction], stream: TextIO
    ) -> None:
        """Write the whole profile as one JSON document, function by function.

        Each function is one ``json.dumps`` (the C encoder; ``dump()`` and
        ``indent=`` fall back to Python, 25x slower), written as it is made,
        so a 200,000-line profile never sits in memory as one document.
        """
        stream.write(
            f'{{"unit":{compact_json(profile.unit)},"total_time":{compact_json(profile.total_time)},'
        )
        stream.write('"functions":[')
        with collector_paused():  # the records are short-lived and acyclic
            for index, annotated in enumerate(functions):
                stream.write("," if index else "")
                stream.write(compact_json(function_record(annotated)))
        stream.write("]}\n")


def compact_json(value: Any) -> str:
    """``value`` as JSON text without spaces, non-ASCII kept (the exports' encoding)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
