"""The gdtui app: a small shell around the debugger screen, where the behaviour lives."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from gdtui.scenario import Scenario
from gdtui.ui.screens.debugger import DebuggerScreen


class GdtuiApp(App[None]):
    """Step through gradient descent on one scenario.

    Args:
        scenario: A validated scenario (see `gdtui.scenario.load_scenario`).
    """

    CSS_PATH = "gdtui.tcss"
    TITLE = "gdtui"

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def get_default_screen(self) -> Screen[None]:
        return DebuggerScreen(self.scenario)


def run(scenario: Scenario) -> None:
    """Open the debugger on `scenario` and return when the user quits."""
    GdtuiApp(scenario).run()
