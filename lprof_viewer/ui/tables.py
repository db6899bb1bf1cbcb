"""Settings every table view of the app shares, and the filter box above the function tables."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QTableView,
)


def make_filter_edit() -> QLineEdit:
    """The box that filters a functions table by name or file (Ctrl+F focuses it)."""
    edit = QLineEdit()
    edit.setObjectName("functionFilter")
    edit.setPlaceholderText("Filter by name or file (Ctrl+F)")
    edit.setClearButtonEnabled(True)
    return edit


def enter_goes_to(edit: QLineEdit, table: QTableView) -> None:
    """Enter in the filter box moves on to the functions it kept (keyboard use)."""

    def go_to_table() -> None:
        if table.model().rowCount() and not table.currentIndex().isValid():
            select_row(table, 0)
        table.setFocus()

    edit.returnPressed.connect(go_to_table)


def make_table(name: str) -> QTableView:
    """A read-only, row-selecting table view with the app's common settings."""
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.horizontalHeader().setHighlightSections(False)
    return table


def let_heat_show_through_selection(table: QTableView) -> None:
    """The view selects nothing; its model blends the current row into the heat.

    The current row (keyboard, click, the hottest line on open) is shown by the
    model's shading; use ``setCurrentIndex``, not ``selectRow``. Call after
    ``setModel``; the model must have ``set_selected_row(row)``.
    """
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    model = table.model()
    select_row = model.set_selected_row  # type: ignore[attr-defined]
    table.selectionModel().currentRowChanged.connect(
        lambda current, _previous: select_row(current.row())
    )


def selection_color(table: QTableView) -> QColor:
    """The application's selection colour (the table's own is made invisible)."""
    return QApplication.palette(table).color(QPalette.ColorRole.Highlight)


#: Room beside a header's title (and its sort arrow, in a table that sorts) and a cell's text.
_TITLE_PADDING, _SORT_ARROW, _TEXT_PADDING = 14, 14, 12


def fit_columns(
    table: QTableView,
    widest: Mapping[int, str],
    floors: Mapping[int, int],
    grow_only: bool = False,
) -> None:
    """Widen each column of ``widest`` and ``floors`` to show its title and widest text whole.

    ``floors`` are the columns' usual widths, kept when the texts are short,
    so the layout does not jump from one function to the next. With
    ``grow_only`` (a new function shown) no number column gets narrower, so
    a width the user dragged stays; the code column always fits its lines.
    A stretched last column still fills the view; wider than it, it scrolls.
    """
    header = table.horizontalHeader()
    model = table.model()
    titles, texts = header.fontMetrics(), table.fontMetrics()
    title_padding = _TITLE_PADDING + (_SORT_ARROW if table.isSortingEnabled() else 0)
    for column in {*widest, *floors}:
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        needed = max(
            titles.horizontalAdvance(title) + title_padding,
            texts.horizontalAdvance(widest.get(column, "")) + _TEXT_PADDING,
        )
        kept = header.sectionSize(column) if grow_only and column in floors else 0
        header.resizeSection(column, max(needed, floors.get(column, 0), kept))


def fit_rows_to_font(table: QTableView) -> None:
    """Row height for the table's own (monospace) font."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 4)


def select_row(table: QTableView, row: int) -> None:
    """Make ``row`` the current, selected row of ``table`` and scroll it into view."""
    index = table.model().index(row, 0)
    table.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    table.scrollTo(index)


def select_or_first(table: QTableView, row: int | None) -> bool:
    """Select ``row`` (the function still shown), else the first; False for an empty table."""
    if row is None and table.model().rowCount():
        row = 0
    if row is None:
        return False
    select_row(table, row)
    return True
