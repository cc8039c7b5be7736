"""Every key of the debugger, pressed as a user would, checked on the engine and on screen."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import ContentSwitcher, OptionList, Static

from gdtui.engine.session import Session
from gdtui.trace import csv_header
from gdtui.ui.app import GdtuiApp
from gdtui.ui.commands import COMMANDS
from gdtui.ui.screens.breakpoints import BreakpointsScreen
from gdtui.ui.screens.goto_step import GotoStepScreen
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.optimizer_picker import OptimizerPicker
from gdtui.ui.screens.scenario_picker import ScenarioPicker
from gdtui.ui.widgets.cost_curve import CostCurvePlot

from .helpers import debugger, scenario, settle, until

SIZE = (80, 24)


def app_for(name: str) -> GdtuiApp:
    return GdtuiApp(scenario(name))


@pytest.mark.parametrize("key", ["n", "space"])
async def test_step_forward(key: str) -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        screen = debugger(app)
        assert screen.session.current.step == 1
        assert screen.session.current.w == pytest.approx(1.0)  # 0.5 - 0.1*(-5)
        assert "step 1 │ paused" in screen.status_line.text
        assert "w := w - alpha*dw = 1.000 - 0.10*(-4.000) = 1.400" in screen.update_panel.text
        assert "moves RIGHT →" in screen.update_panel.text
        assert "w           1.000" in screen.state_panel.text


async def test_step_back() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "b")
        screen = debugger(app)
        assert screen.session.current.step == 2
        assert screen.session.last == 3
        assert "step 2 │" in screen.status_line.text


async def test_back_at_the_start_stays_and_says_so() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        assert debugger(app).session.current.step == 0
        assert any("step 0" in n.message for n in app._notifications)


async def test_run_animates_and_r_pauses() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign", "r")
        assert screen.running
        assert "▶ running, 30 steps/s" in screen.status_line.text
        await until(pilot, lambda: screen.session.current.step >= 3)
        await pilot.press("r")
        assert not screen.running
        stopped = screen.session.current.step
        await pilot.pause(0.2)
        assert screen.session.current.step == stopped
        assert "paused" in screen.status_line.text


async def test_run_stops_by_itself_at_a_breakpoint() -> None:
    app = app_for("overshoot")
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press(*["greater_than_sign"] * 6, "r")
        await until(pilot, lambda: not screen.running)
        assert screen.session.current.step == 1
        assert "stopped at breakpoint slope_sign_flip" in screen.status_line.text


@pytest.mark.parametrize(("key", "speed"), [("less_than_sign", 2), ("greater_than_sign", 10)])
async def test_speed_keys(key: str, speed: int) -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key, "r")
        assert f"running, {speed} steps/s" in debugger(app).status_line.text
        await pilot.press("r")


async def test_continue_runs_to_convergence() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = debugger(app)
        assert screen.session.current.step == 70
        assert "✓ converged at step 70" in screen.status_line.text


async def test_continue_stops_at_a_breakpoint_and_names_it() -> None:
    app = app_for("overshoot")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = debugger(app)
        assert screen.last_result is not None
        assert screen.last_result.breakpoint == "slope_sign_flip"
        assert (
            "stopped at breakpoint slope_sign_flip: dw changed sign: the step overshot the minimum"
            in screen.status_line.text
        )


async def test_continue_shows_divergence_with_finite_values_and_back_works() -> None:
    app = app_for("diverging")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = debugger(app)
        assert screen.session.diverged
        assert "✗ diverged at step 498" in screen.status_line.text
        assert "inf" not in screen.state_panel.text and "nan" not in screen.state_panel.text
        panel = " ".join(screen.update_panel.text.split())
        assert "w would pass ±1e150: gdtui stops there" in panel
        await pilot.press("b")
        assert screen.session.current.step == 497
        assert "step 497 │ paused" in screen.status_line.text


async def test_goto_a_recorded_step() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n", "g")
        assert isinstance(app.screen, GotoStepScreen)
        await pilot.press("2", "enter")
        screen = debugger(app)
        assert screen.session.current.step == 2
        assert "step 2 │" in screen.status_line.text


async def test_goto_a_later_step_runs_forward() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "4", "0", "enter")
        await settle(pilot)
        assert debugger(app).session.current.step == 40


async def test_goto_refuses_a_step_beyond_max_steps() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "5", "0", "0", "0", "enter")
        assert isinstance(app.screen, GotoStepScreen)
        assert "max_steps = 1,000" in str(app.screen.query_one("#error", Static).content)
        await pilot.press("escape")
        assert debugger(app).session.current.step == 0


@pytest.mark.parametrize(
    ("key", "alpha", "shown"), [("plus", 0.2, "0.20"), ("minus", 0.07, "0.07")]
)
async def test_alpha_keys_take_effect_from_the_next_step(
    key: str, alpha: float, shown: str
) -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", key)
        screen = debugger(app)
        assert screen.session.alpha == alpha
        assert screen.session.current.step == 1
        assert f"alpha {shown}" in screen.status_line.text
        assert f"= 1.000 - {shown}*(-4.000)" in screen.update_panel.text
        await pilot.press("n")
        assert screen.session.current.w == pytest.approx(1.0 + alpha * 4.0)


@pytest.mark.parametrize(
    ("key", "w0"), [("left_square_bracket", 0.0), ("right_square_bracket", 1.0)]
)
async def test_start_keys_move_the_start_and_restart(key: str, w0: float) -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", key)
        screen = debugger(app)
        assert screen.session.current.step == 0
        assert screen.session.current.w == pytest.approx(w0)
        assert f"w := w - alpha*dw = {w0:.3f}" in screen.update_panel.text


async def test_optimizer_picker_switches_to_momentum() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, OptimizerPicker)
        await pilot.press("down", "enter")
        screen = debugger(app)
        assert screen.session.optimizer.kind == "momentum"
        assert "│ momentum │" in screen.status_line.text
        assert "alpha*v_dw" in screen.update_panel.text


async def test_optimizer_picker_escape_keeps_the_optimizer() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", "down", "escape")
        assert debugger(app).session.optimizer.kind == "gd"


async def test_scenario_picker_lists_presets_and_opens_one() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, ScenarioPicker)
        options = app.screen.query_one(OptionList)
        first = options.get_option_at_index(0)
        assert first.id is not None
        await pilot.press("enter")
        screen = debugger(app)
        assert screen.scenario.path.endswith(f"{first.id}.toml")
        assert screen.scenario.name in screen.status_line.text or "…" in screen.status_line.text


async def test_component_keys_select_a_w_component_then_b() -> None:
    app = app_for("two_features")
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("j")
        assert screen.component == 1
        assert "w[1] := w[1] - alpha*dw[1]" in screen.update_panel.text
        assert "▶w[1]" in screen.state_panel.text
        await pilot.press("j")
        assert screen.component == 2  # b, after the w components
        assert "▶b" in screen.state_panel.text and "▶w" not in screen.state_panel.text
        await pilot.press("j")
        assert screen.component == 2  # the last parameter stays selected
        await pilot.press("k", "k")
        assert screen.component == 0
        assert "w[0] := w[0]" in screen.update_panel.text


async def test_component_keys_on_a_single_w_say_so() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        assert debugger(app).component == 0
        assert any("single number" in n.message for n in app._notifications)


@pytest.mark.parametrize(
    ("name", "views"),
    [("logistic", ["surface", "history", "data", "curve"]), ("curve", ["history", "curve"])],
)
async def test_view_key_cycles_the_plots(name: str, views: list[str]) -> None:
    app = app_for(name)
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        for view in views:
            await pilot.press("v")
            assert screen.view == view
            assert screen.query_one(ContentSwitcher).current == f"plot-{view}"


async def test_tangent_key_toggles_the_tangent(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    show = CostCurvePlot.show

    def spy(self: CostCurvePlot, session: Session, **options: Any) -> None:
        asked.append(options["tangent"])
        show(self, session, **options)

    monkeypatch.setattr(CostCurvePlot, "show", spy)
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("t")
        assert not screen.tangent and asked[-1] is False
        await pilot.press("t")
        assert screen.tangent and asked[-1] is True


async def test_notes_key_shows_the_teaching_notes() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        assert screen.notes_panel is None
        await pilot.press("i")
        assert screen.notes_panel is not None
        assert "We start LEFT of the minimum" in " ".join(screen.notes_panel.text.split())
        await pilot.press("i")
        assert screen.notes_panel is None


async def test_notes_show_beside_the_log_on_a_large_screen_until_hidden() -> None:
    app = app_for("curve")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = debugger(app)
        assert screen.notes_panel is not None and screen.notes_panel.id == "notes-wide"
        await pilot.press("i")
        assert screen.notes_panel is None
        await pilot.press("i")
        assert screen.notes_panel is not None


async def test_the_step_log_lists_the_last_steps_on_a_large_screen() -> None:
    app = app_for("curve")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")
        lines = debugger(app).step_log.text.splitlines()
        assert lines[0].split() == ["step", "w", "dw", "cost", "alpha", "move"]
        assert [line.split()[0] for line in lines[1:]] == ["0", "1", "2", "3"]
        assert lines[-1].split()[1:4] == ["1.720", "-2.560", "1.638"]


async def test_breakpoints_are_listed_and_toggled() -> None:
    app = app_for("overshoot")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        assert isinstance(app.screen, BreakpointsScreen)
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(1).prompt).startswith("[off] abs(dw) < 1")
        await pilot.press("enter", "down", "space")
        assert str(options.get_option_at_index(0).prompt).startswith("[off] slope_sign_flip")
        await pilot.press("escape")
        screen = debugger(app)
        assert [bp.enabled for bp in screen.session.breakpoints] == [False, True]
        await pilot.press("c")
        await settle(pilot)
        assert screen.last_result is not None
        assert screen.last_result.breakpoint == "abs(dw) < 1"
        assert screen.session.current.step == 10


async def test_export_writes_the_trace_and_a_screenshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = app_for("logistic")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "e")
        await settle(pilot)
        screen = debugger(app)
        stem = "gdtui-trace-logistic-step2"
        with open(tmp_path / f"{stem}.csv", newline="") as stream:
            rows = list(csv.reader(stream))
        assert rows[0] == csv_header(screen.session)
        assert len(rows) == 1 + 3
        records = (tmp_path / f"{stem}.jsonl").read_text().splitlines()
        assert [json.loads(line)["step"] for line in records] == [0, 1, 2]
        assert (tmp_path / f"{stem}.svg").read_text().lstrip().startswith("<svg")
        assert any(f"{stem}.csv" in n.message for n in app._notifications)


async def test_reset_goes_back_to_step_0_keeping_alpha() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "plus", "n", "0")
        screen = debugger(app)
        assert screen.session.current.step == 0
        assert screen.session.last == 0
        assert screen.session.alpha == 0.2
        assert "step 0 │ paused" in screen.status_line.text


async def test_help_lists_every_key_and_the_lesson() -> None:
    app = app_for("overshoot")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, file=io.StringIO(), record=True)
        for static in app.screen.query(Static):
            console.print(static.content, markup=False)
        text = console.export_text()
        for command in COMMANDS:
            assert command.keys_text in text and command.title in text
        assert "w := w - alpha * dw" in text
        assert "[on ] slope_sign_flip" in text and "[off] abs(dw) < 1" in text
        await pilot.press("escape")
        assert app.screen is debugger(app)


async def test_quit() -> None:
    app = app_for("curve")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
