"""How long the texts a person types may be: what the sync protocol carries.

One place for the kiosk, the server and the wire alike, so that a gate name or an
override reason accepted where it is typed can always be sent (a longer one used
to make every later scan unsendable)."""

from __future__ import annotations

MAX_GATE_NAME = 100
MAX_OVERRIDE_REASON = 200
