"""Compare runs (`m` keeps the run as a ghost, `M` drops it), checked on what the screen
shows: the label, when the ghost stays and goes, and its points against the engine's."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from textual.widgets import OptionList

from gdtui.build import build_session
from gdtui.engine.snapshot import Layout
from gdtui.lesson.actions import Action, KeepGhost, Load, Reset, SetAlpha, ShowGhost, Step
from gdtui.lesson.ghost import keep
from gdtui.lesson.recording import read_lesson, write_lesson
from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp, replay_app
from gdtui.ui.format import alpha_text, ghost_label
from gdtui.ui.screens.scenario_picker import ScenarioPicker
from gdtui.ui.widgets.braille_plot import GHOST, BraillePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot

from .helpers import debugger, screen_lines

SIZE = (80, 24)
WIDE = (120, 40)
LABEL = "ghost: gd alpha 0.90"


def on_screen(app: GdtuiApp) -> str:
    return "\n".join(screen_lines(app))


def plot_lines(plot: BraillePlot) -> list[str]:
    return [plot.render_line(y).text for y in range(plot.size.height)]


async def kept_then_lowered(pilot, steps: int = 20) -> None:  # type: ignore[no-untyped-def]
    """alpha-overshoot run `steps` steps and kept, alpha lowered to 0.60, started again."""
    await pilot.press(*["n"] * steps, "m", "-", "0")
    await pilot.pause()


# -- the label --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alphas", "kinds", "theta0", "now", "expected"),
    [
        ((0.3,), ("gd",), [7.0], [7.0], "ghost: gd alpha 0.30"),
        ((0.9, 0.3), ("gd",), [7.0], [7.0], "ghost: gd alpha 0.90→0.30"),
        ((0.001,), ("gd", "adam"), [7.0], [7.0], "ghost: gd→adam alpha 0.001"),
        ((0.3,), ("momentum",), [-2.0], [7.0], "ghost: momentum alpha 0.30 from w=-2"),
    ],
)
def test_the_label_says_what_the_kept_run_ran_with(
    alphas: tuple[float, ...], kinds: tuple[str, ...], theta0: list[float], now: list[float],
    expected: str,
) -> None:  # fmt: skip
    session = build_session(load_scenario("alpha-overshoot"))
    ghost = keep(session, Load("alpha-overshoot"))
    object.__setattr__(ghost, "alphas", alphas)
    object.__setattr__(ghost, "optimizers", kinds)
    object.__setattr__(ghost, "theta0", np.array(theta0))
    assert ghost_label(ghost, now, session.layout) == expected


def test_the_label_names_w_and_b_of_a_start_that_differs() -> None:
    session = build_session(load_scenario("logistic-two-features"))
    ghost = keep(session, Load("logistic-two-features"))
    layout = session.layout
    same = ghost_label(ghost, ghost.theta0.tolist(), layout)
    assert same == f"ghost: {session.optimizer.kind} alpha {alpha_text(session.alpha)}"
    moved = [v + 1 for v in ghost.theta0.tolist()]
    w = ", ".join(f"{v:g}" for v in ghost.theta0[:-1])
    assert ghost_label(ghost, moved, layout).endswith(f" from w=[{w}] b={ghost.theta0[-1]:g}")
    assert ghost_label(ghost, [1.0, 2.0], Layout(1, True, False)).endswith(
        f" from w={ghost.theta0[0]:g} b={ghost.theta0[-1]:g}"
    )


# -- on the screen ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_m_shows_the_label_and_M_drops_it(size: tuple[int, int]) -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "n")
        assert "ghost:" not in on_screen(app)
        await kept_then_lowered(pilot, 3)
        assert LABEL in on_screen(app)
        await pilot.press("M")
        await pilot.pause()
        assert "ghost:" not in on_screen(app) and debugger(app).ghost is None


async def test_the_ghost_survives_reset_and_reopening_the_same_scenario() -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=SIZE) as pilot:
        await kept_then_lowered(pilot)
        await pilot.press("n", "0")
        await pilot.pause()
        assert LABEL in on_screen(app)
        await pick_scenario(pilot, app, "alpha-overshoot")
        assert debugger(app).session.last == 0  # a fresh session of the same scenario
        assert LABEL in on_screen(app)


async def test_another_scenario_drops_the_ghost_and_says_so() -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await kept_then_lowered(pilot)
        await pick_scenario(pilot, app, "alpha-too-small")
        assert debugger(app).ghost is None and "ghost:" not in on_screen(app)
        assert any("ghost" in n.message for n in app._notifications)


async def pick_scenario(pilot, app: GdtuiApp, name: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("s")
    assert isinstance(app.screen, ScenarioPicker)
    options = app.screen.query_one(OptionList)
    index = next(i for i in range(options.option_count)
                 if options.get_option_at_index(i).id == name)  # fmt: skip
    options.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


async def test_a_student_following_sees_the_teachers_ghost() -> None:
    """The keys perform actions: performed elsewhere, they draw the same ghost."""
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=SIZE) as pilot:
        await kept_then_lowered(pilot, 5)
        actions = list(debugger(app).lesson)
    student = GdtuiApp(load_scenario("alpha-overshoot"))
    async with student.run_test(size=SIZE) as pilot:
        for action in actions[1:]:
            debugger(student).perform(action)
        await pilot.pause()
        assert LABEL in on_screen(student)
        assert debugger(student).ghost.last == 5  # type: ignore[union-attr]


async def test_a_student_who_joins_later_sees_the_teachers_ghost() -> None:
    """The teacher's state carries the ghost: a late joiner (or one following again), whose
    run starts at the teacher's step, draws the same ghost on the same cells."""
    teacher = GdtuiApp(load_scenario("alpha-overshoot"))
    states: list[list[Action]] = []
    async with teacher.run_test(size=SIZE) as pilot:
        screen = debugger(teacher)
        screen.seat.link = SimpleNamespace(  # type: ignore[assignment]
            role="teacher",
            connected=True,
            publish_nowait=lambda action: None,
            publish_state=lambda state: states.append(list(state)) or True,
        )
        await kept_then_lowered(pilot, 5)
        await pilot.press("n", "n", "n")
        await pilot.pause()
        kept = screen.ghost
        drawn = ghost_cells(plot_lines(screen.query_one(CostHistoryPlot)))
        *state, last = states[-1]
        assert isinstance(last, ShowGhost) and not any(isinstance(a, ShowGhost) for a in state)
        await pilot.press("M")  # dropped: the next state has none
        await pilot.pause()
        assert not any(isinstance(a, ShowGhost) for a in states[-1])
    assert kept is not None and drawn
    student = GdtuiApp(load_scenario("alpha-overshoot"))
    async with student.run_test(size=SIZE) as pilot:
        screen = debugger(student)
        for action in [*state, last]:
            screen.perform(action)
        await pilot.pause()
        assert screen.session.current.step == 3
        assert LABEL in on_screen(student)
        ghost = screen.ghost
        assert ghost is not None and ghost.last == kept.last == 5
        assert ghost.costs.tobytes() == kept.costs.tobytes()
        assert ghost.path.tobytes() == kept.path.tobytes()
        assert ghost_cells(plot_lines(screen.query_one(CostHistoryPlot))) == drawn


# -- the ghost's points against the engine ----------------------------------------------------


def canvas(lines: list[str]) -> tuple[list[str], int]:
    """The rows inside the plot's frame, top first, and the column the canvas starts at."""
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌") + 1, lines[top].index("┐")
    return [line[left:right] for line in lines[top + 1 : bottom]], left


def ghost_cells(rows: list[str]) -> set[tuple[int, int]]:
    """The (row from the top, column) cells of the canvas that show the ghost's marker."""
    return {(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == GHOST}


def cells_of(xs: np.ndarray, ys: np.ndarray, limits, cols: int, rows: int) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The (row from the top, column) cells the points fall in: braille dots two across and
    four down a cell, the first and last dot on the canvas's edges."""
    (x0, x1), (y0, y1) = limits
    ix = np.floor((2 * cols - 1) * (xs - x0) / (x1 - x0) + 0.5).astype(int)
    iy = np.floor((4 * rows - 1) * (ys - y0) / (y1 - y0) + 0.5).astype(int)
    inside = (ix >= 0) & (ix < 2 * cols) & (iy >= 0) & (iy < 4 * rows)
    return {(rows - 1 - y // 4, x // 2) for x, y in zip(ix[inside], iy[inside], strict=True)}


async def test_the_ghosts_history_points_are_the_kept_runs_costs() -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=WIDE) as pilot:
        await kept_then_lowered(pilot, 20)
        await pilot.press("n", "n", "n")
        await pilot.pause()
        plot = debugger(app).query_one("#history", CostHistoryPlot)
        lines = plot_lines(plot)
        rows, _ = canvas(lines)
        drawn = ghost_cells(rows)
        # The run kept, computed afresh: alpha 0.9 from the scenario's start, 20 steps.
        engine = build_session(load_scenario("alpha-overshoot"))
        engine.step(20)
        costs = engine.costs()
        log = "log scale" in "\n".join(lines)
        ys = np.log10(costs) if log else costs
        expected = cells_of(np.arange(21.0), ys, plot.limits, len(rows[0]), len(rows))
        assert drawn and drawn <= expected
        # Where the ghost is not drawn, the run on screen (or its marker) is.
        hidden = expected - drawn
        assert all(rows[r][c] != " " for r, c in hidden)
        assert "○ ghost: gd alpha 0.90" in "\n".join(lines)


async def test_the_ghosts_path_on_the_cost_curve_is_the_kept_runs() -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=WIDE) as pilot:
        await kept_then_lowered(pilot, 6)
        plot = debugger(app).query_one("#plot-curve", BraillePlot)
        lines = plot_lines(plot)
        rows, _ = canvas(lines)
        drawn = ghost_cells(rows)
        engine = build_session(load_scenario("alpha-overshoot"))
        engine.step(6)
        ws = np.array([s.theta[0] for s in engine.snapshots()])
        expected = cells_of(ws, engine.costs(), plot.limits, len(rows[0]), len(rows))
        assert drawn and drawn <= expected
        hidden = expected - drawn  # under the current point, the path or the landing mark
        assert all(rows[r][c] not in " " for r, c in hidden)


async def test_a_moved_start_shows_in_the_label() -> None:
    app = GdtuiApp(load_scenario("alpha-overshoot"))  # starts at w = 7
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n", "n", "m", "left_square_bracket")
        await pilot.pause()
        start = debugger(app).session.theta0[0]
        assert start != 7.0
        assert f"{LABEL} from w=7" in on_screen(app)


async def test_a_replay_shows_the_ghost_from_its_action_on_and_not_before(
    tmp_path: Path,
) -> None:
    lesson = [Load("alpha-overshoot"), Step(4), KeepGhost(), SetAlpha(0.3), Reset(), Step(2)]
    path = tmp_path / "ghost.lesson.jsonl"
    write_lesson(path, lesson)
    app = replay_app(read_lesson(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * (len(lesson) - 1))
        await pilot.pause()
        assert LABEL in on_screen(app)
        await pilot.press("b", "b", "b", "b")  # back to Load, Step(4)
        await pilot.pause()
        assert debugger(app).ghost is None and "ghost:" not in on_screen(app)
