"""The gdtui app: a small shell around the debugger screen, where the behaviour lives."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from gdtui.classroom.link import ClassroomLink
from gdtui.scenario import Scenario
from gdtui.ui.screens.debugger import DebuggerScreen


class GdtuiApp(App[None]):
    """Step through gradient descent on one scenario.

    Args:
        scenario: A validated scenario (see `gdtui.scenario.load_scenario`).
    """

    CSS_PATH = "gdtui.tcss"
    TITLE = "gdtui"

    def __init__(self, scenario: Scenario, link: ClassroomLink | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.link = link

    def get_default_screen(self) -> Screen[None]:
        return DebuggerScreen(self.scenario, self.link)


def run(scenario: Scenario) -> None:
    """Open the debugger on `scenario` (in the classroom the server set up, if any) and
    return when the user quits."""
    GdtuiApp(scenario, ClassroomLink.from_environment()).run()
