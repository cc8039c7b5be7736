"""The scenario's teaching notes, beside the run."""

from __future__ import annotations

import re
import textwrap

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.widgets import Static

#: A line that starts a list item: `- `, `* `, `1. ` or `1) `, after any indentation.
LIST_ITEM = re.compile(r"^(\s*)([-*]|\d+[.)])\s+")

#: A minus between two terms (`w - 3`), which must not start a wrapped line.
BINARY_MINUS = re.compile(r"(?<=\S) - (?=\S)")


def reflow(text: str, width: int | None = None) -> str:
    """The notes as a reader wants them, whatever line breaks the TOML file has.

    A paragraph (lines between blank lines) becomes one line, wrapped to `width`; a list
    item (a line starting with `-`, `*` or a number) starts a line of its own, and the lines
    after it that are indented join it, wrapped under its text; any other indented line
    is kept as it is, indentation and all. A wrapped line never starts with the minus of
    `w - 3`, where it would read as a list item.

    Args:
        text: The notes as written.
        width: Wrap to this many columns; None leaves wrapping to the screen.

    Returns:
        The notes, one line per paragraph or item (or wrapped to `width`).
    """
    blocks: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        # Each entry: (the first line's prefix, the later lines' prefix, the words).
        units: list[tuple[str, str, str]] = []
        for line in block.splitlines():
            item = LIST_ITEM.match(line)
            indented = line[:1] in (" ", "\t")
            last = units[-1] if units and units[-1][2] else None  # a paragraph or an item
            if item:
                units.append((item.group(0), " " * len(item.group(0)), line[item.end() :]))
            elif last is not None and indented == bool(last[0]):
                # An indented line goes on with an item; a flush one with a paragraph.
                units[-1] = (last[0], last[1], f"{last[2]} {line.strip()}")
            elif indented:
                units.append((line, "", ""))  # kept as written
            else:
                units.append(("", "", line.strip()))
        lines = []
        for first, later, words in units:
            if not words:
                lines.append(first.rstrip())
            elif width is None:
                lines.append(first + " ".join(words.split()))
            else:
                # A non-breaking space holds `w - 3` together (textwrap breaks only at ASCII
                # whitespace), then goes back to a plain one.
                held = BINARY_MINUS.sub("\u00a0-\u00a0", words)
                wrapped = textwrap.wrap(
                    held,
                    max(width, len(first) + 8),
                    initial_indent=first,
                    subsequent_indent=later,
                    break_on_hyphens=False,
                )
                lines.extend(line.replace("\u00a0", " ") for line in wrapped)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class Notes(VerticalScroll, can_focus=True):
    """The notes, reflowed to the panel's width (no markup is interpreted)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source = ""

    def compose(self) -> ComposeResult:
        yield Static(id="notes-caption", markup=False)
        yield Static(id="notes-text", markup=False)

    def caption(self, text: str) -> None:
        """Show the step's caption above the notes (none: nothing)."""
        caption = self.query_one("#notes-caption", Static)
        caption.update(text)
        caption.display = bool(text)

    @property
    def caption_text(self) -> str:
        """The caption as shown ("" for none)."""
        caption = self.query_one("#notes-caption", Static)
        return str(caption.content) if caption.display else ""

    def show(self, text: str) -> None:
        """Show `text`, or a line saying there are none."""
        self._source = text.strip() or "This scenario has no notes."
        self._wrap()
        self.scroll_home(animate=False)

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        text = reflow(self._source, width if width > 0 else None)
        self.query_one("#notes-text", Static).update(text)

    def on_resize(self, event: Resize) -> None:
        self._wrap()

    @property
    def text(self) -> str:
        """The notes as shown."""
        return str(self.query_one("#notes-text", Static).content)
