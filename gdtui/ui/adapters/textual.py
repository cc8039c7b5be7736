"""The one module that reaches into Textual past its public API.

Beyond Textual's public API this module uses, and only here:

- `textual.widgets._footer.FooterKey` and `FooterLabel`, the widgets `Footer.compose`
  yields (not exported from `textual.widgets`), to mark those a narrow footer may drop;
- the reactive `Footer._bindings_ready`, set on a new footer so it shows its keys in its
  first paint instead of after the first change of bindings (`KeysFooter`);
- `App._driver`, the running app's driver, to leave and re-enter application mode when a
  pre-started app is handed to a login (`gdtui.serve.pool`): `App.suspend` does that too
  but also signals the app as suspended and needs a driver that can suspend;
- `Screen._compositor`, for the text of a frame in tests (`frame_lines`, `screen_lines`):
  Textual has no public call for it.

Textual is pinned in pyproject.toml below its next major;
tests/test_adapters.py checks these names and fails loudly if they change.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

__all__ = [
    "TESTED_MAJOR",
    "FooterKey",
    "FooterLabel",
    "app_driver",
    "frame_lines",
    "screen_lines",
    "show_keys_at_once",
    "textual_version",
]

#: The Textual major version this adapter was tested with.
TESTED_MAJOR = 8


def textual_version() -> tuple[int, int]:
    """The installed Textual's (major, minor)."""
    from importlib.metadata import version  # some 40 ms of imports a first screen needs not

    major, minor, *_ = version("textual").split(".")
    return int(major), int(minor)


def show_keys_at_once(footer: Footer) -> None:
    """Let `footer` compose its keys on its first paint rather than wait for the bindings
    to change first."""
    footer.set_reactive(Footer._bindings_ready, True)


def app_driver(app: App[Any]) -> Any:
    """The running `app`'s driver (None before it runs)."""
    return app._driver


def frame_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen`'s whole frame, one string per row, as the compositor renders
    it for a full update."""
    update = screen._compositor.render_full_update()
    return ["".join(strip.text for strip in line) for line in update.strips]


def screen_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen` as its compositor renders it, one string per row."""
    return [strip.text for strip in screen._compositor.render_strips()]
