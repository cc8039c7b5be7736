"""The help screen: every key, the breakpoints, and the lesson's ideas on one page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gdtui.engine.breakpoints import Breakpoint
from gdtui.ui.commands import COMMANDS

#: The lesson in a screen of text, in its own words and names.
LESSON = """\
Gradient descent finds the w and b that make the cost J(w,b) smallest.

  1. Start somewhere: usually w = 0, b = 0.
  2. Repeat until convergence, stepping downhill:
         w := w - alpha * dw        dw is the slope dJ/dw
         b := b - alpha * db        db is the slope dJ/db
     ":=" means update. In code: w = w - alpha * dw.
  3. Converge: the slope is (almost) zero, so the steps become tiny.

The slope tells the direction:
  dw > 0  the curve goes up to the right: w decreases, moves LEFT, toward the minimum
  dw < 0  the curve goes down to the right: w increases, moves RIGHT, toward the minimum

alpha, the learning rate, sets the size of each step: too small and the run crawls,
too large and each step jumps over the minimum (the slope flips sign), or even
climbs out of the bowl and diverges.

d and ∂: dJ(w)/dw for one parameter, ∂J(w,b)/∂w for several. Both mean the slope in
one direction; the code calls them dw and db either way.

The logistic and linear regression costs J(w,b) are convex, a single bowl, so gradient
descent reaches its one global minimum from anywhere. A curve with several valleys (non-convex)
can trap the run in a local minimum: try the two-valleys scenario."""


#: The key that opens the breakpoints dialog.
BREAKPOINTS_KEY = next(c.key_display for c in COMMANDS if c.action == "breakpoints")


def keys_table() -> Table:
    """One row per command: its keys, what it is, what it does (wrapped in its column)."""
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column("keys", no_wrap=True, style="bold")
    table.add_column("command", no_wrap=True)
    table.add_column("what it does", ratio=1)
    for command in COMMANDS:
        table.add_row(command.keys_text, command.title, command.help)
    table.add_row("ctrl+p", "Command palette", "Every command above, found by name.")
    return table


def breakpoints_text(breakpoints: Sequence[Breakpoint]) -> str:
    """One line per breakpoint: on or off, its condition, what it means."""
    if not breakpoints:
        return "  This scenario has none."
    return "\n".join(
        f"  [{'on ' if bp.enabled else 'off'}] {bp.when}: {bp.description}" for bp in breakpoints
    )


class HelpScreen(ModalScreen[None]):
    """Keys, breakpoints and the lesson. Escape, q or ? closes; the arrows scroll.

    Args:
        breakpoints: The session's breakpoints, listed with their switches.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "close", id="help.close",
                tooltip="Back to the debugger."),
    ]  # fmt: skip

    def __init__(self, breakpoints: Sequence[Breakpoint] = ()) -> None:
        super().__init__()
        self.breakpoints = tuple(breakpoints)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = "help"
            dialog.border_subtitle = "Escape closes · arrows scroll"
            yield Static("Keys", classes="heading")
            yield Static(keys_table(), id="keys")
            yield Static(f"Breakpoints ({BREAKPOINTS_KEY} switches them)", classes="heading")
            yield Static(breakpoints_text(self.breakpoints), markup=False)
            yield Static("The lesson", classes="heading")
            yield Static(LESSON, markup=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
