"""The optimizer picker: plain gradient descent and the methods that grew out of it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from gdtui.engine.optimizers import DESCRIPTIONS, OPTIMIZER_KINDS


class OptimizerPicker(ModalScreen[str | None]):
    """Lists the optimizers with what each does; Enter picks one, Escape keeps the current.

    Args:
        current: The optimizer in use, highlighted when the list opens.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="optimizer.cancel",
                tooltip="Keep the current optimizer.")
    ]  # fmt: skip

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "optimizer"
            yield Static("The new rule is used from the next step. Enter picks, Escape cancels.")
            yield OptionList(
                *(Option(f"{kind:<9} {DESCRIPTIONS[kind]}", id=kind) for kind in OPTIMIZER_KINDS),
                id="choices",
            )

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = OPTIMIZER_KINDS.index(self.current)
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Pick the chosen optimizer."""
        self.dismiss(event.option.id)
