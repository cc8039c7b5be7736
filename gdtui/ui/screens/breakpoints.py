"""The breakpoints dialog: the scenario's breakpoints, each switched on or off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from gdtui.engine.breakpoints import Breakpoint


class BreakpointsScreen(ModalScreen[tuple[bool, ...] | None]):
    """Space switches the highlighted breakpoint; Enter or Escape closes, keeping the switches.

    Returns one flag per breakpoint, in order: whether it is on.

    Args:
        breakpoints: The session's breakpoints.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", id="breakpoints.close",
                tooltip="Close, keeping the switches as they are."),
        # Enter would toggle the highlighted breakpoint in the list; here it closes.
        Binding("enter", "close", "close", id="breakpoints.close_enter", show=False,
                priority=True),
    ]  # fmt: skip

    def __init__(self, breakpoints: Sequence[Breakpoint]) -> None:
        super().__init__()
        self.breakpoints = tuple(breakpoints)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "breakpoints"
            if not self.breakpoints:
                yield Label(
                    "This scenario has no breakpoints. Add them to its file as\n"
                    '[[breakpoints]] when = "cost_increase"   (Escape closes)'
                )
                return
            yield Label("A breakpoint that is on stops c (continue) and r (run).")
            yield Label("Space switches one on or off; Enter or Escape closes.")
            yield SelectionList[int](
                *(
                    Selection(f"{bp.when}: {bp.description}", i, bp.enabled)
                    for i, bp in enumerate(self.breakpoints)
                ),
                id="choices",
            )

    def on_mount(self) -> None:
        if self.breakpoints:
            self.query_one(SelectionList).focus()

    def action_close(self) -> None:
        """Close, returning which breakpoints are on."""
        if not self.breakpoints:
            self.dismiss(None)
            return
        selected = set(self.query_one(SelectionList).selected)
        self.dismiss(tuple(i in selected for i in range(len(self.breakpoints))))
