"""The debugger's sentences and numbers, checked without a terminal."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.snapshot import LEFT, RIGHT, STAY
from gdtui.scenario import load_scenario
from gdtui.ui.format import (
    LogRow,
    Parameter,
    align,
    alpha_text,
    compact_pair,
    cost_change,
    divergence_note,
    log_digits,
    log_header,
    log_row,
    more_digits,
    move_cell,
    number,
    outcome,
    pair,
    parameters,
    progress,
    run_state,
    shown_cause,
    update_rule,
    verdict,
)

from .helpers import scenario, within_last_digit


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (0.5, False, "0.500"),
        (2.4, True, "+2.400"),
        (-2.4, True, "-2.400"),
        (0.0, True, "0.000"),
        (-0.0001, False, "-1.000e-04"),
        (-0.00122, True, "-1.220e-03"),
        (0.005, False, "5.000e-03"),
        (0.01, False, "0.010"),
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
         "dw > 0: the slope goes up, so w decreases and moves ← LEFT, downhill"),
        (-2.4, RIGHT,
         "dw < 0: the slope goes down, so w increases and moves RIGHT →, downhill"),
        (0.0, STAY, "dw = 0: the slope is flat, so w stays where it is"),
        (1e-300, STAY, "dw > 0: the slope goes up, but the step is too small to change w any more"),
    ],
)  # fmt: skip
def test_verdict_for_gradient_descent(slope: float, move: str, sentence: str) -> None:
    assert verdict(w_parameter(1.0, slope, 1.0, move)) == sentence


def test_short_verdict_drops_its_reason() -> None:
    p = w_parameter(1.0, 2.4, 0.76, LEFT)
    assert verdict(p, short=True) == "dw > 0: w decreases and moves ← LEFT, downhill"


def test_verdict_says_when_momentum_goes_against_the_slope() -> None:
    p = w_parameter(3.5, 1.0, 3.6, RIGHT)
    assert verdict(p, "momentum") == (
        "dw > 0: the slope goes up, yet w moves RIGHT →, AGAINST the slope: "
        "the velocity built up on earlier steps carries it on"
    )
    assert verdict(p, "momentum", short=True) == "dw > 0, yet w moves RIGHT →, AGAINST the slope"


def test_verdict_for_adam_moving_downhill() -> None:
    p = w_parameter(1.0, -2.0, 1.1, RIGHT)
    assert verdict(p, "adam") == ("dw < 0: the slope goes down, and w moves RIGHT →, downhill")


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


def test_an_unknown_change_says_why_it_is_unknown() -> None:
    # Not "step 0: the start" at step 815,939 of a continue, nor where a late student joined.
    assert cost_change(None, "gd", 815_939, running=True) == "J's change shows when it pauses"
    assert cost_change(None, "gd", 2_367) == "step 2,367: no step before it here"
    assert cost_change(-0.5, "gd", 2_367, running=True).startswith("▼ J went down")


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


# -- digits enough to show a change ----------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@given(finite_floats, finite_floats, st.booleans())
def test_pair_shows_a_change_whenever_there_is_one(old: float, new: float, signed: bool) -> None:
    old_text, new_text = pair(old, new, signed)
    if old != new:
        assert old_text != new_text
    else:
        assert old_text == new_text


@given(finite_floats, finite_floats)
def test_pair_reads_back_within_its_last_digit(old: float, new: float) -> None:
    for value, text in zip((old, new), pair(old, new), strict=True):
        assert "." in text.partition("e")[0]
        assert within_last_digit(text, value)


@given(finite_floats, finite_floats)
def test_a_compact_pair_shows_a_change_and_reads_back_within_its_last_digit(
    old: float, new: float
) -> None:
    texts = compact_pair(old, new)
    assert (texts[0] != texts[1]) == (old != new)
    for value, text in zip((old, new), texts, strict=True):
        mantissa = text.partition("e")[0]
        assert len(mantissa.lstrip("-").replace(".", "").lstrip("0")) <= 17
        assert within_last_digit(text, value)


@pytest.mark.parametrize(
    ("old", "new", "texts"),
    [
        (0.75, 0.8406, ("0.75", "0.8406")),  # four significant digits are enough
        (1.13090101, 1.13090106, ("1.130901", "1.1309011")),
        (-1.0, -1.0, ("-1", "-1")),
    ],
)
def test_a_compact_pair_adds_the_digits_it_takes(
    old: float, new: float, texts: tuple[str, str]
) -> None:
    assert compact_pair(old, new) == texts


@given(finite_floats, finite_floats, st.booleans())
def test_pair_widths_are_bounded(old: float, new: float, signed: bool) -> None:
    # 17 significant digits, a sign, a point and an exponent (or a fixed value below 1e5).
    assert all(len(text) <= 25 for text in pair(old, new, signed))


@pytest.mark.parametrize(
    ("old", "new", "texts"),
    [
        (0.5, 0.26, ("0.500", "0.260")),  # enough already: nothing added
        (1.42462, 1.42499, ("1.4246", "1.4250")),
        (1.425, 1.4250000000000002, ("1.4250000000000000", "1.4250000000000003")),
        (-1.2e-3, -1.2001e-3, ("-1.2000e-03", "-1.2001e-03")),
        (2.0, 2.0, ("2.000", "2.000")),
        (math.nan, 1.0, ("nan", "1.000")),
    ],
)
def test_pair_adds_the_digits_it_takes(old: float, new: float, texts: tuple[str, str]) -> None:
    assert pair(old, new) == texts


def test_update_rule_shows_w_move_at_step_500_of_the_lesson() -> None:
    # The case: at step 500, dw ~ -0.0012 moves w by 3.7e-4, which three decimals
    # hid ("1.425 - 0.30*(-0.001) = 1.425").
    session = build_session(load_scenario("logistic-one-feature"))
    session.step(500)
    w, b = parameters(session.current)
    rule = update_rule(w, session.alpha)
    old, new = rule.split(" = ")[1].split(" - ")[0], rule.split(" = ")[-1]
    assert old != new
    assert (old, new) == ("1.4246", "1.4250")
    assert float(new) == pytest.approx(w.next_value, abs=5e-5)
    assert "e-03)" in rule  # the slope in scientific notation, its digits kept


def test_log_rows_differ_where_values_differ() -> None:
    session = build_session(scenario("logistic"))
    session.step(500)
    previous, current = session.snapshot(499), session.snapshot(500)
    assert previous.theta[0] != current.theta[0]
    above, row = log_row(previous, 0), log_row(current, 0, previous)
    assert row[1] != log_row(previous, 0, session.snapshot(498))[1]
    assert len(above) == len(row)


# -- what the step does to J -------------------------------------------------------------


def test_outcome_on_a_downhill_step_says_j_falls() -> None:
    p = w_parameter(0.5, -5.0, 1.0, RIGHT)
    said = outcome([p], 6.25, 4.0, [-4.0])
    assert said.tone == "falls"
    assert said.full == "J(next) = 4.000 (-2.250 ▼): J falls 6.250 → 4.000"


def test_outcome_names_an_overshoot_when_j_rises() -> None:
    # alpha-divergent's step 1, by hand: J = (w - 3)**2 at w = 1 is 4; dw = 2*(1 - 3) = -4;
    # w := 1 - 1.5*(-4) = 7, where J = 16.
    p = w_parameter(1.0, -4.0, 7.0, RIGHT)
    said = outcome([p], 4.0, 16.0, [8.0])
    assert said.tone == "overshoots"
    assert said.full == (
        "J(next) = 16.000 (+12.000 ▲): alpha is so large that the step overshoots the "
        "minimum: J rises 4.000 → 16.000"
    )
    assert "overshoots" in said.short


def test_outcome_crosses_the_minimum_yet_j_falls() -> None:
    # alpha-overshoot's step 0: w = 7, dw = 8, w := 7 - 0.9*8 = -0.2; J 16 -> 10.24, and the
    # slope there, 2*(-0.2 - 3) = -6.4, has turned sign.
    p = w_parameter(7.0, 8.0, -0.2, LEFT)
    said = outcome([p], 16.0, 10.24, [-6.4])
    assert said.tone == "crosses"
    assert "w crosses the minimum" in said.full
    assert "yet J falls 16.000 → 10.240" in said.full


def test_outcome_under_momentum_names_the_velocity() -> None:
    against = Parameter("w", "dw", 3.5, 1.0, 3.6, RIGHT, LEFT)
    said = outcome([against], 0.25, 0.36, [1.2], "momentum")
    assert said.tone == "uphill"
    assert "velocity" in said.full and "alpha" not in said.full
    downhill = w_parameter(1.0, -4.0, 7.0, RIGHT)
    said = outcome([downhill], 4.0, 16.0, [8.0], "adam")
    assert said.tone == "overshoots"
    assert "velocity" in said.full and "alpha" not in said.full


def test_outcome_when_nothing_moves() -> None:
    p = w_parameter(3.0, 0.0, 3.0, STAY)
    assert outcome([p], 0.0, 0.0, [0.0]).full == "J(next) = 0.000: nothing moves, J stays"


def test_outcome_for_w_and_b_is_one_cost() -> None:
    w = w_parameter(1.0, -1.0, 1.5, RIGHT)
    b = Parameter("b", "db", 0.0, 2.0, -0.5, LEFT, LEFT)
    said = outcome([w, b], 2.0, 1.5, [-0.5, -1.0])
    assert said.full == (
        "J(next) = 1.500 (-0.500 ▼): b crosses the minimum (the slope turns sign), "
        "yet J falls 2.000 → 1.500"
    )
    assert said.full.count("J(next)") == 1


def test_outcome_where_j_is_not_a_number() -> None:
    p = w_parameter(0.5, 2.0, -1.5, LEFT)
    said = outcome([p], math.log(0.5), math.nan, [math.nan])
    assert said.tone == "undefined"
    assert "w = -1.500" in said.full and "not a number" in said.full


@pytest.mark.parametrize(
    ("kind", "words"),
    [("gd", "alpha too large"), ("adagrad", "alpha too large"), ("momentum", "velocity"),
     ("nesterov", "velocity"), ("adam", "velocity")],
)  # fmt: skip
def test_a_rise_names_the_likely_cause(kind: str, words: str) -> None:
    assert words in cost_change(0.5, kind)


def test_run_state_reports_the_first_converged_step() -> None:
    session = build_session(scenario("curve"))
    session.step(200)  # converges at 70, then steps on
    snapshot = session.current
    first = session.converged_at()
    tone, text = run_state(
        snapshot, diverged=False, tolerance=1e-6, max_steps=1000, converged_at=first
    )
    assert (tone, text) == (
        "converged",
        "✓ converged at step 70: the slope is (almost) zero (this is step 200)",
    )


@pytest.mark.parametrize(
    ("cause", "words", "advice"),
    [("cost_undefined", "J is not a number at w = 0.500", False),
     ("slope_undefined", "slope is not a number", False),
     ("landing_undefined", "lands where J is not a number", True),
     ("overflow", "overflows", False)],
)  # fmt: skip
def test_run_state_says_why_a_run_stopped(cause: str, words: str, advice: bool) -> None:
    snapshot = build_session(scenario("curve")).current
    tone, text = run_state(snapshot, diverged=True, tolerance=1e-6, max_steps=10, cause=cause)
    assert tone == "diverged"
    assert words in text


@pytest.mark.parametrize(
    ("cause", "lower_alpha"),
    [("cost_undefined", False), ("slope_undefined", False), ("landing_undefined", True),
     ("overflow", True)],
)  # fmt: skip
def test_only_a_step_too_far_is_cured_by_a_lower_alpha(cause: str, lower_alpha: bool) -> None:
    snapshot = build_session(scenario("curve")).current
    assert ("Lower alpha" in divergence_note(cause, snapshot)) == lower_alpha


def test_outcome_where_j_overflows() -> None:
    p = w_parameter(1e200, 2e200, -2e200, LEFT)
    said = outcome([p], 1e300, math.inf, [math.inf])
    assert said.tone == "overflows"
    assert "rises" not in said.full


@given(st.lists(finite_floats, min_size=2, max_size=12))
def test_a_log_column_shows_every_change_at_one_precision(values: list[float]) -> None:
    rows = [
        LogRow({}, {"w": new}, {"w": old}, {"w": more_digits(old, new)})
        for old, new in zip(values, values[1:], strict=False)
    ]
    more = log_digits(rows)
    for row in rows:
        old_text, new_text = (
            number(row.before["w"], more=more["w"]),
            number(row.values["w"], more=more["w"]),
        )
        assert (old_text != new_text) == (row.before["w"] != row.values["w"])


def test_more_digits_can_make_values_look_alike_again_and_the_log_checks() -> None:
    # 0.12346 and 0.12354 differ at three decimals, and look alike at four.
    assert more_digits(0.12346, 0.12354) == 0
    assert number(0.12346, more=1) == number(0.12354, more=1)
    rows = [
        LogRow({}, {"w": 0.12354}, {"w": 0.12346}, {"w": 0}),
        LogRow({}, {"w": 0.12355}, {"w": 0.12354}, {"w": 2}),  # needs 5 decimals
    ]
    more = log_digits(rows)["w"]
    assert number(0.12346, more=more) != number(0.12354, more=more)
    assert number(0.12354, more=more) != number(0.12355, more=more)


def test_an_update_past_the_limit_is_not_called_an_overflow() -> None:
    """J = (w - 3)**2, alpha = 1.5, from w = 6e149: dw = 2*(w - 3), so the update lands at
    w - 3*(w - 3) = -2w + 9, past -1e150, where J = (-2w + 6)**2 ~ 1.4e300 is finite."""
    w = 6e149
    session = build_session(load_scenario("alpha-divergent", [f"start.w={w!r}"]))
    assert session.step(1).status == "diverged"  # refused: the run stops at step 0
    snapshot = session.current
    assert session.divergence == "overflow"
    landing = session.landing_cost(snapshot)
    assert math.isclose(landing, (-2 * w + 9 - 3) ** 2, rel_tol=1e-12) and math.isfinite(landing)
    assert shown_cause("overflow", snapshot, landing) == "too_large"
    tone, text = run_state(snapshot, diverged=True, tolerance=1e-6, max_steps=10, cause="too_large")
    assert text == "✗ diverged at step 0: the update takes w past ±1e150"
    note = divergence_note("too_large", snapshot)
    assert note.startswith("w would pass ±1e150: gdtui stops there") and "Lower alpha" in note
    # Where J(next) is infinite the update does overflow, and says so.
    assert shown_cause("overflow", snapshot, math.inf) == "overflow"
    # A cause that is not an overflow is left as it is.
    assert shown_cause("landing_undefined", snapshot, math.nan) == "landing_undefined"


def test_an_update_whose_cost_overflows_within_the_limit_stays_an_overflow() -> None:
    """J = w**4 at w = 1e76 (J = 1e304), alpha = 1e-151: dw = 4w**3 = 4e228, so w lands at
    1e76 - 4e77 = -3.9e77, well within the limit, where w**4 ~ 2e311 is past the floats."""
    session = build_session(
        load_scenario("alpha-divergent", ['problem.cost="w**4"', "start.w=1e76",
                                          "optimizer.alpha=1e-151"])
    )  # fmt: skip
    assert session.step(1).status == "diverged"
    snapshot = session.current
    landed = float(snapshot.next_theta[0])
    assert math.isclose(landed, 1e76 - 1e-151 * 4e228, rel_tol=1e-12) and abs(landed) < 1e150
    assert math.isinf(landed * landed * landed * landed)
    assert session.divergence == "overflow"
    assert shown_cause("overflow", snapshot, session.landing_cost(snapshot)) == "overflow"
