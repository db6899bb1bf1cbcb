"""Painting, not building: the share bar and syntax-highlighted code cells."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pygments.token import _TokenType
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from lprof_viewer.core.heat import reads_on
from lprof_viewer.core.token_styles import DARK, LIGHT, Format, token_format
from lprof_viewer.ui.roles import SHARE_ROLE
from lprof_viewer.ui.row_shading import color_is_dark

Index = QModelIndex | QPersistentModelIndex


class ShareBarDelegate(QStyledItemDelegate):
    """Draws a cell's share (0..1, from SHARE_ROLE) as a bar behind its text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Paint the bar, then the usual text on top."""
        share = index.data(SHARE_ROLE)
        if share:
            painter.save()
            rect = QRectF(option.rect).adjusted(2, 3, -2, -3)
            rect.setWidth(max(1.0, rect.width() * min(1.0, float(share))))
            color = QColor(option.palette.color(QPalette.ColorRole.Highlight))
            color.setAlpha(90)
            painter.fillRect(rect, color)
            painter.restore()
        super().paint(painter, option, index)


class TokenPalette:
    """Token colours and fonts as QColors and QFonts, looked up per token type."""

    def __init__(self, table: dict[_TokenType, Format], base_font: QFont) -> None:
        self._table = table
        self._base_font = base_font
        self._cache: dict[_TokenType, tuple[QColor | None, QFont]] = {}

    def format_for(self, token_type: _TokenType) -> tuple[QColor | None, QFont]:
        """Colour (None: the palette's text colour) and font of a token."""
        found = self._cache.get(token_type)
        if found is None:
            hex_color, bold, italic = token_format(self._table, token_type)
            color = QColor(f"#{hex_color}") if hex_color else None
            font = QFont(self._base_font)
            font.setBold(bold)
            font.setItalic(italic)
            found = self._cache[token_type] = (color, font)
        return found


@lru_cache(maxsize=4096)
def _reads_on(foreground: int, background: int) -> bool:
    """``heat.reads_on`` for two 0xAARRGGBB colours (cached: called per token painted)."""
    return reads_on(*(((c >> 16) & 255, (c >> 8) & 255, c & 255) for c in (foreground, background)))


#: Characters Qt draws as a line break (Python's line ends only end a line at
#: ``\n``): written as their escapes, so one source line stays one row.
_LINE_BREAKING = {
    ord(c): c.encode("unicode_escape").decode() for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
}


def drawn_tokens(tokens: list[tuple[_TokenType, str]]) -> Iterator[tuple[_TokenType, str]]:
    """A line's tokens as drawn: tabs to the line's 8-wide stops, nothing that breaks it."""
    column = 0
    for token_type, text in tokens:
        text = text.translate(_LINE_BREAKING)
        if "\t" in text:
            text = (" " * column + text).expandtabs(8)[column:]
        column += len(text)
        yield token_type, text


class CodeDelegate(QStyledItemDelegate):
    """Paints a source line's Pygments tokens in a monospace font over the row's heat."""

    def __init__(self, font: QFont, parent: Any = None) -> None:
        super().__init__(parent)
        self._font = font
        self._palettes: dict[bool, TokenPalette] = {}

    def _palette(self, dark: bool) -> TokenPalette:
        if dark not in self._palettes:
            self._palettes[dark] = TokenPalette(DARK if dark else LIGHT, self._font)
        return self._palettes[dark]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the background as usual, then each token in its colour."""
        model = index.model()
        tokens = model.tokens(index.row()) if hasattr(model, "tokens") else None
        if not tokens:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text_backup = option.text
        option.text = ""
        widget = option.widget
        style = widget.style() if widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        option.text = text_backup
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        default = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        base = palette.color(QPalette.ColorRole.Base)
        dark = color_is_dark(base)
        token_palette = self._palette(dark)
        # Token colours are made for the base colour: on a hot line, one that would
        # not read on the shade under it takes the row's text colour instead.
        brush = option.backgroundBrush
        under = (brush.color() if brush.style() != Qt.BrushStyle.NoBrush else base).rgb()
        rect = option.rect.adjusted(4, 0, -2, 0)
        painter.save()
        painter.setClipRect(option.rect)
        x = float(rect.left())
        for token_type, text in drawn_tokens(tokens):
            color, font = token_palette.format_for(token_type)
            painter.setFont(font)
            readable = color is not None and _reads_on(color.rgb(), under)
            painter.setPen(color if readable else default)
            width = painter.fontMetrics().horizontalAdvance(text)
            painter.drawText(
                QRectF(x, rect.top(), width + 1, rect.height()),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                text,
            )
            x += width
            if x > rect.right():
                break
        painter.restore()
