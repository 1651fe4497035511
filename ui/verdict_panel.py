"""The verdict, readable from two metres: colour, a symbol, huge words, one detail line."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from ui.presentation import Symbol, VerdictView, ready_view


class VerdictPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: VerdictView = ready_view()
        self.setMinimumSize(480, 360)
        self.setAccessibleName("verdict")

    def show_view(self, view: VerdictView) -> None:
        self.view = view
        self.setAccessibleDescription(f"{view.title}. {view.detail}")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        painter.fillRect(rect, QColor(self.view.colour))
        side = min(rect.width() * 0.5, rect.height() * 0.45)
        symbol_box = QRectF(rect.center().x() - side / 2, rect.height() * 0.06, side, side)
        self._symbol(painter, symbol_box)
        painter.setPen(QColor("white"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPixelSize(max(24, int(rect.height() * 0.12)))
        painter.setFont(title_font)
        title_box = QRectF(
            0, symbol_box.bottom() + rect.height() * 0.03, rect.width(), rect.height() * 0.18
        )
        painter.drawText(title_box, Qt.AlignmentFlag.AlignCenter, self.view.title)
        detail_font = QFont(self.font())
        detail_font.setPixelSize(max(14, int(rect.height() * 0.05)))
        painter.setFont(detail_font)
        detail_box = QRectF(
            rect.width() * 0.04,
            title_box.bottom(),
            rect.width() * 0.92,
            rect.bottom() - title_box.bottom(),
        )
        painter.drawText(
            detail_box, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, self.view.detail
        )
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
