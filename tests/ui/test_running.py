"""Long runs never freeze the screen; commands reach the debugger by palette and keymap."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.message import Message

from gdtui.cli import load_scenario
from gdtui.engine.snapshot import Snapshot
from gdtui.ui.app import GdtuiApp
from gdtui.ui.commands import COMMANDS
from gdtui.ui.format import CONTINUING
from gdtui.ui.messages import RunProgress, RunStopped, Stepped
from gdtui.ui.widgets.update_panel import UpdatePanel

from .helpers import debugger, scenario, settle, until

SIZE = (80, 24)


async def test_a_long_continue_shows_progress_and_r_pauses_it_at_once() -> None:
    app = GdtuiApp(scenario("long"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await until(pilot, lambda: "continuing…" in screen.status_line.text)
        started = time.monotonic()
        await pilot.press("r")
        await settle(pilot)
        # The whole run takes tens of seconds even on the float loop; a pause waits for one
        # chunk (~30 ms) and a repaint. The bound leaves room for a loaded test machine.
        assert time.monotonic() - started < 1.0
        assert 0 < screen.session.current.step < 1_000_000
        assert "paused" in screen.status_line.text


@pytest.mark.parametrize("width", [80, 200])
async def test_stopping_a_continue_keeps_the_status_line_one_row(width: int) -> None:
    """A row more or less on the status line lays out the whole screen again when a
    continue stops: where the progress would take a second row, its short form is shown."""
    app = GdtuiApp(scenario("long"))
    async with app.run_test(size=(width, 24)) as pilot:
        screen = debugger(app)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: "continuing…" in screen.status_line.text)
        await pilot.pause()
        text = screen.status_line.text
        assert "\n" not in text and screen.status_line.size.height == 1
        if width == 80:  # the long form would take a second row
            assert text.endswith(f"│ {CONTINUING}")
            # No previous step is looked up meanwhile: the panel says so, not "step 0".
            assert "J's change shows when it pauses" in screen.state_panel.text
            assert "step 0" not in screen.state_panel.text
        else:
            assert "of at most 10,000,000 (r pauses)" in text
        await pilot.press("r")
        await settle(pilot)
        assert "paused" in screen.status_line.text
        assert screen.status_line.size.height == 1


async def test_the_state_panel_keeps_the_row_of_a_change_it_cannot_show() -> None:
    """A continue shows no change of J (no previous step is looked up meanwhile); where the
    change took a row of its own, the row stays, blank, so the panel keeps its height."""
    app = GdtuiApp(load_scenario("two-valleys"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = debugger(app)
        await pilot.press(*["n"] * 40)
        await settle(pilot)
        panel, snapshot = screen.state_panel, screen.session.current
        rows = panel.text.splitlines()
        # J has all its digits here, to show that it changed: the change goes below.
        assert rows[-2].lstrip().startswith("change"), rows
        panel.show(snapshot, None, 0)
        await pilot.pause()
        without = panel.text.splitlines()
        assert len(without) == len(rows)
        assert without[-2].strip() == "" and "change" not in panel.text
        assert without[-3].split()[0] == rows[-3].split()[0] == "J(w)"


async def test_keys_that_move_the_run_wait_while_it_continues() -> None:
    app = GdtuiApp(scenario("long"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await until(pilot, lambda: "continuing…" in screen.status_line.text)
        await pilot.press("b")
        assert screen.busy == "continue"
        assert any("r pauses it first" in n.message for n in app._notifications)
        await pilot.press("r")
        await settle(pilot)


async def test_q_quits_at_once_during_a_long_continue() -> None:
    app = GdtuiApp(scenario("long"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await until(pilot, lambda: "continuing…" in screen.status_line.text)
        started = time.monotonic()
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)
    assert time.monotonic() - started < 2.0


async def test_a_continue_reports_progress_and_its_end_in_messages() -> None:
    messages: list[Message] = []
    app = GdtuiApp(scenario("long"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = debugger(app)
        await pilot.press("c")
        await until(pilot, lambda: any(isinstance(m, RunProgress) for m in messages))
        await pilot.press("r")
        await settle(pilot)
    stopped = [m for m in messages if isinstance(m, RunStopped)]
    assert len(stopped) == 1 and stopped[0].cancelled
    assert [m.step for m in messages if isinstance(m, Stepped)][-1] == screen.session.current.step


async def test_each_step_is_announced_once_drawn() -> None:
    messages: list[Message] = []
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("n", "n", "b")
    moves = [(m.step, m.reason) for m in messages if isinstance(m, Stepped)]
    assert moves == [(0, "scenario"), (1, "step"), (2, "step"), (1, "back")]


async def test_the_command_palette_runs_debugger_commands() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Step forward")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: debugger(app).session.current.step == 1)


async def test_every_command_is_in_the_palette() -> None:
    from gdtui.ui.commands import DebuggerCommands

    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE):
        provider = DebuggerCommands(debugger(app))
        titles = [str(hit.text) async for hit in provider.discover()]
    assert titles == [f"{c.title}  ({c.key_display})" for c in COMMANDS]


async def test_bindings_can_be_remapped_by_id() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"debugger.step": "f"})
        await pilot.press("f")
        assert debugger(app).session.current.step == 1


def test_every_command_has_a_unique_id_and_keys() -> None:
    ids = [c.id for c in COMMANDS]
    keys = [k for c in COMMANDS for k in c.keys.split(",")]
    assert len(set(ids)) == len(ids)
    assert len(set(keys)) == len(keys)
    assert all(c.help and c.title and c.binding().tooltip == c.help for c in COMMANDS)


async def test_the_animation_draws_every_step(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    show = UpdatePanel.show

    def spy(self: UpdatePanel, snapshot: Snapshot, *args: Any) -> None:
        drawn.append(snapshot.step)
        show(self, snapshot, *args)

    monkeypatch.setattr(UpdatePanel, "show", spy)
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press(*["greater_than_sign"] * 6, "r")
        await until(pilot, lambda: screen.session.current.step >= 10)
        await pilot.press("r")
        last = screen.session.current.step
    assert set(range(last + 1)) <= set(drawn)
