#!/bin/sh
# Run the frozen program the way a gate PC would, with nothing of the build
# machine's Python in reach: the offline demo, then the whole kiosk demo (its own
# server process, enrolment, the video through the decoders, offscreen).
# Fails loudly if any verdict differs from the wheel's.
set -eu
program="${1:-dist/admitone/admitone}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { env -i PATH=/usr/bin:/bin HOME="$work" ADMITONE_DATA_DIR="$work" "$program" "$@"; }

run demo > "$work/offline.txt"
grep -q "journal: admitted 5, exited 1, invalid 1" "$work/offline.txt" || {
    cat "$work/offline.txt"; echo "frozen offline demo: unexpected verdicts" >&2; exit 1; }

run kiosk demo --workdir "$work/demo" --port 18645 > "$work/kiosk.txt" 2>&1 || {
    tail -40 "$work/kiosk.txt"; echo "frozen kiosk demo failed" >&2; exit 1; }
verdicts="$(grep '^  ' "$work/kiosk.txt" | awk '{print $1}' | tr '\n' ' ')"
expected="ADMITTED ADMITTED REVOKED INVALID ADMITTED NEEDS_EXIT_FIRST "
if [ "$verdicts" != "$expected" ]; then
    tail -40 "$work/kiosk.txt"
    echo "frozen kiosk demo gave: $verdicts; expected: $expected" >&2
    exit 1
fi
echo "frozen program OK: offline demo and kiosk demo give the expected verdicts"
