"""The alpha dialog: type an exact learning rate, Enter uses it from the next step."""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from gdtui.ui.format import alpha_text


def parse_alpha(text: str) -> float | str:
    """The learning rate typed, or the one line that says what is wrong with it.

    Args:
        text: What was typed (`0.05`, `5e-2`, ...).

    Returns:
        A positive finite float, or an error message.
    """
    try:
        alpha = float(text.strip())
    except ValueError:
        return f"alpha must be a number, such as 0.05 (not {text.strip()!r})."
    if not math.isfinite(alpha):
        return "alpha must be a finite number, such as 0.05."
    if alpha <= 0:
        return "alpha must be greater than 0: it is the size of a step downhill."
    return alpha


class AlphaScreen(ModalScreen[float | None]):
    """Asks for an exact `alpha`; a wrong one is explained in the dialog, which stays open.

    Args:
        alpha: The learning rate now (the input starts with it, exactly).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="alpha.cancel",
                tooltip="Keep alpha as it is.")
    ]  # fmt: skip

    def __init__(self, alpha: float) -> None:
        super().__init__()
        self.alpha = alpha

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "learning rate alpha"
            yield Static(
                f"alpha is {alpha_text(self.alpha)} now. Type the new alpha (a positive "
                "number such as 0.05 or 5e-3); it is used from the next step on. "
                "Escape keeps it."
            )
            yield Input(repr(self.alpha), placeholder="alpha, then Enter", id="alpha")
            yield Static("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Use the alpha, if it is one."""
        alpha = parse_alpha(event.value)
        if isinstance(alpha, str):
            self.query_one("#error", Static).update(alpha)
            return
        self.dismiss(alpha)
