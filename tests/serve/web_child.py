"""A stand-in for gdtui behind `gdtui serve web`: a Textual app that shows what it was given.

It shows the window size it sees, its working folder and its export quota, and starts faster
than the real app.
"""

from __future__ import annotations

import os

from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.widgets import Static


class ShowApp(App[None]):
    """One line: `size WxH folder PATH exports N`."""

    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(id="info")

    def on_mount(self) -> None:
        self.show(self.size)

    def on_resize(self, event: events.Resize) -> None:
        self.show(event.size)

    def show(self, size: Size) -> None:
        exports = os.environ.get("GDTUI_MAX_EXPORTS", "none")
        self.query_one(Static).update(
            f"size {size.width}x{size.height} folder {os.getcwd()} exports {exports} ."
        )


if __name__ == "__main__":
    ShowApp().run()
