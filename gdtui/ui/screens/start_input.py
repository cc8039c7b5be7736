"""The start dialog: type an exact start point (w, and b where there is one)."""

from __future__ import annotations

import math
import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from gdtui.engine.snapshot import Layout


def parse_numbers(name: str, text: str, count: int) -> list[float] | str:
    """The `count` numbers typed for parameter `name`, or one line saying what is wrong.

    Args:
        name: The parameter (`w` or `b`), for the message.
        text: What was typed: numbers separated by commas or spaces.
        count: How many numbers the parameter has.

    Returns:
        The finite numbers, or an error message.
    """
    words = [word for word in re.split(r"[\s,]+", text.strip()) if word]
    values = []
    for word in words:
        try:
            value = float(word)
        except ValueError:
            return f"{name}: {word!r} is not a number."
        if not math.isfinite(value):
            return f"{name}: {word!r} is not a finite number."
        values.append(value)
    if len(values) != count:
        wanted = "one number" if count == 1 else f"{count} numbers, one per component"
        return f"{name} needs {wanted}; got {len(values)}."
    return values


def _text(values: list[float]) -> str:
    return ", ".join(repr(v) for v in values)


class StartScreen(ModalScreen[tuple[float, ...] | None]):
    """Asks for a start point; Enter restarts the run there, Escape keeps the run.

    Args:
        layout: How the problem's parameters split into `w` and `b`.
        theta0: The start now: the `w` components, then `b`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="start.cancel",
                tooltip="Keep the run as it is.")
    ]  # fmt: skip

    def __init__(self, layout: Layout, theta0: tuple[float, ...]) -> None:
        super().__init__()
        self.parameters, self.theta0 = layout, theta0

    def compose(self) -> ComposeResult:
        n = self.parameters.n_w
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "start point"
            what = "w and b" if self.parameters.has_b else "w"
            yield Static(
                f"Type the start, {what}, then Enter: the run starts again from there "
                "(alpha and the optimizer stay). Escape keeps the run."
            )
            w_label = f"w ({n} numbers, w[0] to w[{n - 1}])" if n > 1 else "w"
            yield Label(w_label, classes="field")
            yield Input(_text(list(self.theta0[:n])), id="start-w")
            if self.parameters.has_b:
                yield Label("b", classes="field")
                yield Input(_text([self.theta0[-1]]), id="start-b")
            yield Static("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in `w` moves to `b`; Enter in the last field restarts, if the numbers are."""
        if event.input.id == "start-w" and self.parameters.has_b:
            w = parse_numbers("w", event.value, self.parameters.n_w)
            if isinstance(w, str):
                self.query_one("#error", Static).update(w)
            else:
                self.query_one("#error", Static).update("")
                self.query_one("#start-b", Input).focus()
            return
        start = self.start()
        if isinstance(start, str):
            self.query_one("#error", Static).update(start)
            return
        self.dismiss(start)

    def start(self) -> tuple[float, ...] | str:
        """The start typed (`w` components, then `b`), or what is wrong with it."""
        w = parse_numbers("w", self.query_one("#start-w", Input).value, self.parameters.n_w)
        if isinstance(w, str):
            return w
        if not self.parameters.has_b:
            return tuple(w)
        b = parse_numbers("b", self.query_one("#start-b", Input).value, 1)
        if isinstance(b, str):
            return b
        return (*w, *b)
