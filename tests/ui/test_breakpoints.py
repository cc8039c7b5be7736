"""Breakpoints on screen: the dialog's switches, `c` that always goes on, and author text
(names, notes, conditions with brackets) shown as written, never read as markup."""

from __future__ import annotations

import math

from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.widgets._toast import Toast

from gdtui.scenario import load_scenario
from gdtui.ui.adapters.textual import screen_lines
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.breakpoints import BreakpointsScreen

from .helpers import debugger, scenario, settle, until

SIZE = (80, 24)


def on_screen(pilot: Pilot[None]) -> str:
    """The whole screen as Textual would paint it now."""
    return "\n".join(screen_lines(pilot.app.screen))


def option_lines(options: OptionList) -> list[str]:
    """The option list's lines as drawn, without the blank ones."""
    lines = (options.render_line(y).text.strip(" ▊▎") for y in range(options.size.height))
    return [line for line in lines if line]


async def test_the_dialog_shows_each_switch_and_changes_it_when_toggled() -> None:
    app = GdtuiApp(scenario("brackets"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        assert isinstance(app.screen, BreakpointsScreen)
        options = app.screen.query_one(OptionList)
        before = option_lines(options)
        assert before[0] == "[on ] w > 2.5: the condition becomes true"
        assert before[1].startswith("[off] slope_sign_flip: dw changed sign")
        await pilot.press("space")  # the first one, highlighted
        await pilot.pause()
        after = option_lines(options)
        assert after[0] == "[off] w > 2.5: the condition becomes true"
        assert after[1] == before[1]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert option_lines(options)[1].startswith("[on ] slope_sign_flip: dw changed sign")
        assert "[on ] slope_sign_flip" in on_screen(pilot)
        await pilot.press("escape")
        assert [bp.enabled for bp in debugger(app).session.breakpoints] == [False, True]


async def test_author_text_with_brackets_is_shown_as_written() -> None:
    app = GdtuiApp(scenario("brackets"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = debugger(app)
        assert screen.status_line.text.startswith("Bowl [draft] for w[0]")
        shown = on_screen(pilot)
        assert "Bowl [draft] for w[0]" in shown
        assert "press [b] to step back," in shown  # the notes, wrapped in their panel
        assert "[bold]not bold[/bold]." in shown


async def test_an_error_naming_a_key_with_brackets_is_shown_as_written() -> None:
    app = GdtuiApp(scenario("brackets"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        debugger(app)._scenario_chosen("no[such]/lesson[0].toml")
        await until(pilot, lambda: bool(app.screen.query(Toast)))
        await pilot.pause()
        assert "no[such]/lesson[0].toml: no such scenario" in on_screen(pilot)


async def test_continue_where_a_condition_fired_goes_on() -> None:
    app = GdtuiApp(scenario("brackets"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await settle(pilot)
        # w_k = 3 - 3*0.8**k > 2.5 first at k = 9 (0.8**9 = 0.134 < 1/6 < 0.168 = 0.8**8).
        assert screen.session.current.step == 9
        assert "stopped at breakpoint w > 2.5: the condition becomes true" in (
            screen.status_line.text
        )
        await pilot.press("c")
        await settle(pilot)
        # On to convergence: |dw_k| = 6*0.8**k <= 1e-6 first at k = 70.
        assert screen.session.current.step == 70
        assert "converged at step 70" in screen.status_line.text


def saddle_slope(w: float) -> float:
    """The slope of plateau-saddle's w**4/4 - w**3, by hand: w**2*(w - 3)."""
    return w**2 * (w - 3)


async def test_plateau_saddle_c_stops_once_then_reaches_the_saddle() -> None:
    app = GdtuiApp(load_scenario("plateau-saddle"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await settle(pilot)
        first = screen.session.current.step
        w = screen.session.path()[:, 0]
        assert abs(saddle_slope(w[-1])) < 1e-3 <= min(abs(saddle_slope(x)) for x in w[:-1])
        assert f"step {first:,}" in screen.status_line.text
        assert "stopped at breakpoint abs(dw) < 1e-3" in screen.status_line.text
        await pilot.press("c")
        await settle(pilot)
        current = screen.session.current
        # The notes' promise: it "converges" where the slope vanishes, at the saddle w = 0,
        # not at the minimum w = 3.
        assert current.step > first + 1000
        assert "converged at step" in screen.status_line.text
        assert abs(current.w) < 0.01
        assert math.isclose(current.cost, current.w**4 / 4 - current.w**3, abs_tol=1e-12)


async def test_separable_c_stops_once_then_keeps_going() -> None:
    # A lower max_steps than the preset's 20,000 keeps the test quick; the engine's test of
    # the preset runs it in full.
    app = GdtuiApp(load_scenario("separable", ["stop.max_steps=5000"]))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await settle(pilot)
        first = screen.session.current.step
        assert "stopped at breakpoint w[0] > 5" in screen.status_line.text
        assert screen.session.current.w[0] > 5 >= screen.session.snapshot(first - 1).w[0]
        await pilot.press("c")
        await settle(pilot)
        assert screen.session.current.step == screen.session.max_steps
        assert f"reached max steps ({screen.session.max_steps:,})" in screen.status_line.text


async def test_alpha_divergent_c_steps_until_cost_increase_is_switched_off() -> None:
    # The notes: cost_increase stops every step, c takes the next one; switched off with B,
    # c runs on until w is about to pass 1e150.
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        for step in (1, 2):
            await pilot.press("c")
            await settle(pilot)
            assert screen.session.current.step == step
            assert "stopped at breakpoint cost_increase" in screen.status_line.text
        await pilot.press("B", "space", "escape")
        await pilot.press("c")
        await settle(pilot)
        step = screen.session.current.step
        assert step > 2 and screen.session.diverged
        assert f"diverged at step {step:,}" in screen.status_line.text
