"""Predict first (`p`), on screen: where the update goes is hidden until the answer, then the
step is taken and the verdict shown; the status line keeps the score.

The numbers expected are worked out here from the lesson's rule on the bowl
`J(w) = (w - 3)**2` (dw = 2*(w - 3)), not read from the engine.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.debugger import DebuggerScreen

from .helpers import debugger, scenario, screen_lines

#: Tall enough for the step log.
SIZE = (120, 40)

#: What gives away the next update on a screen that is not asking: the landing point's
#: legend, the cost where it lands, the verdict's words.
GIVEAWAYS = ("x next", "J(next)", "downhill", "moves RIGHT", "w := w - alpha*dw =")


def screen_text(pilot: Pilot[None]) -> str:
    return "\n".join(screen_lines(pilot.app))  # type: ignore[arg-type]


async def predicting(pilot: Pilot[None]) -> DebuggerScreen:
    await pilot.press("p")
    await pilot.pause()
    return debugger(pilot.app)  # type: ignore[arg-type]


async def test_predict_mode_hides_where_the_update_goes_and_asks() -> None:
    app = GdtuiApp(scenario("curve"))  # w = 0.5, dw = 2*(0.5 - 3) = -5
    async with app.run_test(size=SIZE) as pilot:
        before = screen_text(pilot)
        # Shown without p, the notes too (this scenario's say which way w goes).
        assert all(word in before for word in ("x next", "J(next)", "moves RIGHT"))
        screen = await predicting(pilot)
        shown = screen_text(pilot)
        assert "which way will w move?" in shown
        assert "w := w - alpha*dw, with dw = -5.000 and alpha = 0.10" in shown
        for word in GIVEAWAYS:
            assert word not in shown, word
        assert screen.step_log.text.splitlines()[-1].split()[-1] == "?"  # its move column
        assert screen.status_line.text.startswith("predict · 0 of 0 right │")


async def test_a_right_answer_takes_the_step_and_says_so() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press("right")  # dw = -5 < 0: w moves right, to 0.5 + 0.1*5 = 1.0
        await pilot.pause()
        assert screen.session.current.step == 1
        panel = screen.update_panel.text.splitlines()
        assert panel[0] == "✓ right"
        assert panel[1] == "w := w - alpha*dw = 0.500 - 0.10*(-5.000) = 1.000"
        # ... and at step 1 it asks again: dw = 2*(1 - 3) = -4.
        assert "w := w - alpha*dw, with dw = -4.000 and alpha = 0.10" in panel
        assert "predict · 1 of 1 right" in screen.status_line.text


@pytest.mark.parametrize("key", ["left", "h"])
async def test_a_wrong_answer_says_which_way_and_why(key: str) -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert screen.update_panel.text.splitlines()[0] == "✗ wrong: dw < 0, so w moves RIGHT →"
        assert "predict · 0 of 1 right" in screen.status_line.text


async def test_n_without_an_answer_reveals_without_scoring() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press("l")
        await pilot.press("n")
        await pilot.pause()
        assert screen.session.current.step == 2
        assert screen.update_panel.text.splitlines()[0] == (
            "not scored (no answer): dw < 0, so w moves RIGHT →"
        )
        assert "predict · 1 of 1 right" in screen.status_line.text


async def test_momentum_carrying_w_past_the_bottom_is_right_against_the_slope() -> None:
    # By hand, PyTorch's rule: v = 0.9*v + dw, w := w - 0.1*v, from w = 0.
    w, v, step = 0.0, 0.0, 0
    while True:
        dw = 2 * (w - 3)
        v = 0.9 * v + dw if step else dw
        if dw > 0 and w - 0.1 * v > w:
            break  # past the bottom, and still going right
        w, step = w - 0.1 * v, step + 1
    app = GdtuiApp(scenario("momentum"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press(*["n"] * step, "l")
        await pilot.pause()
        assert screen.update_panel.text.splitlines()[0] == (
            "✓ right: dw > 0, yet w moves RIGHT →, against the slope: the velocity built up on "
            "earlier steps carries it on"
        )
        assert "predict · 1 of 1 right" in screen.status_line.text


async def test_p_again_shows_everything_and_keeps_no_score() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press("l", "p")
        await pilot.pause()
        assert "x next" in screen_text(pilot)
        assert "J(next)" in screen.update_panel.text
        assert "predict" not in screen.status_line.text
        await pilot.press("l")  # not an answer now: nothing moves
        await pilot.pause()
        assert screen.session.current.step == 1


async def test_back_asks_again_and_the_step_is_not_scored_twice() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        await pilot.press("l", "b")
        await pilot.pause()
        assert screen.update_panel.text.startswith("which way will w move?")
        await pilot.press("l")
        await pilot.pause()
        assert screen.update_panel.text.splitlines()[0] == "✓ right (step 0 was scored already)"
        assert "predict · 1 of 1 right" in screen.status_line.text


async def test_j_asks_about_b_and_the_state_hides_its_arrows() -> None:
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await predicting(pilot)
        assert "which way will w[0] move?" in screen.update_panel.text
        assert all(row.endswith("?") for row in screen.state_panel.text.splitlines()
                   if row.lstrip("▶ ").startswith("w["))  # fmt: skip
        await pilot.press("j", "j")
        await pilot.pause()
        assert "which way will b move?" in screen.update_panel.text
        # At w = 0, b = 0 every yhat is 0.5 and half the students passed: db = 0, b stays.
        await pilot.press("left")
        await pilot.pause()
        assert screen.update_panel.text.splitlines()[0] == (
            "· not scored: db = 0: the slope is flat, so b stays where it is"
        )
        assert "predict · 0 of 0 right" in screen.status_line.text
        b, db = screen.session.current.theta[-1], screen.session.current.grad[-1]
        answer = "left" if db > 0 else "right"
        await pilot.press(answer)
        await pilot.pause()
        assert screen.update_panel.text.splitlines()[0] == "✓ right"
        assert bool(screen.session.current.theta[-1] < b) == (answer == "left")


async def test_the_surface_view_hides_the_landing_too() -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert "x next" in screen_text(pilot)
        await predicting(pilot)
        assert "x next" not in screen_text(pilot)
