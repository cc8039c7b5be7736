"""The cost curve tells the truth at every step: it passes through the point it marks, the
landing mark sits at the cost computed there, the window shows a bowl, and the axes read
right. Checked against the engine's own cost, evaluated directly, on the presets the
lesson uses and at the sizes a class uses."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from textual.pilot import Pilot

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost
from gdtui.scenario import load_scenario
from gdtui.ui import plotting
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.braille_plot import CURRENT, LANDING, TANGENT
from gdtui.ui.widgets.cost_curve import CostCurvePlot, CurveFigure
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot

from .helpers import debugger, settle, within_last_digit
from .test_plot_widgets import PlotApp

BRAILLE = re.compile("[\u2801-\u28ff]")


def curve_session(text: str = "(w - 3)**2", alpha: float = 0.1, start: float = 0.5) -> Session:
    return Session(CurveProblem(parse_cost(text)), Optimizer("gd"), alpha, [start])


def moved(theta: np.ndarray, j: int, value: float) -> np.ndarray:
    out = np.array(theta, dtype=np.float64)
    out[j] = value
    return out


def plot_lines(plot: CostCurvePlot | CostHistoryPlot | CostSurfacePlot) -> list[str]:
    return [plot.render_line(y).text for y in range(plot.size.height)]


def canvas(lines: list[str]) -> list[str]:
    """The rows inside the plot's frame."""
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌") + 1
    right = lines[top].index("┐")
    return [line[left:right] for line in lines[top + 1 : bottom]]


def y_labels(lines: list[str]) -> list[str]:
    """The labels left of the y axis."""
    return [line.split("┤")[0].strip() for line in lines if "┤" in line]


def find(rows: list[str], marker: str) -> tuple[int, int]:
    """(row from the top, column) of `marker` in the canvas."""
    hits = [(r, row.index(marker)) for r, row in enumerate(rows) if marker in row]
    assert len(hits) == 1, f"{marker!r} should be drawn once, found {len(hits)}"
    return hits[0]


def figure(app: GdtuiApp) -> tuple[CostCurvePlot, CurveFigure]:
    plot = debugger(app).query_one(CostCurvePlot)
    assert plot.figure is not None
    return plot, plot.figure


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# -- the numbers behind the picture --------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "steps"),
    [
        ("logistic-one-feature", 0),
        ("logistic-one-feature", 3),
        ("logistic-one-feature", 2370),
        ("separable", 3412),
        ("two-valleys", 5),
        ("plateau-saddle", 40),
        ("ravine", 7),
        ("alpha-divergent", 1),
    ],
)
@pytest.mark.parametrize("component", [0, -1], ids=["w", "last"])
def test_the_window_holds_point_landing_and_minimum_and_shows_a_bowl(
    preset: str, steps: int, component: int
) -> None:
    scenario = load_scenario(preset)
    session = build_session(scenario)
    session.step(steps)
    snapshot = session.current
    j = component % len(snapshot.theta)
    hint = scenario.b_range if j == session.layout.n_w else scenario.w_range
    view = plotting.curve_window(session.problem, snapshot, j, hint)
    lo, hi = view.w_range
    w, landing = float(snapshot.theta[j]), float(snapshot.next_theta[j])
    assert lo < hi
    assert lo <= w <= hi and lo <= landing <= hi
    if view.minimum is not None:
        assert lo <= view.minimum <= hi
        # A minimum indeed: J, evaluated directly, is higher a little way either side.
        at = session.problem.cost(moved(snapshot.theta, j, view.minimum))
        step = 1e-3 * (hi - lo)
        for side in (-step, step):
            assert session.problem.cost(moved(snapshot.theta, j, view.minimum + side)) >= at
    # Not a stripe: J, evaluated directly at the edges, differs visibly from J at the point
    # (and for a bowl both walls rise above its bottom).
    edges = [session.problem.cost(moved(snapshot.theta, j, e)) for e in (lo, hi)]
    assert max(abs(e - snapshot.cost) for e in edges) >= plotting.VISIBLE_RISE * snapshot.cost
    if view.minimum is not None and hint is None:
        bottom = session.problem.cost(moved(snapshot.theta, j, view.minimum))
        assert min(edges) - bottom >= view.rise


def test_the_window_of_a_parabola_is_centred_on_its_bottom() -> None:
    session = curve_session()  # (w - 3)**2 from w = 0.5: the minimum is at w = 3
    view = plotting.curve_window(session.problem, session.current, 0)
    assert view.minimum == pytest.approx(3.0, abs=1e-6)
    assert sum(view.w_range) / 2 == pytest.approx(3.0, abs=1e-6)


def test_the_window_zooms_in_as_the_run_converges() -> None:
    session = curve_session(alpha=0.05)
    widths = []
    for _ in range(12):
        session.step(10)
        lo, hi = plotting.curve_window(session.problem, session.current, 0).w_range
        widths.append(hi - lo)
    assert widths == sorted(widths, reverse=True) and widths[-1] < widths[0] / 4


@pytest.mark.parametrize("text", ["(w - 3)**2", "w**4 - 3*w**2 + w", "exp(-w)"])
def test_the_curve_is_sampled_exactly_at_the_point_and_the_landing(text: str) -> None:
    session = curve_session(text, alpha=0.05, start=0.5)
    session.step(3)
    snapshot = session.current
    view = plotting.curve_window(session.problem, snapshot, 0)
    landing = float(snapshot.next_theta[0])
    ws, costs = plotting.curve_along(session, snapshot, 0, view.w_range, 31, exact=[landing])
    for value in (float(snapshot.theta[0]), landing):
        (at,) = np.flatnonzero(ws == value)
        assert costs[at] == pytest.approx(session.problem.cost(np.array([value])), rel=1e-13)


def test_the_cost_axis_holds_the_point_the_landing_and_the_bottom() -> None:
    costs = np.array([5.0, 2.0, 1.0, 2.0, 5.0])
    lo, hi = plotting.curve_cost_window(costs, 2.0, 4.5)
    assert lo < 1.0 and hi > 5.0
    lo, hi = plotting.curve_cost_window(costs, 2.0, math.inf)  # an overflow: left out
    assert math.isfinite(hi) and hi < 6.0


@pytest.mark.parametrize("dw", [0.0, 0.3, -40.0, 1e6])
def test_the_tangent_is_a_short_segment_through_the_point_with_slope_dw(dw: float) -> None:
    xs, ys = plotting.tangent_segment(2.0, 1.0, dw, (0.0, 4.0), (0.0, 10.0), 60, 20)
    assert len(xs) == 2
    assert (xs[0] + xs[1]) / 2 == pytest.approx(2.0)
    assert ys == pytest.approx(1.0 + dw * (xs - 2.0))
    # On screen (a cell twice as tall as wide) it is a quarter of the plot's width long.
    across = (xs[1] - xs[0]) / 4.0 * 60
    up = (ys[1] - ys[0]) / 10.0 * 20 * 2
    assert math.hypot(across, up) == pytest.approx(0.25 * 60)


def test_a_dashed_line_leaves_gaps() -> None:
    xs, ys = np.array([0.0, 1.0]), np.array([0.5, 0.5])
    solid = plotting.braille([(xs, ys, True)], (0.0, 1.0), (0.0, 1.0), 20, 4)[0]
    dashed = plotting.braille([(xs, ys, plotting.DASHED)], (0.0, 1.0), (0.0, 1.0), 20, 4)[0]
    solid_dots = sum(bin(v).count("1") for v in solid.ravel())
    dashed_dots = sum(bin(v).count("1") for v in dashed.ravel())
    assert 0.25 * solid_dots <= dashed_dots <= 0.45 * solid_dots


# -- axis labels -----------------------------------------------------------------------------


def read_note(note: str) -> tuple[float, float]:
    """(shift, unit) from `- 0.401495, x1e-7`: a label l stands for shift + l * unit."""
    shift, unit = 0.0, 1.0
    for part in note.split(", "):
        if part.startswith(("- ", "+ ")):
            shift = float(part[2:].replace("e", "e+") if "e" in part and "e-" not in part
                          else part[2:]) * (1 if part[0] == "-" else -1)  # fmt: skip
        elif part.startswith("x"):
            unit = float(part[1:])
    return shift, unit


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        (0.4014949, 0.4014954),
        (0.40149, 0.40151),
        (1.504, 1.5066),
        (2.999999, 3.000001),
        (-7.2e-9, -7.1e-9),
        (1e150, 1e150 + 3e140),
        (123456.7, 123456.9),
        (0.25, 3.27),
    ],
)
def test_axis_labels_are_short_and_an_offset_is_named(lo: float, hi: float) -> None:
    values, labels, note = plotting.axis_ticks(lo, hi, 5)
    assert len(values) >= 2 and all(len(label) <= plotting.LABEL_WIDTH for label in labels)
    assert len(set(labels)) == len(labels)
    shift, unit = read_note(note)
    step = values[1] - values[0]
    for value, label in zip(values, labels, strict=True):
        assert lo - 1e-9 * step <= value <= hi + 1e-9 * step
        assert shift + float(label) * unit == pytest.approx(value, abs=1e-3 * step)


@pytest.mark.parametrize(
    ("width", "title"),
    [
        (60, "J along w   J - 0.40149, x1e-7   slope dw=-3.21e-07"),
        (40, "J along w   J - 0.40149, x1e-7"),
        (20, "J - 0.40149, x1e-7"),
        (12, "J along w"),
    ],
)
def test_a_title_keeps_the_axis_note_whole_or_leaves_it_out(width: int, title: str) -> None:
    parts = ["J along w", "slope dw=-3.21e-07"]
    assert plotting.heading(parts, ["J - 0.40149, x1e-7"], width) == title


async def test_labels_go_when_there_is_no_room_to_say_they_are_offsets() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=(60, 20)) as pilot:
        await press(pilot, "c")
        plot, fig = figure(app)
        lines = plot_lines(plot)
        if "J - " not in lines[0]:
            assert all(label == "" for label in y_labels(lines))
        else:
            assert any(label for label in y_labels(lines))


# -- on screen -------------------------------------------------------------------------------


SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    ("preset", "keys"),
    [
        ("logistic-one-feature", ["c"]),
        ("logistic-one-feature", ["n", "n", "n"]),
        ("logistic-one-feature", ["right_square_bracket"]),
        ("separable", ["c"]),
        ("alpha-divergent", ["n"]),
    ],
    ids=["logistic c", "logistic n n n", "logistic ]", "separable c", "divergent n"],
)
async def test_the_screen_shows_the_point_on_a_bowl_and_the_landing_at_its_cost(
    preset: str, keys: list[str], size: tuple[int, int]
) -> None:
    app = GdtuiApp(load_scenario(preset))
    async with app.run_test(size=size) as pilot:
        await press(pilot, *keys)
        session = debugger(app).session
        snapshot = session.current
        plot, fig = figure(app)
        # The curve is J evaluated exactly at the point, and x is J at next_theta.
        (at,) = np.flatnonzero(fig.ws == float(snapshot.theta[0]))
        assert fig.costs[at] == pytest.approx(snapshot.cost, rel=1e-12)
        direct = session.problem.cost(np.array(snapshot.next_theta))
        assert fig.landing[1] == pytest.approx(direct, rel=1e-12)
        lines = plot_lines(plot)
        rows = canvas(lines)
        # Not a vertical stripe: the curve's dots spread across most of the canvas.
        columns = {c for row in rows for c, ch in enumerate(row) if BRAILLE.match(ch)}
        assert len(columns) >= 0.6 * len(rows[0])
        # The point on screen, and x below it when the step lowers J (above when it rises).
        point_row, _ = find(rows, CURRENT)
        if LANDING in "".join(rows):
            landing_row, _ = find(rows, LANDING)
            span = fig.cost_range[1] - fig.cost_range[0]
            if abs(direct - snapshot.cost) > 1.5 * span / len(rows):
                assert (landing_row > point_row) == (direct < snapshot.cost)
        # Labels at most 7 characters; an offset is named in the title.
        labels = y_labels(lines)
        assert labels and all(len(label) <= 7 for label in labels)
        bottom = next(i for i, line in enumerate(lines) if "└" in line)
        assert all(len(label) <= 7 for label in lines[bottom + 1].split())
        if any(len(label) > 0 and float(label) > 10 * fig.cost_range[1] for label in labels):
            assert "J - " in lines[0] or "J, x" in lines[0]


async def test_alpha_divergent_first_step_lands_above_the_point() -> None:
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plot, fig = figure(app)
        session = debugger(app).session
        landing = session.problem.cost(np.array(session.current.next_theta))
        assert landing > session.current.cost  # J 1 -> 4 here: the step overshoots
        assert fig.landing[1] == landing
        rows = canvas(plot_lines(plot))
        assert find(rows, LANDING)[0] < find(rows, CURRENT)[0]


async def test_the_tangent_is_dashed_and_has_its_own_legend_entry() -> None:
    app = GdtuiApp(load_scenario("bowl-from-left"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plot, fig = figure(app)
        assert f"{TANGENT} tangent" in plot_lines(plot)[-1]
        dashed = [layer for layer in plot._layers if layer[2] == plotting.DASHED]
        assert len(dashed) == 1
        xs = dashed[0][0]
        assert xs[1] - xs[0] < 0.5 * (fig.w_range[1] - fig.w_range[0])  # a short segment
        await pilot.press("t")
        await pilot.pause()
        assert f"{TANGENT} tangent" not in plot_lines(plot)[-1]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_component_keys_reach_b(size: tuple[int, int]) -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=size) as pilot:
        await press(pilot, "n", "n", "j")
        screen = debugger(app)
        assert screen.component == 1
        plot, fig = figure(app)
        text = "\n".join(plot_lines(plot))
        assert "J along b" in text and "slope db=" in text and "● b=" in text
        snapshot = screen.session.current
        assert fig.point == (float(snapshot.theta[1]), snapshot.cost)
        (at,) = np.flatnonzero(fig.ws == float(snapshot.theta[1]))
        assert fig.costs[at] == pytest.approx(snapshot.cost, rel=1e-12)
        assert "▶b" in screen.state_panel.text
        await press(pilot, "k")
        assert screen.component == 0
        assert "J along w" in "\n".join(plot_lines(plot))


# -- the history and the surface ----------------------------------------------------------


async def test_the_log_history_labels_only_costs_the_run_had() -> None:
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = debugger(app)
        # Every breakpoint off, as B and Space do: the run goes on until it overflows.
        await pilot.press("B")
        await pilot.pause()
        await pilot.press(*["space", "down"] * len(screen.session.breakpoints), "escape")
        await pilot.pause()
        assert not any(bp.enabled for bp in screen.session.breakpoints)
        await press(pilot, "c")
        assert screen.session.diverged
        plot = screen.history_panel
        costs = screen.session.costs()
        finite = costs[np.isfinite(costs)]
        labels = y_labels(plot_lines(plot))
        assert labels and "(log scale)" in plot_lines(plot)[0]
        for label in labels:
            assert finite.min() <= float(label) <= finite.max()


async def test_the_history_keeps_its_title_after_going_to_step_500() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g", "5", "0", "0", "enter")
        await settle(pilot)
        await pilot.pause()
        plot = debugger(app).history_panel
        assert "J by step" in plot_lines(plot)[0]


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
async def test_the_surface_says_why_it_is_empty(size: tuple[int, int]) -> None:
    app = GdtuiApp(load_scenario("logistic-two-features"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("v")
        await pilot.pause()
        plot = debugger(app).query_one(CostSurfacePlot)
        text = " ".join(" ".join(plot_lines(plot)).split())
        assert "No surface" in text and "parameters" in text


async def test_a_cost_that_is_not_a_number_says_so_instead_of_an_empty_box() -> None:
    session = curve_session("log(w)", start=-1.0)  # J = log(w) is undefined at w = -1
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=(60, 16)) as pilot:
        plot.show(session)
        await pilot.pause()
        lines = plot_lines(plot)
        words = " ".join(" ".join(canvas(lines)).split())
        assert "J is not a number anywhere near w = -1" in words
        assert y_labels(lines) == [""] * len(y_labels(lines))  # no cost to read off
        assert LANDING not in words  # J(next) is not a number either: no mark


# -- when the other parameters move too ------------------------------------------------------


AFTER_CASES = [
    ("logistic-one-feature", 0),
    ("logistic-one-feature", 1),
    ("ravine", 0),
    ("logistic-two-features", 1),
]


@pytest.mark.parametrize(("preset", "j"), AFTER_CASES)
async def test_the_landing_point_lies_on_the_curve_after_the_step(preset: str, j: int) -> None:
    app = GdtuiApp(load_scenario(preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "n", "n", *["j"] * j)
        _, fig = figure(app)
        session = debugger(app).session
        snapshot = session.current
        assert fig.after is not None
        next_w, landing = fig.landing
        assert landing == session.landing_cost(snapshot)
        at = int(np.flatnonzero(fig.ws == next_w)[0])  # the landing value is sampled exactly
        assert fig.after[at] == pytest.approx(landing, rel=1e-12)
        # Everywhere else: J with this parameter set and the others where the step sends them.
        problem = session.problem
        for i in range(0, len(fig.ws), 7):
            expected = problem.cost(moved(snapshot.next_theta, j, float(fig.ws[i])))
            assert fig.after[i] == pytest.approx(expected, rel=1e-12)


async def test_no_second_curve_when_only_the_plotted_parameter_moves() -> None:
    app = GdtuiApp(load_scenario("bowl-from-right"))
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "n")
        _, fig = figure(app)
        assert fig.after is None
        assert fig.landing[1] == pytest.approx(float(np.interp(fig.landing[0], fig.ws, fig.costs)))


@pytest.mark.parametrize(
    ("preset", "keys"),
    [("two-valleys", ["c"]), ("bowl-from-left", ["n", "n"]), ("separable", ["c"])],
    ids=["two-valleys converged", "bowl two steps", "separable converged"],
)
async def test_the_legend_and_title_write_the_numbers_with_digits_that_tell_them_apart(
    preset: str, keys: list[str]
) -> None:
    app = GdtuiApp(load_scenario(preset))
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, *keys)
        plot, _ = figure(app)
        snapshot = debugger(app).session.current
        w, next_w = float(snapshot.theta[0]), float(snapshot.next_theta[0])
        lines = plot_lines(plot)
        legend = re.search(rf"{CURRENT} w=(\S+)  {LANDING} next (\S+)", lines[-1])
        assert legend is not None, lines[-1]
        now, landed = legend.groups()
        assert within_last_digit(now, w) and within_last_digit(landed, next_w)
        # Two different values never read the same (two-valleys lands 1e-7 away).
        assert (now != landed) == (w != next_w)
        slope = re.search(r"slope dw=(\S+)", lines[0])
        assert slope is not None, lines[0]
        assert within_last_digit(slope.group(1), float(snapshot.grad[0]))
