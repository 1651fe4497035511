"""A kiosk scanning codes, as its own process: ``python -m tests.browser.kiosk_scan STORE
CODE...`` opens the kiosk's store (enrolled by ``admitone kiosk enrol``), judges each
code at the gate in entry mode and prints one verdict per line.  ``admitone kiosk
sync`` then pushes the journal, as the running kiosk's scheduler would."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from scanner import Gate, Mode, Store, preset
from scanner.store import META_GATE


def main(store_path: str, codes: list[str]) -> int:
    with Store.open(Path(store_path)) as store:
        gate = Gate(store, preset(Mode.ENTRY), gate_name=store.get_meta(META_GATE) or "Gate")
        for code in codes:
            sys.stdout.write(f"{gate.scan(code, datetime.now(UTC)).kind}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
