"""The numbers behind the plots, checked against direct evaluation of the cost."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem, LogisticProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost
from gdtui.ui import plotting
from gdtui.ui.plotting import Range


def logistic(m: int = 60, n: int = 3, seed: int = 0) -> LogisticProblem:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X[:, 0] - 0.5 * X[:, -1] + rng.normal(size=m) > 0).astype(np.float64)
    return LogisticProblem(X, y)


def curve(text: str = "(w - 3)**2", alpha: float = 0.1, start: float = 0.5) -> Session:
    expression = parse_cost(text)
    theta0 = [start, 1.5] if expression.uses_b else [start]
    return Session(CurveProblem(expression), Optimizer("gd"), alpha, theta0)


def moved(theta: np.ndarray, component: int, value: float) -> np.ndarray:
    out = theta.copy()
    out[component] = value
    return out


# -- J along one parameter ----------------------------------------------------------------


@pytest.mark.parametrize("component", [0, 1, 2, 3])  # three w components, then b
def test_logistic_curve_is_the_cost_at_each_point(component: int) -> None:
    session = Session(logistic(), Optimizer("gd"), 0.5, [0.3, -0.2, 0.1, 0.05])
    session.step(4)
    snapshot = session.current
    ws, costs = plotting.curve_along(session, snapshot, component, (-3.0, 3.0), 25)
    direct = [session.problem.cost(moved(snapshot.theta, component, w)) for w in ws]
    here = float(snapshot.theta[component])
    assert ws == pytest.approx(np.sort(np.append(np.linspace(-3, 3, 25), here)))
    assert costs == pytest.approx(direct, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("component", [0, 1])
def test_curve_problem_curve_is_the_expression(component: int) -> None:
    session = curve("w**2 + 10*b**2 + w*b")
    session.step(3)
    snapshot = session.current
    ws, costs = plotting.curve_along(session.problem, snapshot, component, (-2.0, 2.0), 11)
    direct = [session.problem.cost(moved(snapshot.theta, component, w)) for w in ws]
    assert costs == pytest.approx(direct, rel=1e-12)


def test_large_data_is_sampled_and_the_curve_still_passes_through_the_current_cost() -> None:
    problem = logistic(m=5_000, n=2, seed=1)
    session = Session(problem, Optimizer("gd"), 0.5, [0.0, 0.0, 0.0])
    session.step(3)
    snapshot = session.current
    w = float(snapshot.theta[0])
    ws, costs = plotting.curve_along(session, snapshot, 0, (w - 1, w + 1), 101)
    rows = plotting.sample_size(problem, 102)
    assert rows is not None and rows < problem.m
    assert plotting.sample_note(problem, rows) == f"~{rows:,} of 5,000 rows"
    middle = costs[50]  # ws[50] is the current w
    assert middle == pytest.approx(snapshot.cost, rel=1e-12)
    direct = [problem.cost(moved(snapshot.theta, 0, t)) for t in ws[::10]]
    assert costs[::10] == pytest.approx(direct, rel=0.05)
    again = plotting.curve_along(session, snapshot, 0, (w - 1, w + 1), 101)[1]
    assert np.array_equal(costs, again)  # the same rows every time


def test_small_data_is_not_sampled() -> None:
    problem = logistic(m=60)
    assert plotting.sample_size(problem, 101) is None
    assert plotting.sample_size(curve().problem, 10**6) is None


def test_window_of_one_point_is_not_empty() -> None:
    lo, hi = plotting.window([2.0])
    assert lo < 2.0 < hi


def test_minimum_along_finds_the_bottom_and_gives_up_at_the_edge() -> None:
    theta = np.array([0.5])
    problem = curve().problem
    assert plotting.minimum_along(problem, theta, 0, (0.0, 1.0)) == pytest.approx(3.0, abs=0.05)
    assert plotting.minimum_along(curve("w").problem, theta, 0, (0.0, 1.0)) is None


def test_lowest_near_finds_a_bowls_bottom() -> None:
    problem = curve("(w - 1)**2 + 4*(b + 2)**2").problem
    lowest = plotting.lowest_near(problem, np.array([3.0, 1.0]), [(2.0, 4.0), (0.0, 2.0)])
    assert lowest == pytest.approx([1.0, -2.0], abs=0.05)


# -- the cost axis --------------------------------------------------------------------------


def test_cost_window_shows_the_current_point_and_the_minimum() -> None:
    costs = np.array([50.0, 9.0, 1.0, 0.2, 4.0, 400.0])
    lo, hi = plotting.cost_window(costs, (9.0,))
    assert lo < 0.2 and hi > 9.0
    assert hi < 400.0  # clipped: a few times the spread above the current point


@pytest.mark.parametrize("top", [1e300, 1e308, math.inf])
def test_cost_window_is_finite_on_a_diverging_run(top: float) -> None:
    costs = np.array([top, 1e200, 3.0, 1.0, top])
    lo, hi = plotting.cost_window(costs, (1e300, 1e299))
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    assert lo <= 1.0 and hi >= 1e300


def test_cost_window_of_a_flat_curve_has_height() -> None:
    lo, hi = plotting.cost_window(np.full(5, 2.0), (2.0,))
    assert lo < 2.0 < hi


def test_beyond_pulls_far_values_to_just_past_the_edge() -> None:
    values = plotting.beyond(np.array([1e300, np.nan, -np.inf, 0.5]), (0.0, 1.0))
    assert values.tolist() == [2.0, 2.0, -1.0, 0.5]


@pytest.mark.parametrize(
    ("w", "cost", "dw", "cost_range"),
    [(1.0, 4.0, -4.0, None), (1.0, 4.0, -4.0, (0.0, 8.0)), (2.0, 1.0, 0.0, (0.0, 2.0))],
)
def test_tangent_passes_through_the_point_with_slope_dw(
    w: float, cost: float, dw: float, cost_range: tuple[float, float] | None
) -> None:
    xs, ys = plotting.tangent_line(w, cost, dw, (-1.0, 4.0), cost_range)
    assert len(xs) == 2 and xs[0] < xs[1]
    assert ys == pytest.approx(cost + dw * (xs - w))
    assert xs[0] >= -1.0 and xs[1] <= 4.0
    if cost_range is not None:
        assert all(cost_range[0] - 1e-9 <= y <= cost_range[1] + 1e-9 for y in ys)


def test_no_tangent_without_a_finite_slope() -> None:
    xs, ys = plotting.tangent_line(1.0, 2.0, math.nan, (0.0, 2.0))
    assert len(xs) == len(ys) == 0


# -- ticks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lo", "hi"), [(0.25, 3.27), (-918.0, 1000.0), (-5e4, 1.04e6), (-1e150, 1e150), (0.0, 1e-7)]
)
def test_ticks_are_round_in_range_and_labelled_by_their_value(lo: float, hi: float) -> None:
    values, labels = plotting.ticks(lo, hi, 5)
    assert 2 <= len(values) <= 6
    assert all(lo <= v <= hi for v in values)
    assert len(set(labels)) == len(labels)
    for value, label in zip(values, labels, strict=True):
        assert float(label) == pytest.approx(value, rel=1e-9, abs=1e-300)
        assert len(label) <= 7


def test_log_ticks_are_powers_of_ten() -> None:
    values, labels = plotting.log_ticks(-6.2, 1.5, 4)
    assert all(v == int(v) and -6.2 <= v <= 1.5 for v in values)
    assert [float(label) for label in labels] == pytest.approx([10.0**v for v in values])


@pytest.mark.parametrize(
    ("width", "text"),
    [(40, "J along w   slope dw=+2.40"), (20, "J along w"), (5, "J al…")],
)
def test_fit_keeps_the_parts_that_fit(width: int, text: str) -> None:
    assert plotting.fit(["J along w", "slope dw=+2.40"], width, "   ") == text


# -- the history ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "scale"),
    [
        ([0.69, 0.5, 0.4], "linear"),
        ([100.0, 10.0, 1.0], "log"),
        ([5.0, 1e-3, 0.0], "log"),  # a zero is drawn at the bottom
        ([5.0, 0.01, -1.0], "linear"),  # a negative cost has no place on a log axis
        ([1e300, 1.0], "log"),
        ([3.0], "linear"),
    ],
)
def test_history_scale(costs: list[float], scale: str) -> None:
    assert plotting.history_scale(np.array(costs)) == scale


def test_log_floor_raises_zeros_to_the_lowest_positive_cost() -> None:
    assert plotting.log_floor(np.array([4.0, 0.0, 0.5])).tolist() == [4.0, 0.5, 0.5]


def test_downsampling_keeps_a_one_step_spike_and_the_extremes() -> None:
    costs = np.geomspace(10.0, 1e-3, 10_000)
    costs[6_543] = 1e4
    steps, values = plotting.downsample(costs, 50)
    assert len(values) <= 100
    assert values.max() == 1e4 and values.min() == costs.min()
    assert steps[0] == 0 and steps[-1] == 9_999
    assert np.all(np.diff(steps) >= 0)


def test_short_runs_are_not_downsampled() -> None:
    costs = np.array([3.0, 2.0, 1.0])
    steps, values = plotting.downsample(costs, 50)
    assert steps.tolist() == [0, 1, 2] and values.tolist() == [3.0, 2.0, 1.0]


def long_run(n: int = 10_000, seed: int = 0) -> np.ndarray:
    """Costs falling through decades, with noise and one spike."""
    rng = np.random.default_rng(seed)
    costs = np.geomspace(10.0, 1e-3, n) * rng.uniform(0.5, 1.5, n)
    costs[n // 3] = 1e4
    return costs


@pytest.mark.parametrize("chunks", [[10_000], [1] * 300 + [9_700], [7, 130, 2_000, 7_863]])
def test_a_cost_summary_is_the_same_however_the_run_arrives(chunks: list[int]) -> None:
    costs = long_run()
    whole, pieces = plotting.CostSummary(50), plotting.CostSummary(50)
    whole.extend(costs)
    for start, size in zip(np.cumsum([0, *chunks[:-1]]), chunks, strict=True):
        pieces.extend(costs[start : start + size])
    assert pieces.steps == whole.steps == len(costs)
    assert all(np.array_equal(a, b) for a, b in zip(pieces.series(), whole.series(), strict=True))


def test_a_cost_summary_keeps_a_one_step_spike_and_the_extremes() -> None:
    costs = long_run()
    summary = plotting.CostSummary(50)
    summary.extend(costs)
    steps, values = summary.series()
    assert len(values) <= 4 * 50
    assert values.max() == 1e4 and values.min() == costs.min()
    assert steps[0] == 0 and steps[-1] == len(costs) - 1
    assert np.all(np.diff(steps) >= 0)


def test_a_short_run_is_summarised_as_it_is() -> None:
    summary = plotting.CostSummary(50)
    summary.extend(np.array([3.0, 2.0, 1.0]))
    steps, values = summary.series()
    assert steps.tolist() == [0, 1, 2] and values.tolist() == [3.0, 2.0, 1.0]


@pytest.mark.parametrize(
    "costs",
    [[100.0, 10.0, 0.5], [1.0, 0.5, 0.2], [1.0, -1.0, 1e6], [0.0, 0.0, 5.0], [math.inf, 3.0]],
    ids=["decades", "one decade", "negative", "zeros", "diverged start"],
)
def test_a_cost_summary_chooses_the_scale_as_history_scale_does(costs: list[float]) -> None:
    summary = plotting.CostSummary(50)
    for cost in costs:
        summary.extend(np.array([cost]))
    assert summary.scale() == plotting.history_scale(np.array(costs))


@pytest.mark.parametrize(
    ("view", "needed", "grown"),
    [
        ((0.0, 10.0), (2.0, 8.0), (0.0, 10.0)),
        ((0.0, 10.0), (0.0, 12.0), (0.0, 15.0)),
        ((0.0, 10.0), (-2.0, 10.0), (-5.0, 10.0)),
    ],
    ids=["holds it", "grows up", "grows down"],
)
def test_a_view_grows_past_what_leaves_it(view: Range, needed: Range, grown: Range) -> None:
    assert plotting.grown(view, needed) == pytest.approx(grown)


# -- the surface ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["curve", "logistic"])
def test_cost_grid_is_the_cost_at_each_point(kind: str) -> None:
    problem = curve("w**2 + 10*b**2 - w*b").problem if kind == "curve" else logistic(n=1)
    ws, bs = np.linspace(-2, 3, 7), np.linspace(-1, 1, 5)
    grid, rows = plotting.cost_grid(problem, ws, bs)
    direct = [[problem.cost(np.array([w, b])) for w in ws] for b in bs]
    assert rows is None
    assert grid == pytest.approx(np.array(direct), rel=1e-12, abs=1e-12)


def test_surface_needs_one_w_and_a_b() -> None:
    assert plotting.has_surface(curve("w**2 + b**2").problem)
    assert plotting.has_surface(logistic(n=1))
    assert not plotting.has_surface(curve().problem)
    assert not plotting.has_surface(logistic(n=2))


def test_upsample_keeps_the_corners() -> None:
    grid = np.array([[0.0, 1.0], [2.0, 3.0]])
    fine = plotting.upsample(grid, (5, 3))
    assert fine.shape == (5, 3)
    assert fine[0, 0] == 0 and fine[0, -1] == 1 and fine[-1, 0] == 2 and fine[-1, -1] == 3
    assert fine[2, 1] == pytest.approx(1.5)


def test_level_sets_mark_cells_next_to_a_higher_band() -> None:
    ramp = np.tile(np.arange(12.0), (3, 1))  # J grows to the right
    levels = plotting.level_sets(ramp, 3)
    assert len(levels) == 3
    columns = [sorted(set(cols.tolist())) for _, cols in levels]
    assert all(len(c) == 1 for c in columns)  # each contour is one vertical line
    assert columns[0][0] < columns[1][0] < columns[2][0]
    rows = levels[0][0]
    assert sorted(rows.tolist()) == [0, 1, 2]


def test_level_sets_ring_a_bowls_minimum() -> None:
    x = np.linspace(-1, 1, 41)
    bowl = x[None, :] ** 2 + x[:, None] ** 2
    inner_rows, inner_cols = plotting.level_sets(bowl, 4)[0]
    assert inner_rows.min() < 20 < inner_rows.max() and inner_cols.min() < 20 < inner_cols.max()
    assert (20, 20) not in set(zip(inner_rows.tolist(), inner_cols.tolist(), strict=True))


# -- braille dots ---------------------------------------------------------------------------


def test_braille_dots_sit_where_plotext_puts_them() -> None:
    # 2 cells across (4 dots), 1 cell down (4 dots): (0, 0) is the bottom-left dot,
    # (1, 1) the top-right dot of the right-hand cell.
    layers = [(np.array([0.0, 1.0]), np.array([0.0, 1.0]), False)]
    bits, owner = plotting.braille(layers, (0.0, 1.0), (0.0, 1.0), 2, 1)
    assert bits.tolist() == [[0x40, 0x08]]
    assert owner.tolist() == [[0, 0]]


def test_braille_line_is_unbroken_and_later_layers_own_their_cells() -> None:
    flat = (np.array([0.0, 1.0]), np.array([0.5, 0.5]), True)
    dot = (np.array([0.0]), np.array([0.5]), False)
    bits, owner = plotting.braille([flat, dot], (0.0, 1.0), (0.0, 1.0), 10, 3)
    assert (bits[1] != 0).all()  # the middle row of cells, every column
    assert owner[1, 0] == 1 and owner[1, 5] == 0
    assert (bits[0] == 0).all() and (bits[2] == 0).all()


def test_braille_leaves_out_what_is_off_the_canvas_or_not_finite() -> None:
    layer = (np.array([5.0, np.nan, 0.5]), np.array([0.5, 0.5, np.inf]), True)
    bits, _ = plotting.braille([layer], (0.0, 1.0), (0.0, 1.0), 4, 2)
    assert not bits.any()


@pytest.mark.parametrize("seed", range(5))
def test_a_points_cell_is_where_braille_draws_its_dot(seed: int) -> None:
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(-0.2, 1.2, 60), rng.uniform(-0.2, 1.2, 60)
    xs[:4] = [np.nan, np.inf, 0.0, 1.0]
    ys[:4] = [0.5, 0.5, -np.inf, 1.0]
    rows, cols, drawn = plotting.cells_of(xs, ys, (0.0, 1.0), (0.0, 1.0), 7, 3)
    for x, y, row, col, on in zip(xs, ys, rows, cols, drawn, strict=True):
        bits, _ = plotting.braille([(np.array([x]), np.array([y]), False)], (0.0, 1.0),
                                   (0.0, 1.0), 7, 3)  # fmt: skip
        expected = [tuple(at) for at in np.argwhere(bits)]
        assert ([(row, col)] if on else []) == expected, (x, y)


# -- the recent path --------------------------------------------------------------------------


def test_trail_is_the_recorded_path() -> None:
    session = curve(alpha=0.3)
    cache = plotting.PathCache()
    for _ in range(12):
        session.step()
        cache.trail(session, session.current, 5)
    trail = cache.trail(session, session.current, 5)
    assert np.array_equal(trail, session.path(8, 13))


def test_trail_after_a_branch_is_the_new_run() -> None:
    session = curve(alpha=0.3)
    cache = plotting.PathCache()
    for _ in range(10):
        session.step()
        cache.trail(session, session.current, 30)
    session.goto(4)
    session.set_alpha(0.05)
    session.step(6)  # back at step 10, on another branch
    trail = cache.trail(session, session.current, 30)
    assert np.array_equal(trail, session.path(0, 11))
