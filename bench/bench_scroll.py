"""Time scrolling the source table of a 20,000-line function, page by page, offscreen.

    python bench/bench_scroll.py [--passes 2] [--lines 20000] [--workdir DIR] [--json OUT.json]

Opens the generated profile in the viewer's MainWindow in this process, selects
the function, then moves the source table's scroll bar from top to bottom one
page at a time (setValue, processEvents, a synchronous viewport repaint), timing
each page. The first pass meets every row for the first time (highlighting not
yet cached); later passes show the cached cost.

The baseline is a plain QTableView over a trivial model of the same rows,
columns, font, row height, column widths and size, scrolled the same way: it is
what Qt itself costs per page on this machine. Target (issue 3 says "stays
smooth"; the number is ours): the viewer's median page within 2x of the plain
table's. Until the UI exists this prints "UI not available yet" and exits 0.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _timing import (
    Measurement,
    Row,
    all_passed,
    at_most_times,
    common_parser,
    format_table,
    use_this_checkout,
    working_folder,
    write_json,
)
from make_long_source import generate_long
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

Index = QModelIndex | QPersistentModelIndex
LOAD_TIMEOUT = 120.0  # seconds
PAGE_LIMIT = 2.0  # the viewer's median page may take at most this many times a plain table's
PLAIN = "plain QTableView"


def wait_for_table(app: QApplication, window: QMainWindow, name: str, rows: int) -> QTableView:
    """Process events until the table called ``name`` holds at least ``rows`` rows."""
    deadline = time.monotonic() + LOAD_TIMEOUT
    while True:
        table = window.findChild(QTableView, name)
        model = table.model() if table is not None else None
        if table is not None and model is not None and model.rowCount() >= rows:
            return table
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {name} with {rows} rows after {LOAD_TIMEOUT:g} s")
        app.processEvents()
        time.sleep(0.005)


def open_source_table(
    app: QApplication, window_class: Any, profile: Path, lines: int
) -> tuple[QMainWindow, QTableView]:
    """Open ``profile``, select its function; answer the window and its filled source table.

    The one place that knows the window's API: adapt it when that changes.
    """
    window = window_class()
    window.resize(1280, 800)
    window.show()
    window.open_paths([profile])
    functions = wait_for_table(app, window, "functionTable", 1)
    functions.selectRow(0)
    return window, wait_for_table(app, window, "sourceTable", lines)


def scroll_through(app: QApplication, table: QTableView) -> list[float]:
    """Seconds to show each page, from the top of ``table`` to its bottom."""
    bar = table.verticalScrollBar()
    step = max(1, bar.pageStep())
    seconds = []
    for value in range(bar.minimum(), bar.maximum() + step, step):
        start = time.perf_counter()
        bar.setValue(min(value, bar.maximum()))
        app.processEvents()
        table.viewport().repaint()
        seconds.append(time.perf_counter() - start)
    return seconds


def isolate_settings(folder: Path) -> None:
    """Keep the viewer's QSettings (recent files, layout) out of the user's own."""
    QCoreApplication.setOrganizationName("lprof-viewer-bench")
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))


class PlainModel(QAbstractTableModel):
    """Rows of text and nothing else: the least a table model can do."""

    def __init__(self, lines: list[str], rows: int, columns: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines, self._rows, self._columns = lines, rows, columns

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows, as in the viewer's source table."""
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns, as in the viewer's source table."""
        return 0 if parent.isValid() else self._columns

    def data(self, index: Index, role: int = 0) -> str | None:
        """The source line in the last column, the row number elsewhere."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == self._columns - 1:
            return self._lines[index.row() % len(self._lines)]
        return str(index.row() + 1)


def plain_table_like(table: QTableView, source: Path) -> QTableView:
    """A shown QTableView over a PlainModel, sized and styled like ``table``."""
    lines = source.read_text(encoding="utf-8").splitlines()
    columns = table.model().columnCount()
    plain = QTableView()
    plain.setModel(PlainModel(lines, table.model().rowCount(), columns, parent=plain))
    plain.setFont(table.font())
    plain.verticalHeader().setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
    plain.verticalHeader().setVisible(table.verticalHeader().isVisible())
    for column in range(columns):
        plain.setColumnWidth(column, table.columnWidth(column))
    plain.resize(table.size())
    plain.show()
    return plain


def main() -> int:
    """Open the long function, scroll it ``--passes`` times, print the table."""
    parser = common_parser(__doc__.splitlines()[0], repeats=None)
    parser.add_argument("--passes", type=int, default=2, help="top-to-bottom passes (2)")
    parser.add_argument("--lines", type=int, default=20_000, help="timed lines (20000)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    use_this_checkout()
    try:
        from lprof_viewer.ui.main_window import MainWindow
    except ImportError as error:
        print("UI not available yet")
        print(f"  ({error})", file=sys.stderr)
        return 0
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with working_folder(args.workdir) as folder, tempfile.TemporaryDirectory() as settings:
        isolate_settings(Path(settings))
        lprof = generate_long(folder, args.lines)
        window, table = open_source_table(app, MainWindow, lprof, args.lines)
        plain_table = plain_table_like(table, folder / "src" / "long_module.py")
        plain = Measurement(PLAIN)
        passes = []
        for number in range(1, args.passes + 1):
            plain.seconds += scroll_through(app, plain_table)
            label = "highlighting cold" if number == 1 else "cached"
            passes.append(
                Measurement(f"viewer pass {number} ({label})", scroll_through(app, table))
            )
        page = table.verticalScrollBar().pageStep()
        model_rows = table.model().rowCount()
        plain_table.close()
        window.close()
    rows = [
        Row(plain),
        *(Row(result, [at_most_times(result, plain, PAGE_LIMIT)]) for result in passes),
    ]
    print(format_table(rows, unit="ms"))
    pages = len(passes[0].seconds) if passes else 0
    print(f"{model_rows} rows in the source table, {pages} pages a pass (page step {page})")
    if args.json:
        write_json(args.json, rows, {"passes": args.passes, "rows": model_rows, "page_step": page})
    return 0 if all_passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
