"""Text as lines, each rendered once and repainted alone when it changes."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter
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
        self._frame = FrameReader()
        """The frame Textual draws around a content row, read once per size and style."""

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
        # Each row across the widget, its border and padding too (a region is given from
        # the content's corner): the terminal's writer then takes the row whole, and
        # sends the cells that differ from the row it sent, not the row again.
        left, width = self.styles.gutter.left, self.region.width or self.size.width
        changed = [
            Region(-left, y, width, 1)
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

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows in `crop`, as Textual's own path draws them (`Widget.render_lines`),
        without its styling work on every row (~0.1 ms a row at 200 columns) where the
        panel has nothing but a border and padding at its sides.

        A content row is the line's row, filled to the content's width, between the same
        border and padding on every row: those are taken from a row Textual draws, which is
        checked to be what is built here for that row (else Textual draws them all). The
        app's line filters (ANSI colours, NO_COLOR) are applied as Textual applies them.

        Args:
            crop: The region of the widget to draw.

        Returns:
            One strip for each row of `crop`, `crop.width` cells each.
        """
        width, height = self.region.size
        styles = self.styles
        gutter = styles.gutter
        top, bottom = gutter.top, height - gutter.bottom
        if (
            not any(top <= y < bottom for y in crop.line_range)
            or self.text_selection is not None
            or not Region(0, 0, width, height).contains_region(crop)
            or not self._framed_plainly()
        ):
            return super().render_lines(crop)
        lines = self._frame.framed(
            self, crop, range(top, bottom), lambda y: self.render_line(y - top),
            super().render_lines,
        )  # fmt: skip
        # None: Textual does more to a row than known here.
        return super().render_lines(crop) if lines is None else lines

    def _framed_plainly(self) -> bool:
        """Whether Textual draws no more around and over the content rows than a border and
        padding at the sides: no outline, hatch, tint, opacity or scrollbars, and no link
        to style under the mouse."""
        styles = self.styles
        return (
            not self.BLANK
            and not any(edge for edge, _ in styles.outline)
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and self.content_region.height == self.region.height - styles.gutter.height
            and not any(self.scrollbars_enabled)
            and not any(_may_link(span.style) for line in self._lines for span in line.spans)
        )

    def notify_style_update(self) -> None:
        """The styles changed (a theme, a class): lines render again with the new ones."""
        super().notify_style_update()
        self._rendered_for = None
        self._shown_rows = None
        self._restyle = True

    def restyled(self) -> list[Content] | None:
        """The lines again, with component styles as they are now (after the styles
        changed, or the width); None keeps the lines as they are."""
        return None

    def _placed(self) -> list[Strip]:
        """The rows, each carrying the offsets Textual's text selection reads (its place)."""
        key = self._render_key()
        if self._shown_rows is not None and self._rendered_for == key:
            return self._shown_rows
        if self._restyle or self._rendered_for != key:
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


class Frame(NamedTuple):
    """What Textual puts around each content row of a widget with a border and padding at
    its sides only."""

    left: tuple[Segment, ...]
    """The border and padding on the left, as Textual draws them."""
    right: tuple[Segment, ...]
    """... and on the right."""
    fill: RichStyle
    """The style of the cells a row leaves empty (the widget's background)."""
    content_width: int
    width: int
    filters: tuple[LineFilter, ...]
    """The app's line filters, applied to each row."""
    background: Color
    """The background they are applied over."""


class FrameReader:
    """The frame Textual draws at the sides of a widget's content rows, read from a row
    Textual draws, once per size, border, padding, background and line filters, and
    checked to be what `row` builds for that row; and each framed row last built.

    For a widget that Textual draws nothing more over and around (no outline, hatch,
    tint, opacity or scrollbars: the widget checks that), what Textual puts beside a
    content row depends on those alone: a theme or a class changes the border or the
    background, NO_COLOR and the ANSI colours the filters, and the frame is read again.
    """

    def __init__(self) -> None:
        self._frame: tuple[Hashable, Frame] | None = None
        """The frame, and what it was read for."""
        self._framed: dict[int, tuple[Strip, Frame, Strip]] = {}
        """Each framed row last built: its content row, the frame, the row."""

    def framed(
        self,
        widget: Widget,
        crop: Region,
        inside: range,
        content_row: Callable[[int], Strip],
        textual_rows: Callable[[Region], list[Strip]],
    ) -> list[Strip] | None:
        """`widget`'s rows in `crop`: those in `inside` framed here, the others (a border
        or padding across) as Textual draws them; None when a row Textual draws is not the
        one built here (Textual does more to it than is known here).

        Args:
            widget: The widget.
            crop: The region of the widget to draw.
            inside: The rows that are content rows, below the top border and padding.
            content_row: The content row at row `y` of the widget.
            textual_rows: The rows of a region as Textual draws them
                (`Widget.render_lines`).
        """
        frame = self._read(widget, inside.start, content_row, textual_rows)
        return (
            None if frame is None else self._lines(crop, frame, inside, content_row, textual_rows)
        )

    def _read(
        self,
        widget: Widget,
        top: int,
        content_row: Callable[[int], Strip],
        textual_rows: Callable[[Region], list[Strip]],
    ) -> Frame | None:
        """The frame around `widget`'s content rows (the first at row `top`), read once per
        size and style; None when a row Textual draws is not the one built with it."""
        styles = widget.styles
        width = widget.region.width
        base, background = widget.background_colors
        filters = tuple(widget.get_line_filters())
        key = (widget.region.size, styles.border, styles.padding, base, background, filters)
        if self._frame is not None and self._frame[0] == key:
            return self._frame[1]
        self._frame = None
        sample = list(textual_rows(Region(0, top, width, 1))[0])
        left = bool(styles.border_left[0]) + bool(styles.padding.left)
        right = bool(styles.border_right[0]) + bool(styles.padding.right)
        frame = Frame(
            tuple(sample[:left]),
            tuple(sample[len(sample) - right :]),
            Style(background=base + background).rich_style,
            widget.content_region.width,
            width,
            filters,
            background,
        )
        if list(self.row(top, content_row(top), frame)) != sample:
            return None
        self._frame = (key, frame)
        return frame

    def _lines(
        self,
        crop: Region,
        frame: Frame,
        inside: range,
        content_row: Callable[[int], Strip],
        textual_rows: Callable[[Region], list[Strip]],
    ) -> list[Strip]:
        """The rows in `crop`, those in `inside` framed with `frame`."""
        lines = []
        for y in crop.line_range:
            if y in inside:
                lines.append(self.row(y, content_row(y), frame))
            else:
                lines.extend(textual_rows(Region(0, y, frame.width, 1)))
        x1, x2 = crop.column_span
        if (x1, x2) != (0, frame.width):
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    def row(self, y: int, content: Strip, frame: Frame) -> Strip:
        """Row `y` of the widget: its `content` row filled and framed, filtered; the same
        strip as last time for the same content row and frame, so that Textual's caches
        keyed on a strip (and the writer's) recognise it."""
        kept = self._framed.get(y)
        if kept is not None and kept[0] is content and kept[1] == frame:
            return kept[2]
        line = content.adjust_cell_length(frame.content_width, frame.fill)
        line = Strip([*frame.left, *line, *frame.right], frame.width)
        for line_filter in frame.filters:
            line = line.apply_filter(line_filter, frame.background)
        self._framed[y] = (content, frame, line)
        return line


def _may_link(style: object) -> bool:
    """Whether a span's style may be a link (a name to look up may be one)."""
    return not isinstance(style, Style) or style.link is not None or bool(style.meta)


def is_plain(line: Content, width: int) -> bool:
    """Whether `line` fits in `width` cells as it is: one line, no tab, no link (which
    Textual styles), every span a style (not a name to look up)."""
    text = line.plain
    return (
        0 < line.cell_length <= width
        and "\n" not in text
        and "\t" not in text
        and not any(_may_link(span.style) for span in line.spans)
    )


def plain_strip(line: Content, style: Style, y: int) -> Strip:
    """`line`, a plain one (`is_plain`), as Textual renders line `y` of a widget's text in
    `style` (`Visual.to_strips`), built straight from its spans: some 20 µs against
    Textual's 300 µs, which wraps, aligns and looks up styles for any text."""
    segments = []
    x = 0
    for text, text_style in line.render(style, end=""):
        key = (style, text_style, x, y)
        rich_style = _PLACED_STYLES.get(key)
        if rich_style is None:
            if len(_PLACED_STYLES) > 4096:
                _PLACED_STYLES.clear()
            rich_style = _PLACED_STYLES[key] = (style + text_style).rich_style_with_offset(x, y)
        segments.append(Segment(text, rich_style))
        x += len(text)
    return Strip(segments, line.cell_length)


#: The Rich style of a span placed at a column and line: a panel's columns keep their
#: places from step to step, and a Rich style costs some 5 µs to make.
_PLACED_STYLES: dict[tuple[Style, Style, int, int], RichStyle] = {}


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
