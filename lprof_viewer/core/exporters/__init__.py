"""Renderers that write a profile as text, JSON, CSV or HTML; the GUI and CLI share them.

Each format lives in its own module, imported only when asked for (the HTML
one pulls in Pygments).
"""

from __future__ import annotations

from importlib import import_module

from lprof_viewer.core.exporters.base import Exporter, ExportOptions

#: ``--format`` name -> (module, class) of its exporter.
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text_export", "TextExporter"),
    "json": ("json_export", "JsonExporter"),
    "csv": ("csv_export", "CsvExporter"),
    "html": ("html_export", "HtmlExporter"),
}


def exporter_for(name: str, options: ExportOptions | None = None) -> Exporter:
    """A new exporter for the format called ``name`` (one of :data:`FORMATS`)."""
    module, class_name = FORMATS[name]
    exporter_class = getattr(import_module(f"{__name__}.{module}"), class_name)
    exporter: Exporter = exporter_class(options)
    return exporter


__all__ = ["FORMATS", "ExportOptions", "Exporter", "exporter_for"]
