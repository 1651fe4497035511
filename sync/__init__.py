"""Both ends of AdmitOne's sync protocol (wire models, kiosk client, server)."""

__all__: list[str] = []
