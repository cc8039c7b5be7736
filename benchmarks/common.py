"""Helpers shared by the benchmarks: a result type and robust timing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
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
