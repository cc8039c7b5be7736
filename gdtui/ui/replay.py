"""A recorded lesson on the screen: where the replay stands, and whether it leads.

While the replay leads, `n` performs the recording's next action and `b` goes back one
(the screen performs the first K-1 again: the engine is deterministic, so that is the state
it showed, bit for bit). `x` explores from there on your own; `f` returns to the recording
where you left it.
"""

from __future__ import annotations

from gdtui.lesson.actions import Action
from gdtui.lesson.recording import Lesson


class Player:
    """A recording being replayed.

    Args:
        lesson: The recording, read and checked.
    """

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        """The recording."""
        self.position = 1
        """How many of its actions the screen has performed (its first, the `Load`, opens
        the screen)."""
        self.following = True
        """Whether the recording leads (False while the viewer explores)."""

    @property
    def total(self) -> int:
        """How many actions the recording holds."""
        return len(self.lesson.actions)

    def next(self) -> Action | None:
        """The next action to perform, counted as performed; None at the end."""
        if self.position >= self.total:
            return None
        self.position += 1
        return self.lesson.actions[self.position - 1]

    def performed(self) -> tuple[Action, ...]:
        """The actions that lead to where the replay stands."""
        return self.lesson.actions[: self.position]

    def status(self) -> str:
        """The status line's first words."""
        if self.following:
            return f"replay: action {self.position} of {self.total}"
        return f"exploring · f returns to action {self.position} of {self.total}"
