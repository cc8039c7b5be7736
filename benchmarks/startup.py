"""Start-up benchmarks: `gdtui check` against `python -c "import numpy"`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.common import Result, compiled_once, interleaved

PRESET = Path(__file__).resolve().parent.parent / "scenarios" / "bowl-from-left.toml"


def check_startup_ratio() -> Result:
    """`gdtui check PRESET` wall time over a bare `import numpy`."""
    check = [sys.executable, "-m", "gdtui", "check", str(PRESET)]
    numpy = [sys.executable, "-c", "import numpy"]

    with compiled_once() as env:

        def run(command: list[str]) -> None:
            subprocess.run(command, check=True, capture_output=True, env=env)

        check_time, numpy_time = interleaved(lambda: run(check), lambda: run(numpy), rounds=11)
    ratio = check_time / numpy_time
    return Result(
        "gdtui check startup / python -c 'import numpy'", ratio, "x", "<= 1.5", ratio <= 1.5,
        f"check {check_time * 1e3:.0f} ms, numpy {numpy_time * 1e3:.0f} ms",
    )  # fmt: skip


BENCHMARKS = [check_startup_ratio]
