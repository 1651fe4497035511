"""The verdict, readable from two metres: colour, a symbol, huge words, badges, one detail.

Everything is sized from the panel's own size and then shrunk until it fits, so
the longest title in any language ("PENERBIT TIDAK DIKENAL") stays whole on a
1024×600 gate screen and a 4K one alike.  :meth:`VerdictPanel.layout` is the one
place that decides where things go; painting and the tests both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from ui.presentation import Badge, Symbol, VerdictView, badge_text, ready_view

MARGIN = 0.03
"""Of the panel's width, kept clear at each side."""
MIN_TITLE_PX = 14
MIN_DETAIL_PX = 11
_WRAP = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | int(
    Qt.TextFlag.TextWordWrap
)
BADGE_COLOURS = {Badge.VIP: "#6a2c91", Badge.ACCESSIBLE: "#0b4f9c"}


@dataclass(frozen=True, slots=True)
class PanelLayout:
    symbol: QRectF
    title: QRectF
    title_font: QFont
    badges: tuple[tuple[QRectF, Badge, str], ...]
    badge_font: QFont
    detail: QRectF
    detail_font: QFont


def _font(base: QFont, pixels: float, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(1, int(pixels)))
    font.setBold(bold)
    return font


def fits_one_line(font: QFont, text: str, width: float) -> bool:
    return QFontMetricsF(font).horizontalAdvance(text) <= width


def fits_wrapped(font: QFont, text: str, box: QRectF) -> bool:
    bounds = QFontMetricsF(font).boundingRect(box, _WRAP, text)
    return bounds.height() <= box.height() + 0.5 and bounds.width() <= box.width() + 0.5


class VerdictPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: VerdictView = ready_view()
        self.setMinimumSize(240, 200)
        self.setAccessibleName("verdict")

    def show_view(self, view: VerdictView) -> None:
        self.view = view
        self.setAccessibleDescription(f"{view.title}. {view.detail}")
        self.update()

    def layout_for(self, view: VerdictView | None = None) -> PanelLayout:
        """Where each part goes at the panel's current size, with fonts that fit."""
        view = view or self.view
        rect = QRectF(self.rect())
        w, h = rect.width(), rect.height()
        inner_w = w * (1 - 2 * MARGIN)
        left = w * MARGIN
        side = min(w * 0.4, h * 0.3)
        symbol = QRectF(rect.center().x() - side / 2, h * 0.04, side, side)

        title_box = QRectF(left, symbol.bottom() + h * 0.02, inner_w, h * 0.15)
        title_px = min(h * 0.12, w * 0.11)
        title_font = _font(self.font(), title_px, bold=True)
        while title_px > MIN_TITLE_PX and not (
            fits_one_line(title_font, view.title, title_box.width())
            and QFontMetricsF(title_font).height() <= title_box.height()
        ):
            title_px *= 0.94
            title_font = _font(self.font(), title_px, bold=True)

        badge_px = min(h * 0.05, w * 0.05)
        badge_font = _font(self.font(), badge_px, bold=True)
        badge_h = QFontMetricsF(badge_font).height() * 1.5 if view.badges else 0.0
        labels = [(badge, badge_text(badge)) for badge in view.badges]

        def widths(font: QFont) -> list[float]:
            metrics = QFontMetricsF(font)
            return [metrics.horizontalAdvance(text) + metrics.height() * 1.2 for _, text in labels]

        gap = w * 0.02
        while (
            labels
            and badge_px > MIN_DETAIL_PX
            and sum(widths(badge_font)) + gap * (len(labels) - 1) > inner_w
        ):
            badge_px *= 0.94
            badge_font = _font(self.font(), badge_px, bold=True)
            badge_h = QFontMetricsF(badge_font).height() * 1.5
        badges: list[tuple[QRectF, Badge, str]] = []
        if labels:
            sizes = widths(badge_font)
            x = rect.center().x() - (sum(sizes) + gap * (len(sizes) - 1)) / 2
            top = title_box.bottom() + h * 0.01
            for (badge, text), width in zip(labels, sizes, strict=True):
                badges.append((QRectF(x, top, width, badge_h), badge, text))
                x += width + gap
        below = (badges[0][0].bottom() if badges else title_box.bottom()) + h * 0.02
        detail_box = QRectF(left, below, inner_w, max(0.0, h * 0.97 - below))
        detail_px = min(h * 0.05, w * 0.045)
        detail_font = _font(self.font(), detail_px)
        while detail_px > MIN_DETAIL_PX and not fits_wrapped(detail_font, view.detail, detail_box):
            detail_px *= 0.94
            detail_font = _font(self.font(), detail_px)
        # Centre the whole block vertically: the detail box shrinks to what its words
        # need, and everything moves down by half of what is left.
        needed = QFontMetricsF(detail_font).boundingRect(detail_box, _WRAP, view.detail).height()
        used_bottom = detail_box.top() + needed
        shift = max(0.0, (h * 0.97 - used_bottom) / 2)
        detail_box = QRectF(detail_box.left(), detail_box.top(), detail_box.width(), needed + 2)

        def down(box: QRectF) -> QRectF:
            return box.translated(0, shift)

        return PanelLayout(
            down(symbol),
            down(title_box),
            title_font,
            tuple((down(box), badge, text) for box, badge, text in badges),
            badge_font,
            down(detail_box),
            detail_font,
        )

    def paintEvent(self, _event: QPaintEvent) -> None:
        parts = self.layout_for()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(self.view.colour))
        self._symbol(painter, parts.symbol)
        painter.setPen(QColor("white"))
        painter.setFont(parts.title_font)
        painter.drawText(parts.title, Qt.AlignmentFlag.AlignCenter, self.view.title)
        painter.setFont(parts.badge_font)
        for box, badge, text in parts.badges:
            painter.setPen(QPen(QColor("white"), max(2.0, box.height() * 0.06)))
            painter.setBrush(QColor(BADGE_COLOURS[badge]))
            painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(parts.detail_font)
        painter.drawText(parts.detail, _WRAP, self.view.detail)
        painter.end()

    def _symbol(self, painter: QPainter, box: QRectF) -> None:
        pen = QPen(QColor("white"), max(6.0, box.width() * 0.08))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        x, y, w, h = box.x(), box.y(), box.width(), box.height()

        def at(fx: float, fy: float) -> QPointF:
            return QPointF(x + fx * w, y + fy * h)

        symbol = self.view.symbol
        if symbol is Symbol.CHECK:
            painter.drawEllipse(box.adjusted(w * 0.05, h * 0.05, -w * 0.05, -h * 0.05))
            painter.drawPolyline(QPolygonF([at(0.28, 0.52), at(0.44, 0.68), at(0.74, 0.34)]))
        elif symbol is Symbol.CROSS:
            octagon = [
                at(0.3, 0.05),
                at(0.7, 0.05),
                at(0.95, 0.3),
                at(0.95, 0.7),
                at(0.7, 0.95),
                at(0.3, 0.95),
                at(0.05, 0.7),
                at(0.05, 0.3),
            ]
            painter.drawPolygon(QPolygonF(octagon))
            painter.drawLine(at(0.33, 0.33), at(0.67, 0.67))
            painter.drawLine(at(0.67, 0.33), at(0.33, 0.67))
        elif symbol is Symbol.WARNING:
            painter.drawPolygon(QPolygonF([at(0.5, 0.06), at(0.95, 0.9), at(0.05, 0.9)]))
            painter.drawLine(at(0.5, 0.36), at(0.5, 0.62))
            painter.drawPoint(at(0.5, 0.76))
        elif symbol is Symbol.EXIT:
            painter.drawRect(QRectF(at(0.1, 0.1), at(0.5, 0.9)))
            painter.drawLine(at(0.4, 0.5), at(0.92, 0.5))
            painter.drawPolyline(QPolygonF([at(0.76, 0.34), at(0.92, 0.5), at(0.76, 0.66)]))
        else:
            for fx, fy, dx, dy in [
                (0.1, 0.1, 1, 1),
                (0.9, 0.1, -1, 1),
                (0.1, 0.9, 1, -1),
                (0.9, 0.9, -1, -1),
            ]:
                painter.drawLine(at(fx, fy), at(fx + dx * 0.22, fy))
                painter.drawLine(at(fx, fy), at(fx, fy + dy * 0.22))
