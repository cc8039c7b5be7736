"""A stand-in for gdtui behind `gdtui serve web`: a Textual app that shows what it was given.

It shows the window size it sees, its working folder, its export quota, how many keys it got
and the length of the last paste; it starts faster than the real app.
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
    keys = 0
    paste = 0
    shown = Size(0, 0)

    def compose(self) -> ComposeResult:
        yield Static(id="info")

    def on_mount(self) -> None:
        self.show(self.size)

    def on_resize(self, event: events.Resize) -> None:
        self.show(event.size)

    def on_key(self) -> None:
        self.keys += 1
        self.show()

    def on_paste(self, event: events.Paste) -> None:
        self.paste = len(event.text)
        self.show()

    def show(self, size: Size | None = None) -> None:
        self.shown = size or self.shown
        exports = os.environ.get("GDTUI_MAX_EXPORTS", "none")
        self.query_one(Static).update(
            f"size {self.shown.width}x{self.shown.height} folder {os.getcwd()} "
            f"exports {exports} keys {self.keys} paste {self.paste} ."
        )


if __name__ == "__main__":
    ShowApp().run()
