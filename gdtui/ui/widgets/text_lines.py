"""Text as lines, each rendered once and repainted alone when it changes."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

#: What a line shows: its text and its styled spans.
LineKey = tuple[str, tuple[Hashable, ...]]


def line_key(line: Content) -> LineKey:
    """What `line` shows, comparable with `==` (a `Content` compares by identity)."""
    return line.plain, tuple(line.spans)


class TextLines(Widget):
    """Lines of text; a line that differs from the one on show is repainted alone.

    Textual repaints a widget whole: it renders all of its text again, and passes every
    line through the widget's styles (border, padding, background) at some 60-80 µs a line
    at 200 columns. A step changes two or three lines of a panel, or shifts the rows of
    the step log by one. Here each line is rendered on its own, by Textual's own
    `Visual.to_strips`, kept while it shows the same text, and only the rows that changed
    are refreshed.

    `render()` stays the whole text, as Textual renders it: for the height, and while text
    is selected with the mouse (the selection is then drawn by Textual).
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Content] = []
        self._keys: list[LineKey] = []
        self._rendered: dict[LineKey, list[Strip]] = {}
        """Each line on show, rendered at `_rendered_for`."""
        self._rendered_for: tuple[int, object] | None = None
        self._shown_rows: list[Strip] | None = None
        """The widget's rows, as placed (each line's rows, in order); None once the lines
        changed."""
        self._placed_rows: list[Strip] = []
        self._row_keys: list[tuple[LineKey, int, int]] = []
        """What each row placed last shows: its line, the line's place and the row in it."""
        self._restyle = False

    @property
    def text(self) -> str:
        """The lines as plain text (for tests)."""
        return "\n".join(line.plain for line in self._lines)

    @property
    def line_count(self) -> int:
        """How many lines are shown (a line that wraps counts once)."""
        return len(self._lines)

    def set_lines(self, lines: Sequence[Content], layout: bool = False) -> None:
        """Show `lines`, repainting the rows that differ from those on show.

        Args:
            lines: The text, a `Content` a line.
            layout: Whether the height may change (the screen is then laid out again).
        """
        keys = [line_key(line) for line in lines]
        if keys == self._keys and not layout:
            return
        before = self._shown_rows
        self._lines, self._keys = list(lines), keys
        self._shown_rows = None
        if layout or before is None or not self.size.width or not self.is_mounted:
            self.refresh(layout=layout)
            return
        rows = self._placed()
        width = self.size.width
        changed = [
            Region(0, y, width, 1)
            for y in range(max(len(rows), len(before)))
            if y >= len(rows) or y >= len(before) or rows[y] is not before[y]
        ]
        if changed:  # (no regions would repaint it all)
            self.refresh(*changed)

    def render(self) -> Content:
        """The whole text, as Textual renders a widget."""
        return Content("\n").join(self._lines)

    def render_line(self, y: int) -> Strip:
        """Row `y`: a line's row, rendered when the line first showed at this width and style."""
        if self.text_selection is not None:  # Textual draws the selection over its own render
            return super().render_line(y)
        rows = self._placed()
        if 0 <= y < len(rows):
            return rows[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def notify_style_update(self) -> None:
        """The styles changed (a theme, a class): lines render again with the new ones."""
        super().notify_style_update()
        self._rendered_for = None
        self._shown_rows = None
        self._restyle = True

    def restyled(self) -> list[Content] | None:
        """The lines again, with component styles as they are now (after the styles
        changed); None keeps the lines as they are."""
        return None

    def _placed(self) -> list[Strip]:
        """The rows, each carrying the offsets Textual's text selection reads (its place)."""
        key = self._render_key()
        if self._shown_rows is not None and self._rendered_for == key:
            return self._shown_rows
        if self._restyle:
            self._restyle = False
            if (lines := self.restyled()) is not None:
                self._lines, self._keys = lines, [line_key(line) for line in lines]
        # A row that shows what it showed, where it showed it, keeps its strip: it is
        # then not repainted.
        before = dict(zip(self._row_keys, self._placed_rows, strict=True))
        if self._rendered_for != key:
            before = {}
        rendered = self._render_lines()
        style = self.visual_style
        rows: list[Strip] = []
        row_keys: list[tuple[LineKey, int, int]] = []
        for y, (content, line) in enumerate(zip(self._lines, self._keys, strict=True)):
            strips = rendered.get(line)
            if strips is None:  # a line Textual renders as it is: built here, at its place
                row_key = (line, y, 0)
                row = before.get(row_key)
                rows.append(plain_strip(content, style, y) if row is None else row)
                row_keys.append(row_key)
                continue
            for i, strip in enumerate(strips):
                row_key = (line, y, i)
                row = before.get(row_key)
                rows.append(_with_line(strip, y) if row is None else row)
                row_keys.append(row_key)
        self._shown_rows = self._placed_rows = rows
        self._row_keys = row_keys
        return rows

    def _render_key(self) -> tuple[int, object]:
        return self.size.width, self.visual_style

    def _render_lines(self) -> dict[LineKey, list[Strip]]:
        """The lines on show that Textual does more to than show them (a line that wraps or
        is cut, a tab, text aligned but left), rendered at this width and style: those
        rendered already are kept, the others are rendered as Textual renders a widget's
        text. The other lines are not in it: `plain_strip` builds them."""
        key = self._render_key()
        if self._rendered_for != key:
            self._rendered, self._rendered_for = {}, key
        width, style = key[0], self.visual_style
        plain = self._renders_plainly()
        rendered = {line: self._rendered[line] for line in self._keys if line in self._rendered}
        new = {line: content for content, line in zip(self._lines, self._keys, strict=True)
               if line not in rendered and not (plain and is_plain(content, width))}  # fmt: skip
        if new and width:
            # At once, as a call costs more than a line: lines that take a row each (no
            # line wraps) come back a strip each; else each is rendered on its own.
            strips = Visual.to_strips(self, Content("\n").join(new.values()), width, None, style)
            if len(strips) == len(new):
                rendered.update((line, [strip]) for line, strip in zip(new, strips, strict=True))
            else:
                for line, content in new.items():
                    rendered[line] = Visual.to_strips(self, content, width, None, style)
        elif new:
            rendered.update((line, []) for line in new)
        self._rendered = rendered
        return rendered

    def _renders_plainly(self) -> bool:
        """Whether Textual renders a line that fits, with no tab, as its spans say and no
        more: the text is aligned left and top, with no line padding."""
        styles = self.styles
        return (
            styles.text_align in ("left", "start")
            and tuple(styles.content_align) == ("left", "top")
            and not styles.line_pad
        )


def is_plain(line: Content, width: int) -> bool:
    """Whether `line` fits in `width` cells as it is: one line, no tab, no link (which
    Textual styles), every span a style (not a name to look up)."""
    text = line.plain
    return (
        0 < line.cell_length <= width
        and "\n" not in text
        and "\t" not in text
        and all(
            isinstance(span.style, Style) and span.style.link is None and not span.style.meta
            for span in line.spans
        )
    )


def plain_strip(line: Content, style: Style, y: int) -> Strip:
    """`line`, a plain one (`is_plain`), as Textual renders line `y` of a widget's text in
    `style` (`Visual.to_strips`), built straight from its spans: some 20 µs against
    Textual's 300 µs, which wraps, aligns and looks up styles for any text."""
    segments = []
    x = 0
    for text, text_style in line.render(style, end=""):
        segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, y)))
        x += len(text)
    return Strip(segments, line.cell_length)


def _with_line(strip: Strip, y: int) -> Strip:
    """`strip`, a line's row, with the offsets Textual gives the text of line `y` of the
    widget (`{"offset": (x, y)}` in each text segment's meta, which text selection reads)."""
    segments = []
    for text, style, control in strip:
        if style is not None and "offset" in (meta := style.meta):
            x, at = meta["offset"]
            if at == y:
                return strip  # rendered in this place
            style = style + RichStyle.from_meta({"offset": (x, y)})
        segments.append(Segment(text, style, control))
    return Strip(segments, strip.cell_length)
