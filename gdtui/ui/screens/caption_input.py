"""The caption dialog (`;`): one line of narration for the step on screen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from gdtui.lesson.wire import MAX_CAPTION
from gdtui.ui.format import grouped


class CaptionScreen(ModalScreen[str | None]):
    """Asks for a caption; Enter saves it (as an action, so a recorded lesson keeps it).

    Args:
        step: The step it will belong to.
        current: The caption shown now, offered for editing.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="caption.cancel", tooltip="No caption.")
    ]

    def __init__(self, step: int, current: str = "") -> None:
        super().__init__()
        self.step, self.current = step, current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "caption"
            yield Static(f"A line of narration, shown from step {grouped(self.step)} on.")
            yield Input(self.current, placeholder="what to watch, then Enter",
                        max_length=MAX_CAPTION, id="caption")  # fmt: skip
            yield Static("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save it, unless it is empty."""
        text = " ".join(event.value.split())
        if not text:
            self.query_one("#error", Static).update("Type a line, or Escape for none.")
            return
        self.dismiss(text)
