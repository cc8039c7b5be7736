"""Turn a validated scenario into a running session."""

from __future__ import annotations

import numpy as np

from gdtui.engine.breakpoints import Breakpoint
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem, LinearProblem, LogisticProblem, Problem
from gdtui.engine.session import Session
from gdtui.scenario import CurveSpec, LinearSpec, Scenario


def build_problem(scenario: Scenario) -> Problem:
    """The scenario's cost and gradient."""
    spec = scenario.problem
    if isinstance(spec, CurveSpec):
        return CurveProblem(spec.cost)
    if isinstance(spec, LinearSpec):
        return LinearProblem(spec.X, spec.y)
    return LogisticProblem(spec.X, spec.y)


def start_theta(scenario: Scenario) -> np.ndarray:
    """The scenario's start as one vector: the `w` components, then `b` if there is one."""
    b = [] if scenario.b0 is None else [scenario.b0]
    return np.concatenate((scenario.w0, b)).astype(np.float64)


def build_session(scenario: Scenario) -> Session:
    """A session at step 0 of the scenario's run."""
    return Session(
        build_problem(scenario),
        Optimizer(scenario.optimizer.kind, dict(scenario.optimizer.params)),
        scenario.optimizer.alpha,
        start_theta(scenario),
        max_steps=scenario.max_steps,
        tolerance=scenario.tolerance,
        breakpoints=[Breakpoint(bp.when, bp.enabled) for bp in scenario.breakpoints],
    )
