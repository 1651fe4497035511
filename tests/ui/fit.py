"""What "fits the screen" means, checked on live widgets: shared by the offscreen size
tests and the real-window (Xvfb) tests."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QStyle, QWidget

from ui.verdict_panel import VerdictPanel, fits_one_line, fits_wrapped


def _visible_children(top: QWidget) -> list[QWidget]:
    return [w for w in top.findChildren(QWidget) if w.isVisibleTo(top) and w.width() > 0]


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text:
        return None
    metrics = QFontMetrics(label.font())
    area = label.contentsRect()
    if label.wordWrap():
        needed = metrics.boundingRect(area, int(Qt.TextFlag.TextWordWrap), text)
        if needed.height() > area.height() + 1 or needed.width() > area.width() + 1:
            return f"label {label.objectName() or text[:30]!r} wraps beyond its box"
        return None
    widest = max(metrics.horizontalAdvance(line) for line in text.splitlines())
    if widest > area.width() + 1:
        return f"label {text[:40]!r} is cut: needs {widest} px, has {area.width()}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = button.text().replace("&", "")
    if not text:
        return None
    needed = QFontMetrics(button.font()).horizontalAdvance(text)
    if needed > button.contentsRect().width():
        return f"button {text!r} is cut: needs {needed} px, has {button.contentsRect().width()}"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    """Every choice readable in the closed box, beside the drop-down arrow."""
    arrow = combo.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 16
    metrics = QFontMetrics(combo.font())
    for index in range(combo.count()):
        text = combo.itemText(index)
        if metrics.horizontalAdvance(text) + arrow > combo.width():
            return f"choice {text!r} is cut in its box ({combo.width()} px)"
    return None


def fit_problems(top: QWidget, screen: QRect | None = None) -> list[str]:
    """Every visible widget of ``top`` inside ``screen`` (or ``top``), every label's and
    button's text within its widget, and the verdict panel's words within the panel."""
    problems: list[str] = []
    bounds = screen or QRect(top.mapToGlobal(top.rect().topLeft()), top.size())
    outer = QRect(top.mapToGlobal(top.rect().topLeft()), top.size())
    if not bounds.contains(outer):
        problems.append(f"{type(top).__name__} {outer} is not inside the screen {bounds}")
    for widget in _visible_children(top):
        place = QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())
        if not outer.contains(place):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} lies outside")
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QAbstractButton):
            problem = _button_problem(widget)
        elif isinstance(widget, QComboBox):
            problem = _combo_problem(widget)
        elif isinstance(widget, VerdictPanel):
            problem = verdict_problem(widget)
        else:
            problem = None
        if problem:
            problems.append(problem)
    return problems


def verdict_problem(panel: VerdictPanel) -> str | None:
    parts = panel.layout_for()
    inside = panel.rect()
    for name, box in (("title", parts.title), ("detail", parts.detail), ("symbol", parts.symbol)):
        if not inside.contains(box.toAlignedRect().adjusted(1, 1, -1, -1)):
            return f"verdict {name} box leaves the panel"
    for box, _badge, _text in parts.badges:
        if not inside.contains(box.toAlignedRect().adjusted(1, 1, -1, -1)):
            return f"badge {_text!r} leaves the panel"
    if not fits_one_line(parts.title_font, panel.view.title, parts.title.width()):
        return f"title {panel.view.title!r} is wider than the panel"
    if not fits_wrapped(parts.detail_font, panel.view.detail, parts.detail):
        return f"detail {panel.view.detail[:40]!r} does not fit"
    return None
