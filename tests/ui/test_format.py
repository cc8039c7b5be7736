"""The debugger's sentences and numbers, checked without a terminal."""

from __future__ import annotations

import math

import pytest

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.snapshot import LEFT, RIGHT, STAY
from gdtui.ui.format import (
    Parameter,
    align,
    alpha_text,
    cost_change,
    log_header,
    log_row,
    move_cell,
    number,
    parameters,
    progress,
    run_state,
    update_rule,
    verdict,
)

from .helpers import scenario


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (0.5, False, "0.500"),
        (2.4, True, "+2.400"),
        (-2.4, True, "-2.400"),
        (0.0, True, "0.000"),
        (-0.0001, False, "-1.000e-04"),
        (-1e-12, False, "-1.000e-12"),
        (123456.0, False, "1.235e+05"),
        (-0.0004, True, "-4.000e-04"),
        (8.183e149, False, "8.18e+149"),
        (-1.637e150, True, "-1.64e+150"),
        (math.inf, True, "+inf"),
        (-math.inf, False, "-inf"),
        (math.nan, False, "nan"),
    ],
)
def test_number(value: float, signed: bool, text: str) -> None:
    assert number(value, signed=signed) == text


def test_number_never_shows_negative_zero() -> None:
    assert number(-0.0) == "0.000"


@pytest.mark.parametrize(
    ("alpha", "text"),
    [(0.1, "0.10"), (0.05, "0.05"), (1.5, "1.50"), (0.001, "0.001"), (0.003, "0.003"),
     (1e-9, "1e-09"), (0.123456, "0.123456")],
)  # fmt: skip
def test_alpha_text(alpha: float, text: str) -> None:
    assert alpha_text(alpha) == text


def w_parameter(value: float, slope: float, next_value: float, move: str) -> Parameter:
    downhill = LEFT if slope > 0 else RIGHT if slope < 0 else STAY
    return Parameter("w", "dw", value, slope, next_value, move, downhill)


def test_update_rule_is_the_lessons_example() -> None:
    p = w_parameter(0.5, 2.4, 0.26, LEFT)
    assert update_rule(p, 0.1) == "w := w - alpha*dw = 0.500 - 0.10*(+2.400) = 0.260"


def test_update_rule_for_b() -> None:
    p = Parameter("b", "db", -0.068, 0.127, -0.106, LEFT, LEFT)
    assert update_rule(p, 0.3) == "b := b - alpha*db = -0.068 - 0.30*(+0.127) = -0.106"


@pytest.mark.parametrize(
    ("slope", "move", "sentence"),
    [
        (2.4, LEFT,
         "dw > 0: the slope goes up, so w decreases and moves ← LEFT, toward lower cost"),
        (-2.4, RIGHT,
         "dw < 0: the slope goes down, so w increases and moves RIGHT →, toward lower cost"),
        (0.0, STAY, "dw = 0: the slope is flat, so w stays where it is"),
        (1e-300, STAY, "dw > 0: the slope goes up, but the step is too small to change w any more"),
    ],
)  # fmt: skip
def test_verdict_for_gradient_descent(slope: float, move: str, sentence: str) -> None:
    assert verdict(w_parameter(1.0, slope, 1.0, move)) == sentence


def test_short_verdict_drops_its_last_clause() -> None:
    p = w_parameter(1.0, 2.4, 0.76, LEFT)
    assert verdict(p, short=True) == "dw > 0: the slope goes up, so w decreases and moves ← LEFT"


def test_verdict_says_when_momentum_goes_against_the_slope() -> None:
    p = w_parameter(3.5, 1.0, 3.6, RIGHT)
    assert verdict(p, "momentum") == (
        "dw > 0: the slope goes up, yet w moves RIGHT →, AGAINST the slope: "
        "the velocity built up on earlier steps carries it on"
    )


def test_verdict_for_adam_moving_downhill() -> None:
    p = w_parameter(1.0, -2.0, 1.1, RIGHT)
    assert verdict(p, "adam") == (
        "dw < 0: the slope goes down, and w moves RIGHT →, downhill, toward lower cost"
    )


def test_momentum_rule_shows_the_step_it_really_takes() -> None:
    session = build_session(scenario("momentum"))
    session.step(3)
    snapshot = session.current
    (p,) = parameters(snapshot)
    along = (p.value - p.next_value) / snapshot.alpha
    assert update_rule(p, snapshot.alpha, "momentum") == (
        f"w := w - alpha*v_dw = {number(p.value)} - 0.10*({number(along, signed=True)}) = "
        f"{number(p.next_value)}"
    )


def test_one_feature_logistic_w_is_written_w() -> None:
    snapshot = build_session(scenario("logistic")).current
    assert [p.name for p in parameters(snapshot)] == ["w", "b"]


def test_vector_w_is_written_by_component() -> None:
    snapshot = build_session(scenario("two_features")).current
    assert [(p.name, p.slope_name) for p in parameters(snapshot, 1)] == [
        ("w[1]", "dw[1]"),
        ("b", "db"),
    ]


@pytest.mark.parametrize(
    ("change", "words"),
    [(None, "step 0"), (-0.5, "▼ J went down"), (0.5, "▲ J went UP"), (0.0, "= J did not")],
)
def test_cost_change_in_words(change: float | None, words: str) -> None:
    assert cost_change(change).startswith(words)


def test_move_cell_has_arrows_for_w_and_b() -> None:
    assert move_cell({"w": LEFT, "b": RIGHT}) == "w← b→"
    assert move_cell({"w": [STAY, RIGHT]}, component=1) == "w→"


def test_log_row_lines_up_with_its_header() -> None:
    session = build_session(scenario("logistic"))
    header = align(log_header(True), True)
    row = align(log_row(session.current), True)
    assert header.split() == ["step", "w", "b", "dw", "db", "cost", "alpha", "move"]
    assert row.split()[:2] == ["0", "0.000"]
    assert len(row) == len(header)


def test_log_leaves_out_b_for_a_cost_of_w_alone() -> None:
    assert log_header(False) == ["step", "w", "dw", "cost", "alpha", "move"]


def test_run_state_names_the_breakpoint_and_why() -> None:
    snapshot = build_session(scenario("curve")).current
    tone, text = run_state(
        snapshot, diverged=False, tolerance=1e-6, max_steps=10,
        hits=[("slope_sign_flip", "dw changed sign: the step overshot the minimum")],
    )  # fmt: skip
    assert tone == "breakpoint"
    assert text == (
        "● stopped at breakpoint slope_sign_flip: dw changed sign: the step overshot the minimum"
    )


@pytest.mark.parametrize(
    ("diverged", "max_steps", "tone", "start"),
    [(True, 10, "diverged", "✗ diverged at step 0"), (False, 0, "max_steps", "■ reached max"),
     (False, 10, "paused", "paused")],
)  # fmt: skip
def test_run_state(diverged: bool, max_steps: int, tone: str, start: str) -> None:
    snapshot = build_session(scenario("curve")).current
    result = run_state(snapshot, diverged=diverged, tolerance=1e-6, max_steps=max_steps)
    assert result[0] == tone
    assert result[1].startswith(start)


def test_run_state_converged() -> None:
    session = build_session(scenario("curve"))
    session.run()
    tone, text = run_state(session.current, diverged=False, tolerance=1e-6, max_steps=1000)
    assert (tone, text) == ("converged", "✓ converged at step 70: the slope is (almost) zero")


def test_progress_groups_thousands() -> None:
    assert progress(12000, 1000000).startswith("continuing… step 12,000 of at most 1,000,000")


def test_adam_note_names_its_averages() -> None:
    from gdtui.ui.format import step_symbol_note

    assert step_symbol_note("adam", "dw", Optimizer("adam").params).startswith("v_dw, s_dw")
    assert step_symbol_note("gd", "dw", {}) == ""
