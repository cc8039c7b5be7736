"""The scenario picker: the preset lessons, each with its one-line description."""

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


class ScenarioPicker(ModalScreen[str | None]):
    """Lists the presets; Enter opens one (from its start), Escape stays.

    Args:
        presets: `(name, description)` pairs, as `list_presets()` gives them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="scenario.cancel",
                tooltip="Stay with this scenario.")
    ]  # fmt: skip

    def __init__(self, presets: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.presets = list(presets)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "scenario"
            if not self.presets:
                yield Static("No preset scenarios were found. Open a file: gdtui FILE.toml")
                return
            yield Static("Enter opens a lesson from its start; Escape stays here.")
            yield OptionList(
                *(
                    Option(Content.assemble((name, "bold"), "\n  ", description), id=name)
                    for name, description in self.presets
                ),
                id="choices",
            )

    def on_mount(self) -> None:
        if self.presets:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen preset."""
        self.dismiss(event.option.id)
