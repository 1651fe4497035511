"""Run every ``bench_*.py`` here (or those named) and print their tables."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(names: list[str]) -> int:
    here = Path(__file__).parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    chosen = [
        m
        for m in modules
        if (m in names or m.removeprefix("bench_") in names)
        or (
            not names
            and getattr(importlib.import_module(f"tests.bench.{m}"), "RUN_BY_DEFAULT", True)
        )
    ]
    if not chosen:
        print(f"no benchmark matches {names}; have {modules}", file=sys.stderr)
        return 2
    for name in chosen:
        started = time.perf_counter()
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"tests.bench.{name}")
        module.main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
