"""CSV: one row per timed line, with the JSON export's fields."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from lprof_viewer.core.annotate import AnnotatedFunction
from lprof_viewer.core.exporters.base import Exporter
from lprof_viewer.core.exporters.json_export import function_record
from lprof_viewer.core.model import Profile

FUNCTION_FIELDS = ("file", "name", "start_line", "total_time", "total_hits", "stale")
LINE_FIELDS = ("line", "hits", "time", "per_hit", "percent", "source")


class CsvExporter(Exporter):
    """Rows of file, function, line and the line's numbers; times in seconds."""

    name = "csv"
    suffix = ".csv"

    def write(
        self, profile: Profile, functions: Iterable[AnnotatedFunction], stream: TextIO
    ) -> None:
        """Write a header row, then one row per timed line."""
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([*FUNCTION_FIELDS, *LINE_FIELDS])
        for annotated in functions:
            record = function_record(annotated)
            head = [record[field] for field in FUNCTION_FIELDS]
            for line in record["lines"]:
                writer.writerow([*head, *("" if line[f] is None else line[f] for f in LINE_FIELDS)])
