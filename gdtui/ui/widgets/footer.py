"""The footer: the screen's keys on one line, drawn by one widget as Textual's `Footer`
draws them with a widget a key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from itertools import groupby

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from gdtui.ui.commands import COMMANDS

#: The actions whose keys a narrow footer drops first, so that `? help` and `q quit` stay.
SPARE_ACTIONS = frozenset(command.action for command in COMMANDS if command.spare)

#: The left edge of the palette's key (Textual's `vkey` border).
PALETTE_EDGE = "▏"


def shown_keys(screen: Screen) -> tuple[Hashable, ...]:
    """The bindings a footer on `screen` shows, as it shows them."""
    return tuple(
        (active.binding, active.enabled, active.tooltip)
        for active in screen.active_bindings.values()
        if active.binding.show
    )


@dataclass(frozen=True)
class KeyHint:
    """A key the footer shows, and what a click on it does.

    Args:
        key: The key a click presses (`n`).
        key_display: How the footer writes it (`n`, `^p`).
        description: The word after it (`step`); none for a key in a group.
        action: The action it runs.
        enabled: Whether it runs now (a disabled key is dim and rings the bell).
        tooltip: What hovering over it tells.
        spare: Whether a narrow footer drops it.
    """

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    spare: bool


@dataclass(frozen=True)
class GroupHint:
    """Keys that come in pairs (`+-`), written together before their group's word.

    Args:
        keys: The group's keys.
        label: The group's word (`alpha`).
        compact: Whether the keys are written without space between them.
    """

    keys: tuple[KeyHint, ...]
    label: str
    compact: bool


@dataclass(frozen=True)
class FooterKeys:
    """The keys a footer shows, left to right, and the palette's key at the right end."""

    items: tuple[KeyHint | GroupHint, ...]
    palette: KeyHint | None


def footer_keys(screen: Screen) -> FooterKeys:
    """The keys Textual's `Footer` shows on `screen`, grouped as it groups them: by
    action (the first binding of an action stands for it), and actions in a row that
    share a group are written as one group."""
    app = screen.app
    active_bindings = screen.active_bindings
    by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for _, binding, enabled, tooltip in active_bindings.values():
        if binding.show:
            by_action[binding.action].append((binding, enabled, tooltip))
    items: list[KeyHint | GroupHint] = []
    for group, in_group in groupby(by_action.values(), lambda bindings: bindings[0][0].group):
        firsts = [bindings[0] for bindings in in_group]
        if group is not None and len(firsts) > 1:
            keys = tuple(
                KeyHint(
                    binding.key,
                    app.get_key_display(binding),
                    "",
                    binding.action,
                    enabled,
                    tooltip or binding.description,
                    binding.action in SPARE_ACTIONS,
                )
                for binding, enabled, tooltip in firsts
            )
            items.append(GroupHint(keys, group.description, group.compact))
        else:
            items.extend(
                KeyHint(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip,
                    binding.action in SPARE_ACTIONS,
                )
                for binding, enabled, tooltip in firsts
            )
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active_bindings:
        _, binding, enabled, _ = active_bindings[app.COMMAND_PALETTE_BINDING]
        palette = KeyHint(
            binding.key,
            app.get_key_display(binding),
            binding.description,
            binding.action,
            enabled,
            binding.tooltip or binding.description,
            spare=True,
        )
    return FooterKeys(tuple(items), palette)


class KeysFooter(Widget):
    """The screen's keys on one line, as Textual's `Footer` shows them (not compact),
    cell for cell, in every theme.

    Textual's footer is a container of a widget a key (14 here), each styled, laid out
    and rendered on every paint it is in, with its default CSS parsed as the app starts:
    some 55 ms of the first screen's 205 on a small machine. This one draws the same
    cells itself, from the active bindings, and repaints only when the keys it would
    show change. A click on a key runs it, as on Textual's.

    Its styles come from the app's CSS, under Textual's names for the footer's parts:
    the component classes below, layered as Textual layers a key on its footer.
    """

    ALLOW_SELECT = False

    COMPONENT_CLASSES = {
        "keys-footer--item",
        "keys-footer--item-hover",
        "keys-footer--disabled",
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--palette-edge",
        "keys-footer--spare",
    }
    """
    | Class | Description |
    | :- | :- |
    | `keys-footer--item` | A key with its word (Textual's `FooterKey`). |
    | `keys-footer--item-hover` | A key with its word under the mouse (in its place). |
    | `keys-footer--disabled` | A key that does not run now (over the item). |
    | `keys-footer--key` | The key (`n`). |
    | `keys-footer--description` | Its word (`step`), and a group's (`alpha`). |
    | `keys-footer--palette-edge` | The rule left of the palette's key. |
    | `keys-footer--spare` | `display: none` where the spare keys go. |
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Hashable, ...] | None = None
        self._keys: FooterKeys | None = None
        #: Each shown key's cells, [start, end), for clicks, hovers and tooltips.
        self._spans: list[tuple[int, int, KeyHint]] = []
        self._hover: KeyHint | None = None
        self._styles: dict[tuple[str, ...], Style] = {}
        self._looking = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        """Look again at the keys after the next refresh, as Textual's footer rebuilds
        them then (Textual calls this on every focus change and screen resume, three
        times as the app starts: finding the bindings once costs a few ms)."""
        if screen is self.screen and not self._looking:
            self._looking = True
            self.call_after_refresh(self._look_at_keys)

    def _look_at_keys(self) -> None:
        """Repaint if the keys shown are not those the bindings now give."""
        self._looking = False
        if self._shown is not None and shown_keys(self.screen) != self._shown:
            self._keys = None
            self.refresh()

    @property
    def keys(self) -> FooterKeys:
        """The keys the footer shows (or would, were it wide enough)."""
        if self._keys is None:
            self._shown = shown_keys(self.screen)
            self._keys = footer_keys(self.screen)
        return self._keys

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        keys = self.keys
        slim = self.get_component_styles("keys-footer--spare").display == "none"
        blank = Style.from_color(bgcolor=self.rich_style.bgcolor)
        segments: list[Segment] = []
        spans: list[tuple[int, int, KeyHint]] = []
        x = 0

        def key_cells(key: KeyHint, *parts: tuple[str, str]) -> None:
            nonlocal x
            start = x
            for text, component in parts:
                segments.append(Segment(text, self._key_style(key, component)))
                x += cell_len(text)
            spans.append((start, x, key))

        def space() -> None:
            nonlocal x
            segments.append(Segment(" ", blank))
            x += 1

        for item in keys.items:
            if isinstance(item, GroupHint):
                if not slim:
                    if item.compact:
                        space()
                    for key in item.keys:
                        if not item.compact:
                            space()
                        key_cells(key, (key.key_display, "keys-footer--key"))
                        if not item.compact:
                            space()
                    if item.compact:
                        space()
                if not (slim and item.keys[-1].spare):
                    label = self._style("keys-footer--description")
                    segments.append(Segment(item.label, label))
                    x += cell_len(item.label)
                    space()
            elif not (slim and item.spare):
                if item.description:
                    key_cells(
                        item,
                        (f" {item.key_display} ", "keys-footer--key"),
                        (f"{item.description} ", "keys-footer--description"),
                    )
                else:
                    key_cells(item, (item.key_display, "keys-footer--key"))
        line = Strip(segments, x)
        palette = keys.palette
        if palette is not None and not slim:
            # Docked right, over whatever it meets: an edge, then (compact, as Textual's
            # palette key stays) the key, its word, and a cell of padding.
            left = line.crop(0, width)
            spans = [(start, end, key) for start, end, key in spans if start < width]
            under = self._key_style(palette, None)
            # Textual draws a border's colour over the background outside it.
            edge = self._style("keys-footer--palette-edge").color
            cells = [
                Segment(PALETTE_EDGE, Style.from_color(edge, under.bgcolor)),
                Segment(palette.key_display, self._key_style(palette, "keys-footer--key")),
                Segment(
                    f" {palette.description}",
                    self._key_style(palette, "keys-footer--description"),
                ),
                Segment(" ", Style.from_color(bgcolor=under.bgcolor)),
            ]
            palette_width = Strip(cells).cell_length
            start = max(0, width - palette_width)
            left = left.crop(0, start).adjust_cell_length(start, blank)
            line = Strip.join([left, Strip(cells, palette_width)])
            spans = [(s, min(end, start), key) for s, end, key in spans if s < start]
            spans.append((start, start + palette_width, palette))
        self._spans = spans
        return line.crop(0, width).adjust_cell_length(width, blank)

    def _key_style(self, key: KeyHint, component: str | None) -> Style:
        """The style of a part of `key`: the component over the key's item, as Textual
        styles a `FooterKey`'s part over the key over the footer."""
        item = "keys-footer--item-hover" if key is self._hover else "keys-footer--item"
        layers = [item] if key.enabled else [item, "keys-footer--disabled"]
        if component is not None:
            layers.append(component)
        return self._style(*layers)

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, *components: str) -> Style:
        """The Rich style of `components` laid over this widget, each over the last, as
        Textual's `DOMNode.rich_style` lays a node over its ancestors."""
        if components not in self._styles:
            self._styles[components] = self._layered(components)
        return self._styles[components]

    def _layered(self, components: tuple[str, ...]) -> Style:
        background = Color(0, 0, 0, 0)
        color = Color(255, 255, 255, 0)
        style = Style()
        opacity = 1.0
        layers = [node.styles for node in reversed(self.ancestors_with_self)]
        layers += [self.get_component_styles(name) for name in components]
        for styles in layers:
            opacity *= styles.opacity
            if styles.has_rule("background"):
                tinted = styles.background.tint(styles.background_tint)
                text_background = background + tinted
                background += tinted.multiply_alpha(opacity)
            else:
                text_background = background
            if styles.has_rule("color"):
                color = styles.color
            style += styles.text_style
            if styles.has_rule("auto_color") and styles.auto_color:
                color = text_background.get_contrast_text(color.a)
        return style + Style.from_color(
            (background + color).rich_color if (background.a or color.a) else None,
            background.rich_color if background.a else None,
        )

    def key_at(self, x: int) -> KeyHint | None:
        """The key drawn at column `x`, if any."""
        for start, end, key in self._spans:
            if start <= x < end:
                return key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_over(self.key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_over(None)

    def _hover_over(self, key: KeyHint | None) -> None:
        if key is not self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            # The hand Textual shows over a footer key.
            self.styles.pointer = "default" if key is None else "pointer"
            self.screen.update_pointer_shape()
            self.refresh()
