"""The update panel, the state panel, the step log and the status line never mislead: a
verdict says what the step does to J, a number has the digits to show that it changed, a
stop says why it stopped. Checked on screen, against numbers worked out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp
from gdtui.ui.format import number

from .helpers import debugger, scenario, settle, until

SIZES = [(60, 20), (80, 24), (120, 40)]


def landing_shown(text: str) -> str:
    """The number after `J(next) = ` in the update panel."""
    found = re.search(r"J\(next\) = (\S+)", text)
    assert found, text
    return found.group(1)


async def goto(pilot, step: int) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("g", *str(step), "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_a_step_that_overshoots_says_so(size: tuple[int, int]) -> None:
    # alpha-divergent by hand: J = (w - 3)**2, alpha = 1.5, w0 = 4.
    # Step 0: J = 1, dw = 2, w := 4 - 1.5*2 = 1, where J = 4.
    # Step 1: J = 4, dw = -4, w := 1 - 1.5*(-4) = 7, where J = 16.
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=size) as pilot:
        panel = debugger(app).update_panel
        text = " ".join(panel.text.split())  # a narrow panel wraps its last line
        assert "overshoots" in text
        assert landing_shown(text) == "4.000"
        await pilot.press("n")
        text = " ".join(panel.text.split())
        assert "w moves RIGHT →, downhill" in text or "moves RIGHT →, downhill" in text
        assert "overshoots the minimum" in text
        assert "J rises 4.000 → 16.000" in text
        assert "toward lower cost" not in text


async def test_j_next_of_a_descending_step_is_the_next_steps_cost() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = debugger(app)
        for _ in range(3):
            shown = landing_shown(screen.update_panel.text)
            assert "J falls" in screen.update_panel.text
            assert "overshoots" not in screen.update_panel.text
            await pilot.press("n")
            assert shown == number(screen.session.current.cost)
            # ... and J at the new w, computed here: (w - 3)**2.
            w = float(screen.session.current.theta[0])
            assert float(shown) == pytest.approx((w - 3) ** 2, abs=5e-4)


async def test_crossing_the_minimum_while_j_falls_is_not_an_overshoot() -> None:
    # w = 7, dw = 8, alpha = 0.9: w := -0.2, where J = 10.24 < 16 and the slope is -6.4.
    app = GdtuiApp(scenario("overshoot"))
    async with app.run_test(size=(120, 40)):
        text = " ".join(debugger(app).update_panel.text.split())
        assert "w crosses the minimum" in text
        assert "yet J falls 16.000 → 10.240" in text


async def test_every_value_shows_its_change_after_500_steps() -> None:
    # The case: three decimals showed `1.425 - 0.30*(-0.001) = 1.425`.
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=(120, 40)) as pilot:
        await goto(pilot, 500)
        screen = debugger(app)
        session = screen.session
        assert session.current.step == 500
        rule = screen.update_panel.text.splitlines()[0]
        old, new = re.fullmatch(r"w := w - alpha\*dw = (\S+) - 0\.30\*\((\S+)\) = (\S+)", rule
                                ).group(1, 3)  # type: ignore[union-attr]  # fmt: skip
        assert old != new
        assert float(old) == pytest.approx(float(session.current.theta[0]), abs=5e-5)
        assert float(new) == pytest.approx(float(session.current.next_theta[0]), abs=5e-5)
        # The step log: each w differs from the row above (they all do differ).
        rows = screen.step_log.text.splitlines()[1:]
        ws = [row.split()[1] for row in rows]
        assert len(ws) >= 3
        assert all(a != b for a, b in zip(ws, ws[1:], strict=False))
        # The state panel: w and the cost differ from the step before, on screen.
        await pilot.press("b")
        before = screen.state_panel.text
        await pilot.press("n")
        after = screen.state_panel.text
        assert before.splitlines()[0].split()[1] != after.splitlines()[0].split()[1]
        assert before.splitlines()[2].split()[1] != after.splitlines()[2].split()[1]


@pytest.fixture
def log_w(tmp_path: Path) -> Path:
    path = tmp_path / "log.toml"
    path.write_text(
        'name = "log(w)"\ndescription = "From w = -1."\n'
        '[problem]\nkind = "curve"\ncost = "log(w)"\n'
        '[start]\nw = -1.0\n[optimizer]\nkind = "gd"\nalpha = 0.1\n'
    )
    return path


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_a_nan_cost_is_not_an_overflow(log_w: Path, size: tuple[int, int]) -> None:
    app = GdtuiApp(load_scenario(str(log_w)))
    async with app.run_test(size=size) as pilot:
        screen = debugger(app)
        status = " ".join(screen.status_line.text.split())
        panel = " ".join(screen.update_panel.text.split())
        assert "J is not a number at w = -1.000" in status
        assert "the cost is undefined there" in panel
        for text in (status, panel):
            assert "overflow" not in text
            assert "Lower alpha" not in text and "lower alpha" not in text
        assert "downhill" not in panel  # no cost here, so no downhill either
        await pilot.press("n")
        assert screen.session.current.step == 0
        message = " ".join(n.message for n in app._notifications)
        assert "undefined" in message
        assert "lower alpha" not in message.lower()


async def test_a_landing_outside_the_domain_does_advise_a_smaller_alpha(tmp_path: Path) -> None:
    path = tmp_path / "log.toml"
    path.write_text(
        'name = "log(w)"\ndescription = "From w = 0.5."\n'
        '[problem]\nkind = "curve"\ncost = "log(w)"\n'
        '[start]\nw = 0.5\n[optimizer]\nkind = "gd"\nalpha = 1.0\n'
    )
    app = GdtuiApp(load_scenario(str(path)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = debugger(app)
        # Before the step is tried: dw = 1/w = 2, so w := 0.5 - 2 = -1.5, and log(-1.5) is nan.
        assert "J(next) is not a number: the step lands at w = -1.500" in " ".join(
            screen.update_panel.text.split()
        )
        await pilot.press("n")
        await pilot.pause()
        assert screen.session.current.step == 0
        assert "lands where J is not a number" in screen.status_line.text
        assert "Lower alpha" in " ".join(screen.update_panel.text.split())


async def test_converged_reports_the_step_where_it_first_converged() -> None:
    # The curve converges at step 70: |dw| = 5*0.8**k <= 1e-6 first at k = 70.
    first = next(k for k in range(1000) if 5 * 0.8**k <= 1e-6)
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, 200)
        status = " ".join(debugger(app).status_line.text.split())
        assert f"converged at step {first}:" in status
        assert "converged at step 200" not in status


async def test_a_rise_under_momentum_names_the_velocity() -> None:
    app = GdtuiApp(scenario("momentum"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = debugger(app)
        costs = [screen.session.current.cost]
        for _ in range(60):
            await pilot.press("n")
            costs.append(screen.session.current.cost)
            if costs[-1] > costs[-2]:
                break
        assert costs[-1] > costs[-2], "momentum never raised J"
        text = screen.state_panel.text
        assert "J went UP: the velocity carried it on" in text
        assert "alpha too large" not in text
        # One step back, the update panel foretold the rise, and named the velocity too.
        await pilot.press("b")
        said = " ".join(screen.update_panel.text.split())
        assert f"J rises {number(costs[-2])} → {number(costs[-1])}" in said
        assert "velocity" in said.split("J(next)")[1]
        assert "alpha is so large" not in said


async def test_a_vector_w_gets_a_verdict_per_component_and_one_j_next() -> None:
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = debugger(app)
        await pilot.press("n", "j")
        assert screen.component == 1
        text = screen.update_panel.text
        snapshot = screen.session.current
        assert text.startswith("w[1] := w[1] - alpha*dw[1]")
        assert "dw[1] " in text and "b := b - alpha*db" in text
        assert text.count("J(next)") == 1
        assert landing_shown(text) == number(screen.session.landing_cost(snapshot))
        await pilot.press("n")
        assert landing_shown(text) == number(screen.session.current.cost)


async def test_g_3000_on_the_lesson_reports_where_it_converged() -> None:
    # The case: the lesson's run converges at step 2,370; `g 3000` said 3,000.
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, 3000)
        session = debugger(app).session
        assert session.current.step == 3000
        # Independently of the recorded grad-norm column: the slopes of every step, replayed.
        first = next(s.step for s in session.snapshots() if float(np.linalg.norm(s.grad)) <= 1e-6)
        status = " ".join(debugger(app).status_line.text.split())
        assert f"converged at step {first:,}:" in status
        assert first == 2370
        # J changes by about 1e-15 a step here: the cost takes its digits and the change
        # moves below it instead of being cut off.
        state = debugger(app).state_panel
        change = session.current.cost - session.snapshot(2999).cost
        assert 0 < abs(change) < 1e-12
        assert f"change  {number(change, signed=True)} ▼" in state.text
        width = state.size.width
        assert all(len(line) <= width for line in state.text.splitlines())


def quadratic_divergence(w: float, alpha: float = 1.5) -> tuple[int, float, float]:
    """By hand, for J = (w - 3)**2 from `w`: the step at which the run stops (the first
    whose update would take w past 1e150), w there, and where that update lands."""
    step = 0
    while True:
        landed = w - alpha * 2 * (w - 3)
        if abs(landed) > 1e150:
            return step, w, landed
        w, step = landed, step + 1


@pytest.mark.parametrize("size", [(60, 20), (120, 40)])
async def test_a_run_stopped_short_of_overflow_does_not_claim_one(size: tuple[int, int]) -> None:
    """The run stops before w passes 1e150, where J = (w - 3)**2 is still a float: the
    screen says where it stopped and why, and J(next) as it is, not an overflow."""
    step, w, landed = quadratic_divergence(4.0)
    j_next = (landed - 3) ** 2
    assert np.isfinite(j_next)  # the premise: nothing has overflowed yet
    app = GdtuiApp(load_scenario(str(Path(__file__).parent / "data" / "diverging.toml")))
    async with app.run_test(size=size) as pilot:
        await pilot.press("c")
        screen = debugger(app)
        await until(pilot, lambda: not screen.busy and screen.session.current.step == step)
        await settle(pilot)
        assert screen.session.divergence == "overflow"  # the engine's cause, as the trace has it
        status = " ".join(screen.status_line.text.split())
        panel = " ".join(screen.update_panel.text.split())
        assert f"diverged at step {step}" in status
        assert "the update takes w past ±1e150" in status
        assert "w would pass ±1e150: gdtui stops there" in panel
        assert "Lower alpha" in panel
        assert "update overflows" not in status
        assert "too large to compute" not in panel and "J(next) overflows" not in panel
        assert landing_shown(panel) == number(j_next)
        assert "▲): the step overshoots the minimum" in panel
        assert np.isclose(screen.session.current.theta[0], w, rtol=1e-12)
