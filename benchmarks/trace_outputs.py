"""Capture `gdtui trace` outputs and compare them later, to prove a change left them alone.

    python -m benchmarks.trace_outputs capture DIR [--source TREE]
    python -m benchmarks.trace_outputs compare DIR [--source TREE]

`capture` runs every preset in every format under many `--every`/`--steps`/`--until`
combinations (and a few optimizers and long runs) and stores stdout, stderr and the exit
status of each; `compare` runs them again and reports every case whose bytes differ.
`--source` imports gdtui from another checkout (for example an export of the commit before
a change), so both sides are captured by the same script.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

FORMATS = ("table", "csv", "jsonl")

#: Flag combinations run for every preset and format.
OPTIONS: list[list[str]] = [
    [],
    ["--every", "7"],
    ["--every", "100"],
    ["--every", "1000"],
    ["--steps", "1"],
    ["--steps", "2", "--every", "2"],
    ["--steps", "13", "--every", "5"],
    ["--steps", "250"],
    ["--steps", "250", "--every", "3"],
    ["--steps", "201"],
    ["--until", "converged"],
    ["--until", "breakpoint"],
    ["--until", "diverged"],
    ["--until", "converged", "--every", "10"],
    ["--until", "breakpoint", "--steps", "40", "--every", "4"],
    ["--until", "diverged", "--every", "9"],
    ["--set", "optimizer.kind=adam", "--every", "3"],
    ["--set", "optimizer.kind=momentum", "--steps", "300"],
    ["--set", "optimizer.kind=nesterov", "--every", "11"],
    ["--set", "optimizer.kind=rmsprop", "--until", "breakpoint"],
    ["--set", "optimizer.kind=adagrad", "--steps", "50", "--every", "50"],
    # Long runs: the table's step column is as wide as the last step number, which only
    # the end of the run tells (4, then 5 digits).
    ["--set", "stop.max_steps=9999", "--set", "stop.tolerance=0"],
    ["--set", "stop.max_steps=10000", "--set", "stop.tolerance=0"],
    ["--set", "stop.max_steps=12000", "--set", "stop.tolerance=0", "--every", "37"],
    ["--set", "stop.max_steps=12000", "--until", "converged"],
    ["--set", "stop.max_steps=12000", "--set", "stop.tolerance=1e-4"],
    ["--steps", "10000", "--set", "stop.max_steps=10001", "--set", "stop.tolerance=0"],
    [
        "--steps",
        "10000",
        "--set",
        "stop.max_steps=100000",
        "--set",
        "stop.tolerance=0",
        "--every",
        "49",
    ],  # fmt: skip
]


def cases() -> list[list[str]]:
    """Every `gdtui trace` argument list compared."""
    from gdtui.scenario import list_presets

    return [
        [name, "--format", fmt, *options]
        for name, _ in list_presets()
        for fmt in FORMATS
        for options in OPTIONS
    ]


def run_case(argv: list[str]) -> bytes:
    """stdout, stderr and the exit status of one `gdtui trace`, as bytes."""
    from gdtui import cli

    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["trace", *argv], out, err)
    return f"{code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}".encode()


def key(argv: list[str]) -> str:
    """A file name for one case."""
    return hashlib.sha256(json.dumps(argv).encode()).hexdigest()[:16]


def main(argv: list[str]) -> int:
    """Capture or compare; exit 1 when a case differs."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.trace_outputs")
    parser.add_argument("action", choices=("capture", "compare"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--source", type=Path, help="import gdtui from this checkout")
    args = parser.parse_args(argv)
    if args.source is not None:
        sys.path.insert(0, str(args.source.resolve()))
    import gdtui

    print(f"gdtui from {Path(gdtui.__file__).parent}", file=sys.stderr)
    args.directory.mkdir(parents=True, exist_ok=True)
    differ = 0
    all_cases = cases()
    for i, case in enumerate(all_cases):
        path = args.directory / f"{key(case)}.gz"
        output = run_case(case)
        if args.action == "capture":
            path.write_bytes(gzip.compress(output, mtime=0))
        elif gzip.decompress(path.read_bytes()) != output:
            differ += 1
            print(f"DIFFERS: gdtui trace {' '.join(case)}", flush=True)
        if i % 50 == 0:
            print(f"{i}/{len(all_cases)}", file=sys.stderr, flush=True)
    print(f"{len(all_cases)} cases, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
