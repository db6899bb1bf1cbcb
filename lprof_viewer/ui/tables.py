"""Settings every table view of the app shares."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from lprof_viewer.ui.delegates import HeatKeepingDelegate


def make_table(name: str) -> QTableView:
    """A read-only, row-selecting table view with the app's common settings."""
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.horizontalHeader().setHighlightSections(False)
    return table


def let_heat_show_through_selection(table: QTableView) -> None:
    """Selected lines keep their heat, tinted by the selection colour."""
    table.setItemDelegate(HeatKeepingDelegate(table))


def fit_rows_to_font(table: QTableView) -> None:
    """Row height for the table's own (monospace) font."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 4)
