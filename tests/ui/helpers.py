"""Helpers for the UI tests: scenarios from tests/ui/data, and waiting for the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from textual.pilot import Pilot

from gdtui.scenario import Scenario, load_scenario
from gdtui.ui.adapters.textual import frame_lines
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.debugger import DebuggerScreen

DATA = Path(__file__).parent / "data"


def scenario(name: str) -> Scenario:
    """A test scenario by file name (without `.toml`)."""
    return load_scenario(str(DATA / f"{name}.toml"))


def debugger(app: GdtuiApp) -> DebuggerScreen:
    """The app's debugger screen, whatever dialog is on top of it."""
    screen = app.screen_stack[0]
    assert isinstance(screen, DebuggerScreen)
    return screen


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10) -> None:
    """Let the app run until `condition` holds (a worker finishing, a run reaching a step)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.01)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker holds the session and its last message has been handled."""
    await until(pilot, lambda: not debugger(pilot.app).busy)  # type: ignore[arg-type]
    await pilot.pause()


def screen_lines(app: GdtuiApp) -> list[str]:
    """The screen as a person sees it, one string per row (the compositor's full frame;
    Textual has no public call for the text of a frame)."""
    return frame_lines(app.screen)


def within_last_digit(text: str, value: float) -> bool:
    """Whether `text` (`1.425`, `-1.2e-03`, `12`) is `value` written to its last digit: off
    by at most half a unit there, in exact decimals (near the largest float the text itself
    may not parse back to one)."""
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    half_unit = Decimal(5) * Decimal(10) ** (int(exponent or 0) - decimals - 1)
    return abs(Decimal(text) - Decimal(value)) <= half_unit
