"""The gdtui app: a small shell around the debugger screen, where the behaviour lives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from gdtui.classroom.link import ClassroomLink
from gdtui.lesson.actions import Load, open_scenario
from gdtui.lesson.recording import Lesson
from gdtui.scenario import Scenario
from gdtui.ui.adapters.textual import SendsChangedCells
from gdtui.ui.replay import Player
from gdtui.ui.screens.debugger import DebuggerScreen


class GdtuiApp(SendsChangedCells[None]):
    """Step through gradient descent on one scenario (sending the terminal only the cells
    a step changes).

    Args:
        scenario: A validated scenario (see `gdtui.scenario.load_scenario`).
    """

    CSS_PATH = "gdtui.tcss"
    TITLE = "gdtui"

    def __init__(
        self, scenario: Scenario, link: ClassroomLink | None = None, player: Player | None = None
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.link = link
        self.player = player

    def get_default_screen(self) -> Screen[None]:
        return DebuggerScreen(self.scenario, self.link, self.player)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands in the palette, but its screenshot: it saves to the user's
        Downloads folder (failing where there is none) with no limit a server can set.
        `e` exports the screen, with the trace and the lesson, under a server's quota."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command


def run(scenario: Scenario) -> None:
    """Open the debugger on `scenario` (in the classroom the server set up, if any) and
    return when the user quits."""
    GdtuiApp(scenario, ClassroomLink.from_environment()).run()


def replay_app(lesson: Lesson) -> GdtuiApp:
    """The app on a recorded lesson, at its first action (the `Load` it starts with)."""
    first = lesson.actions[0]
    assert isinstance(first, Load)
    scenario, _ = open_scenario(first)
    return GdtuiApp(scenario, player=Player(lesson))


def replay(lesson: Lesson) -> None:
    """Step through a recorded lesson and return when the user quits."""
    replay_app(lesson).run()
