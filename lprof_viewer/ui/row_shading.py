"""Row colours of the source views: heat or tint, the selected row blended in, readable text.

Qt styles paint either the selection or an item's background, and the line a
view selects is usually the hottest: its heat must stay visible. So the views
draw no selection of their own (see ``tables.let_heat_show_through_selection``)
and the models blend the selection into the background here.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from lprof_viewer.core.heat import RGB, blend, is_dark

SELECTION_WEIGHT = 0.35
LIGHT_TEXT = QColor("#f4f4f4")
DARK_TEXT = QColor("#111111")


def _rgb(color: QColor) -> RGB:
    return (color.red(), color.green(), color.blue())


def color_is_dark(color: QColor) -> bool:
    """True for a background on which light text reads better (a dark palette's)."""
    return is_dark(_rgb(color))


class RowShading:
    """Computes (and caches) the colours of a row from its heat or tint."""

    def __init__(self) -> None:
        self.base: RGB = (255, 255, 255)
        self.highlight: RGB = (48, 140, 198)
        self.selected_row = -1
        self._colors: dict[RGB, QColor] = {}
        self._dark: dict[RGB, bool] = {}

    def set_palette(self, base: QColor, highlight: QColor) -> None:
        """The view's background and selection colours."""
        self.base, self.highlight = _rgb(base), _rgb(highlight)
        self._colors.clear()

    @property
    def is_dark(self) -> bool:
        """True on a dark palette."""
        return is_dark(self.base)

    def final(self, row: int, shade: RGB | None) -> RGB | None:
        """The row's own shade, with the selection blended in when it is the selected row."""
        if row == self.selected_row:
            return blend(shade or self.base, self.highlight, SELECTION_WEIGHT)
        return shade

    def background(self, row: int, shade: RGB | None) -> QColor | None:
        """The background brush colour of a cell in ``row``."""
        final = self.final(row, shade)
        return None if final is None else self._color(final)

    def foreground(self, row: int, shade: RGB | None) -> QColor | None:
        """Light or dark text, whichever reads on the row's background (None: the default)."""
        final = self.final(row, shade)
        if final is None:
            return None
        dark = self._dark.get(final)
        if dark is None:
            dark = self._dark[final] = is_dark(final)
        return LIGHT_TEXT if dark else DARK_TEXT

    def _color(self, rgb: RGB) -> QColor:
        color = self._colors.get(rgb)
        if color is None:
            color = self._colors[rgb] = QColor(*rgb)
        return color
