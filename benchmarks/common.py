"""Helpers shared by the benchmarks: a result type and robust timing."""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass


@dataclass
class Result:
    """One measured figure and the target it is held to.

    Attributes:
        name: What was measured.
        value: The figure.
        unit: Its unit (`x` for a ratio).
        target: The target, as text (e.g. `<= 1.15`).
        ok: Whether the figure meets the target.
        detail: The raw measurements behind a ratio.
    """

    name: str
    value: float
    unit: str
    target: str
    ok: bool
    detail: str = ""


def interleaved(
    subject: Callable[[], object], reference: Callable[[], object], rounds: int = 15
) -> tuple[float, float]:
    """Median seconds of `subject` and of `reference`, timed in alternation so both see the
    same machine load."""
    subject_times, reference_times = [], []
    subject(), reference()  # warm up caches and lazy imports
    for _ in range(rounds):
        for fn, times in ((subject, subject_times), (reference, reference_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(subject_times), statistics.median(reference_times)


@contextlib.contextmanager
def compiled_once() -> Iterator[Mapping[str, str]]:
    """An environment for timed child processes in which every module is compiled once.

    With `PYTHONDONTWRITEBYTECODE` set, an editable install recompiles its own sources at
    every start while its dependencies load the bytecode pip compiled: a start-up race
    between gdtui and a bare library would time gdtui's compiler. Here bytecode goes to a
    cache of the run's own (`PYTHONPYCACHEPREFIX`), written by a warm-up start and read by
    every timed one, on both sides, as in an installed copy; the source tree is not touched.
    """
    with tempfile.TemporaryDirectory(prefix="gdtui-bench-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        yield {**env, "PYTHONPYCACHEPREFIX": cache}
