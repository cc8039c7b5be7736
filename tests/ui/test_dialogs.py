"""`a` types an exact alpha, `=` an exact start point; `x` and `f` outside a classroom."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, Static

from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.alpha_input import AlphaScreen
from gdtui.ui.screens.start_input import StartScreen

from .helpers import debugger, scenario, screen_lines


async def type_in(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.focused
    assert isinstance(field, Input)
    field.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_a_sets_an_exact_alpha_from_the_next_step() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "a")
        await pilot.pause()
        assert isinstance(app.screen, AlphaScreen)
        await type_in(pilot, "0.0375")
        screen = debugger(app)
        assert not isinstance(app.screen, AlphaScreen)
        assert screen.session.alpha == 0.0375
        w, dw = float(screen.session.current.theta[0]), float(screen.session.current.grad[0])
        await pilot.press("n")
        # The next update uses it: w := w - alpha*dw, worked by hand.
        assert float(screen.session.current.theta[0]) == w - 0.0375 * dw
        assert "alpha 0.0375" in screen_lines(app)[0]


@pytest.mark.parametrize(
    ("typed", "error"),
    [("fast", "must be a number"), ("-0.1", "greater than 0"), ("0", "greater than 0"),
     ("inf", "finite"), ("nan", "finite")],
)  # fmt: skip
async def test_a_wrong_alpha_is_explained_in_the_dialog(typed: str, error: str) -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        alpha = debugger(app).session.alpha
        await type_in(pilot, typed)
        assert isinstance(app.screen, AlphaScreen)  # still open
        message = str(app.screen.query_one("#error", Static).content)
        assert error in message and "\n" not in message
        assert any(error in line for line in screen_lines(app))
        assert debugger(app).session.alpha == alpha


async def test_escape_keeps_alpha() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "a", "1", "escape")
        await pilot.pause()
        screen = debugger(app)
        assert not isinstance(app.screen, AlphaScreen)
        assert screen.session.alpha == scenario("curve").optimizer.alpha
        assert screen.session.current.step == 1


async def test_equals_restarts_from_an_exact_w_and_b() -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n", "equals_sign")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await type_in(pilot, "0.25")
        await type_in(pilot, "-1.5")
        screen = debugger(app)
        assert not isinstance(app.screen, StartScreen)
        assert screen.session.current.step == 0
        assert screen.session.current.theta.tolist() == [0.25, -1.5]
        state = screen.state_panel.text
        assert "0.250" in state and "-1.500" in state


async def test_equals_takes_every_component_of_a_vector_w() -> None:
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("equals_sign")
        await pilot.pause()
        await type_in(pilot, "0.5")  # one number for two components
        assert isinstance(app.screen, StartScreen)
        assert "w needs 2 numbers" in str(app.screen.query_one("#error", Static).content)
        await type_in(pilot, "0.5, -2")
        await type_in(pilot, "3")
        session = debugger(app).session
        assert np.array_equal(session.current.theta, [0.5, -2.0, 3.0])


@pytest.mark.parametrize(("typed", "error"), [("x", "'x' is not a number"),
                                              ("1e999", "not a finite number")])  # fmt: skip
async def test_a_wrong_start_is_explained_in_the_dialog(typed: str, error: str) -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "equals_sign")
        await pilot.pause()
        await type_in(pilot, typed)
        assert isinstance(app.screen, StartScreen)
        assert error in str(app.screen.query_one("#error", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert debugger(app).session.current.step == 1  # the run is kept


@pytest.mark.parametrize("key", ["x", "f"])
async def test_x_and_f_say_they_are_for_a_classroom(key: str) -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert any("for a class" in n.message for n in app._notifications)
        assert any("for a class" in line for line in screen_lines(app))
