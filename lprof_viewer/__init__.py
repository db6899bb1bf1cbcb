"""lprof-viewer: read, compare and re-run line_profiler results."""

__version__ = "0.1.0"
