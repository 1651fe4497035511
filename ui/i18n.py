"""Loading the interface language (English built in; others from resources/translations)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}


def install_language(app: QCoreApplication, language: str) -> QTranslator | None:
    """Install ``language``'s translator on ``app``; keep the returned object alive."""
    if language == "en":
        return None
    translator = QTranslator(app)
    if not translator.load(str(TRANSLATIONS / f"admitone_{language}.qm")):
        log.warning("no translation for %r; the kiosk stays in English", language)
        return None
    app.installTranslator(translator)
    return translator
