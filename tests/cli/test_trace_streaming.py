"""`gdtui trace` prints as the run goes: one gradient evaluation a step, a snapshot only for
the steps it prints, and the same text as writing the recorded run afterwards."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gdtui import cli
from gdtui.build import build_session
from gdtui.engine.problems import CurveProblem, LinearProblem, LogisticProblem
from gdtui.engine.snapshot import Snapshot
from gdtui.scenario import load_scenario
from gdtui.trace import FORMATS, run_trace, write_trace

#: 20 features: a history row then holds more than 64 floats, so the history keeps a full row
#: only every other step (a trace that rebuilt its steps would replay the ones between).
WIDE = """
name = "Twenty features"
description = "Blobs in 20 dimensions."
[problem]
kind = "logistic"
generate = {{ kind = "blobs", samples = 60, features = 20, seed = 3 }}
[optimizer]
kind = "{optimizer}"
alpha = 0.05
[stop]
max_steps = 100000
tolerance = {tolerance}
[[breakpoints]]
when = "cost < 0.3"
"""


def wide_scenario(tmp_path: Path, optimizer: str = "gd", tolerance: float = 0.0) -> str:
    path = tmp_path / f"wide-{optimizer}.toml"
    path.write_text(WIDE.format(optimizer=optimizer, tolerance=tolerance), "utf-8")
    return str(path)


class Counts:
    """Gradient evaluations and snapshots built while the trace runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.evaluations = 0
        self.costs = 0
        self.snapshots: list[int] = []
        for problem in (LogisticProblem, LinearProblem, CurveProblem):
            monkeypatch.setattr(problem, "cost_and_gradient", self._counted(problem))
            monkeypatch.setattr(problem, "cost", self._counted_cost(problem))
        post_init = Snapshot.__post_init__

        def counted_post_init(snapshot: Snapshot) -> None:
            self.snapshots.append(snapshot.step)
            post_init(snapshot)

        monkeypatch.setattr(Snapshot, "__post_init__", counted_post_init)

    def _counted(self, problem: type) -> Callable[..., Any]:
        original = problem.cost_and_gradient

        def cost_and_gradient(instance: Any, theta: Any) -> Any:
            self.evaluations += 1
            return original(instance, theta)

        return cost_and_gradient

    def _counted_cost(self, problem: type) -> Callable[..., Any]:
        original = problem.cost

        def cost(instance: Any, theta: Any) -> Any:
            self.costs += 1
            return original(instance, theta)

        return cost


def trace(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["trace", *argv], out, err) == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("every", [1, 3, 10, 1000])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_one_gradient_evaluation_per_step_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, every: int, optimizer: str
) -> None:
    scenario = wide_scenario(tmp_path, optimizer)
    counts = Counts(monkeypatch)
    trace(scenario, "--steps", "50", "--every", str(every), "--format", fmt)
    # 50 steps with no stop on the way: the start's evaluation, then one per step.
    assert counts.evaluations == 50 + 1
    assert counts.costs == 0


@pytest.mark.parametrize("every", [1, 7, 1000])
@pytest.mark.parametrize("until", ["converged", "breakpoint"])
def test_one_gradient_evaluation_per_step_when_the_run_stops_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every: int, until: str
) -> None:
    scenario = wide_scenario(tmp_path, tolerance=5e-2)
    counts = Counts(monkeypatch)
    out = trace(scenario, "--until", until, "--every", str(every), "--format", "jsonl")
    summary = out.splitlines()[-1]
    steps = int(summary.split('"steps": ')[1].split(",")[0])
    assert steps > 10
    assert counts.evaluations == steps + 1


@pytest.mark.parametrize("every", [1, 4, 10, 1000])
def test_no_snapshot_for_a_step_not_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every: int
) -> None:
    scenario = wide_scenario(tmp_path)
    counts = Counts(monkeypatch)
    out = trace(scenario, "--steps", "50", "--every", str(every), "--format", "csv")
    printed = {int(line.split(",")[0]) for line in out.splitlines()[1:]}
    assert printed == {*range(0, 51, every), 50}
    assert set(counts.snapshots) == printed


#: A curve run that goes on to max_steps = 12000.
LONG = ["--set", "stop.max_steps=12000", "--set", "stop.tolerance=0"]

#: (scenario, trace flags): short and long runs, every shape of w, each way a run ends.
CASES = [
    ("bowl-from-left", []),
    ("alpha-divergent", ["--every", "3"]),
    ("alpha-overshoot", ["--until", "breakpoint"]),
    ("ravine", ["--set", "optimizer.kind=adam", "--every", "7"]),
    ("logistic-two-features", ["--every", "25"]),
    ("house-prices", ["--every", "5"]),
    ("house-prices-diverge", []),
    ("separable", ["--until", "breakpoint", "--every", "50"]),
    # Table rows past the sample: the last step's width is known only at the end (4 digits
    # then 5), so they wait; the curve at a tiny alpha never converges.
    ("alpha-too-small", [*LONG, "--every", "40"]),
    ("alpha-too-small", [*LONG, "--every", "40", "--steps", "9999"]),
    ("alpha-too-small", [*LONG, "--every", "40", "--steps", "10000"]),
    ("alpha-too-small", ["--set", "stop.max_steps=12000", "--set", "stop.tolerance=1e-3"]),
]


def _run_then_write(name: str, flags: list[str], fmt: str) -> tuple[str, str]:
    """The trace written from the recorded run, after it: the way it used to be made."""
    args = cli.build_parser().parse_args(["trace", name, "--format", fmt, *flags])
    scenario = load_scenario(args.scenario, args.overrides)
    session = build_session(scenario)
    stop_on = cli.UNTIL[args.until] if args.until else frozenset({"converged"})
    result = session.run(args.steps, stop_on=stop_on)
    out, err = io.StringIO(), io.StringIO()
    write_trace(session, out, fmt, result, every=args.every, summary_out=err,
                captions=dict(scenario.captions))  # fmt: skip
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "flags"), CASES)
def test_streamed_trace_is_the_recorded_runs_text(name: str, flags: list[str], fmt: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["trace", name, "--format", fmt, *flags], out, err) == 0
    assert (out.getvalue(), err.getvalue()) == _run_then_write(name, flags, fmt)


def test_table_rows_that_wait_keep_a_breakpoint_written_over_two_lines(tmp_path: Path) -> None:
    # A condition may hold a newline; the rows held back must come out unchanged. This one
    # becomes true at every 40th step (cos(2*pi*step/40) = 1), so printed rows carry it.
    path = tmp_path / "newline.toml"
    path.write_text(
        'name = "n"\ndescription = "d"\n[problem]\nkind = "curve"\ncost = "(w - 3)**2"\n'
        "[optimizer]\nalpha = 0.0001\n[stop]\nmax_steps = 12000\ntolerance = 0\n"
        '[[breakpoints]]\nwhen = """cos(step * 0.15707963267948966) >\n 0.99999"""\n',
        "utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["trace", str(path), "--every", "40"], out, err) == 0, err.getvalue()
    assert (out.getvalue(), err.getvalue()) == _run_then_write(str(path), ["--every", "40"],
                                                               "table")  # fmt: skip
    assert out.getvalue().count(">\n 0.99999") > 200


def test_run_trace_refuses_a_session_behind_its_last_step() -> None:
    session = build_session(load_scenario("bowl-from-left"))
    session.run(5, stop_on=frozenset())
    session.back()
    with pytest.raises(ValueError, match="last recorded step"):
        run_trace(session, io.StringIO(), "jsonl", 3, frozenset())
