"""The footer: Textual's, built with the screen and rebuilt only when its keys change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from gdtui.ui.adapters.textual import (
    FooterKey,
    FooterLabel,
    compact_before_mount,
    show_keys_at_once,
)
from gdtui.ui.commands import COMMANDS

#: The actions whose keys a narrow footer drops first, so that `? help` and `q quit` stay.
SPARE_ACTIONS = frozenset(command.action for command in COMMANDS if command.spare)


def shown_keys(screen: Screen) -> tuple[Hashable, ...]:
    """The bindings a footer on `screen` shows, as it shows them."""
    return tuple(
        (active.binding, active.enabled, active.tooltip)
        for active in screen.active_bindings.values()
        if active.binding.show
    )


class KeysFooter(Footer):
    """Textual's `Footer`, which shows no keys until the bindings first change (after the
    first paint, so the screen is laid out and painted again) and then rebuilds them each
    time they *may* have changed: on every focus change and screen resume, three times as
    the app starts, at 30-40 ms each on a small machine.

    This one builds its keys with the screen, and rebuilds them only when the keys it
    would show are not those on show.
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Hashable, ...] | None = None
        show_keys_at_once(self)

    def compose(self) -> ComposeResult:
        self._shown = shown_keys(self.screen)
        spare = False
        for widget in super().compose():
            # Textual binds each key's `compact` to the footer's when it mounts, but the
            # palette's key (which keeps its own).
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                compact_before_mount(widget, self.compact)
            yield mark_spare(widget, spare)
            spare = widget.has_class("-spare")

    def bindings_changed(self, screen: Screen) -> None:
        """Rebuild the keys if they are not those on show (Textual calls this)."""
        if shown_keys(screen) != self._shown:
            super().bindings_changed(screen)


def mark_spare(widget: Widget, after_spare: bool) -> Widget:
    """Give `widget` the class `-spare` if a narrow footer may drop it: a key of a spare
    command, the command palette's key, or the label of a spare group (which follows it).

    Args:
        widget: A widget Textual's `Footer.compose` yields.
        after_spare: Whether the widget yielded before it was spare.
    """
    if isinstance(widget, FooterKey):
        if widget.action in SPARE_ACTIONS or widget.has_class("-command-palette"):
            widget.add_class("-spare", update=False)  # styled when it mounts
    elif isinstance(widget, FooterLabel) and after_spare:
        widget.add_class("-spare", update=False)
    return widget
