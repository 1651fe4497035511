"""The live camera preview with every detected code outlined."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

Outline = tuple[tuple[float, float], ...]


class CameraPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.outlines: tuple[Outline, ...] = ()
        self.frames_shown = 0
        self.message = ""
        self.setMinimumSize(320, 180)

    def show_frame(self, image: QImage, outlines: tuple[Outline, ...]) -> None:
        """A frame means the camera works: any camera message goes."""
        self.message = ""
        self.image = image
        self.outlines = outlines
        self.frames_shown += 1
        self.update()

    def show_message(self, message: str) -> None:
        self.message = message
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111"))
        if self.image is not None and not self.image.isNull():
            scale = min(self.width() / self.image.width(), self.height() / self.image.height())
            w, h = self.image.width() * scale, self.image.height() * scale
            x, y = (self.width() - w) / 2, (self.height() - h) / 2
            painter.drawImage(QRectF(x, y, w, h), self.image)
            painter.setPen(QPen(QColor("#3cff6e"), 4))
            for outline in self.outlines:
                painter.drawPolygon(
                    QPolygonF([QPointF(x + px * scale, y + py * scale) for px, py in outline])
                )
        if self.message:
            painter.setPen(QColor("white"))
            font = QFont(self.font())
            font.setPixelSize(max(14, int(min(self.width(), self.height()) * 0.055)))
            painter.setFont(font)
            margin = self.width() * 0.06
            painter.drawText(
                QRectF(self.rect()).adjusted(margin, margin, -margin, -margin),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
        painter.end()
