"""The go-to-step dialog: type a step number, Enter goes there."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from gdtui.ui.format import grouped


class GotoStepScreen(ModalScreen[int | None]):
    """Asks for a step. Steps up to the last one recorded are shown as they were; a later
    step is reached by running forward (up to `max_steps`).

    Args:
        current: The step on screen.
        last: The last step recorded.
        max_steps: The scenario's limit.
        first: The first step recorded (later than 0 for a student who joined late).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="goto.cancel", tooltip="Stay here.")
    ]

    def __init__(self, current: int, last: int, max_steps: int, first: int = 0) -> None:
        super().__init__()
        self.current, self.last, self.max_steps = current, last, max_steps
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "go to step"
            yield Static(
                f"Now at step {grouped(self.current)}; steps {grouped(self.first)} to "
                f"{grouped(self.last)} are "
                f"recorded. A later step (up to {grouped(self.max_steps)}) runs forward."
            )
            yield Input(placeholder="step number, then Enter", type="integer", id="step")
            yield Static("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Go, if the number is a step that can be reached."""
        text = event.value.strip()
        try:
            step = int(text)
        except ValueError:
            self.query_one("#error", Static).update("Type a whole number, such as 100.")
            return
        if not 0 <= step <= self.max_steps:
            self.query_one("#error", Static).update(
                f"Steps go from 0 to max_steps = {grouped(self.max_steps)}."
            )
            return
        if step < self.first:
            self.query_one("#error", Static).update(
                f"This run starts at step {grouped(self.first)}, where you joined the class: "
                "the steps before it are on the teacher's screen."
            )
            return
        self.dismiss(step)
