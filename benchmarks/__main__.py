"""Run every benchmark: `python -m benchmarks [NAME ...]`; prints a table, then JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict

from benchmarks import engine, latejoin, serve, startup, trace, ui
from benchmarks.common import Result

ALL: list[Callable[[], Result | list[Result]]] = [
    *engine.BENCHMARKS,
    *startup.BENCHMARKS,
    *trace.BENCHMARKS,
    *ui.BENCHMARKS,
    *serve.BENCHMARKS,
    *latejoin.BENCHMARKS,
]


def main(names: list[str]) -> int:
    """Run the benchmarks whose function names contain one of `names` (all by default)."""
    chosen = [b for b in ALL if not names or any(n in b.__name__ for n in names)]
    results: list[Result] = []
    for benchmark in chosen:
        print(f"running {benchmark.__name__} ...", file=sys.stderr, flush=True)
        result = benchmark()
        # A benchmark that measures several cases in one run returns a result for each.
        results.extend(result if isinstance(result, list) else [result])
    width = max(len(r.name) for r in results)
    for r in results:
        mark = "ok  " if r.ok else "MISS"
        print(f"{mark} {r.name.ljust(width)}  {r.value:12.4g} {r.unit:8} target {r.target}"
              f"   {r.detail}")  # fmt: skip
    print(json.dumps([asdict(r) for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
