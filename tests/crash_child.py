"""Child process for the crash-safety test: scan codes in a loop until killed.

Prints ``ADMIT <scan id>`` after ``Gate.scan`` returns an admit, i.e. at the
moment a kiosk would turn the screen green.  The parent kills this process with
SIGKILL at random moments and checks every reported admit is in the journal.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from scanner import Gate, Mode, Store, preset


def main() -> None:
    db_path, codes_path = Path(sys.argv[1]), Path(sys.argv[2])
    codes = codes_path.read_text().split("\n")
    store = Store.open(db_path)
    gate = Gate(store, preset(Mode.ENTRY), gate_name="Crash Gate")
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    while True:
        for code in codes:
            verdict = gate.scan(code, datetime.now(UTC))
            if verdict.admits:
                sys.stdout.write(f"ADMIT {verdict.scan_id}\n")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
