"""The breakpoints dialog: the scenario's breakpoints, each switched on or off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from gdtui.engine.breakpoints import Breakpoint


def prompt(breakpoint: Breakpoint, enabled: bool) -> Content:
    """`[on ] slope_sign_flip: dw changed sign ...`: the switch in words, not colour.

    Plain content, not markup: as markup, `[on ]` would be read as a style and vanish, and
    a condition such as `w[0] > 5` is the author's text.
    """
    return Content(f"[{'on ' if enabled else 'off'}] {breakpoint.when}: {breakpoint.description}")


class BreakpointsScreen(ModalScreen[tuple[bool, ...] | None]):
    """Enter or Space switches the highlighted breakpoint; Escape closes, keeping the switches.

    Returns one flag per breakpoint, in order: whether it is on.

    Args:
        breakpoints: The session's breakpoints.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", id="breakpoints.close",
                tooltip="Close, keeping the switches as they are."),
        Binding("space", "switch", "switch", id="breakpoints.toggle",
                tooltip="Switch the highlighted breakpoint on or off."),
    ]  # fmt: skip

    def __init__(self, breakpoints: Sequence[Breakpoint]) -> None:
        super().__init__()
        self.breakpoints = tuple(breakpoints)
        self.enabled = [bp.enabled for bp in self.breakpoints]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "breakpoints"
            if not self.breakpoints:
                yield Static(
                    "This scenario has no breakpoints. A scenario file adds one with\n"
                    '[[breakpoints]] when = "cost_increase".   Escape closes.',
                    markup=False,
                )
                return
            yield Static(
                # One line a sentence: the dialog wraps them to its width.
                "A breakpoint that is on stops c (continue) and r (run): a condition where it "
                "becomes true, cost_increase and slope_sign_flip on every step they happen.\n"
                "Enter or Space switches one on or off; Escape closes.",
                markup=False,
            )
            yield OptionList(
                *(Option(prompt(bp, bp.enabled)) for bp in self.breakpoints), id="choices"
            )

    def on_mount(self) -> None:
        if self.breakpoints:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter switches the highlighted breakpoint."""
        self._toggle(event.option_index)

    def action_switch(self) -> None:
        """Switch the highlighted breakpoint."""
        if self.breakpoints:
            index = self.query_one(OptionList).highlighted
            if index is not None:
                self._toggle(index)

    def _toggle(self, index: int) -> None:
        self.enabled[index] = not self.enabled[index]
        self.query_one(OptionList).replace_option_prompt_at_index(
            index, prompt(self.breakpoints[index], self.enabled[index])
        )

    def action_close(self) -> None:
        """Close, returning which breakpoints are on."""
        self.dismiss(tuple(self.enabled) if self.breakpoints else None)
