"""The scenario's teaching notes, beside the run."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class Notes(VerticalScroll, can_focus=True):
    """The notes as the scenario's author wrote them (no markup is interpreted)."""

    def compose(self) -> ComposeResult:
        yield Static(id="notes-caption", markup=False)
        yield Static(id="notes-text", markup=False)

    def caption(self, text: str) -> None:
        """Show the step's caption above the notes (none: nothing)."""
        caption = self.query_one("#notes-caption", Static)
        caption.update(text)
        caption.display = bool(text)

    @property
    def caption_text(self) -> str:
        """The caption as shown ("" for none)."""
        caption = self.query_one("#notes-caption", Static)
        return str(caption.content) if caption.display else ""

    def show(self, text: str) -> None:
        """Show `text`, or a line saying there are none."""
        self.query_one("#notes-text", Static).update(text.strip() or "This scenario has no notes.")
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """The notes as shown."""
        return str(self.query_one("#notes-text", Static).content)
