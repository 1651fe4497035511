"""The PySide6 kiosk: widgets and the Qt bridge over ``scanner`` and ``sync.client``."""

__all__: list[str] = []
