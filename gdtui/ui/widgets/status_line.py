"""The status line: which lesson, which rule, which alpha, which step, and how the run stands."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.geometry import Size
from textual.style import Style

from gdtui.ui.format import alpha_text, grouped
from gdtui.ui.widgets.text_lines import TextLines, assembled, styled

SEPARATOR = " │ "

#: The name is shortened down to this many characters before the state takes a second line.
SHORTEST_NAME = 20

#: ... and down to this many to keep a state's short form on the first line.
SHORTEST_NAME_BESIDE_SHORT = 8


@dataclass(frozen=True)
class Status:
    """What the status line shows.

    Attributes:
        name: The scenario's name.
        optimizer: The optimizer's kind.
        alpha: The learning rate of the next update.
        step: The step on screen.
        tone: How the run stands, for the style: `paused`, `running`, `converged`,
            `diverged`, `breakpoint` or `max_steps`.
        state: How the run stands, in words.
        alpha_changed: Whether alpha differs from the scenario's (it is then underlined).
        classroom: In a classroom, this screen's part in it (`following the teacher`,
            `teacher · 12 students, 10 following`), shown first; else empty.
        predict: In predict mode, the score (`predict · 3 of 4 right`); else empty.
        short: The state in fewer words, shown instead of `state` where that would take a
            second line and this fits on the first (empty: none). A continue's progress
            has one, so that the line keeps its height when the continue stops.
    """

    name: str = ""
    optimizer: str = ""
    alpha: float = 0.0
    step: int = 0
    tone: str = "paused"
    state: str = ""
    alpha_changed: bool = False
    classroom: str = ""
    predict: str = ""
    short: str = ""


class StatusLine(TextLines):
    """`NAME │ gd │ alpha 0.10 │ step 12 │ paused`, the state styled by its tone.

    On a narrow screen a long state takes a second line.

    A step changes the step (and often the state): the line is drawn as `TextLines` draws
    a line, from its spans, rather than by Textual's whole path for a widget's text
    (~1 ms for this one row at 200 columns on a loaded machine).
    """

    COMPONENT_CLASSES = {
        "status-line--name",
        "status-line--step",
        "status-line--changed",
        "status-line--paused",
        "status-line--running",
        "status-line--converged",
        "status-line--diverged",
        "status-line--breakpoint",
        "status-line--max_steps",
        "status-line--classroom",
        "status-line--predict",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = Status()

    def show(self, status: Status) -> None:
        """Show `status` (redrawn only if something changed, laid out only if its height did)."""
        if status != self.status:
            self.status = status
            lines = self._status_lines()
            self.set_lines(lines, layout=len(lines) != self.line_count)

    @property
    def text(self) -> str:
        """The line as plain text, as it fits this width (for tests)."""
        return "\n".join(line.plain for line in self._status_lines())

    def restyled(self) -> list[Content]:
        """The lines again, fit to the width and in the styles as they are now."""
        return self._status_lines()

    def _fit(self, s: Status, width: int | None = None) -> tuple[int, str, str]:
        """How many lines `s` takes at `width` (by default this width), the name as it
        fits, and the state as shown (its short form where only that fits on one line)."""
        width = width or self.size.width or 1000
        head = len(SEPARATOR) * 3 + len(s.optimizer) + len(f"alpha {alpha_text(s.alpha)}")
        head += len(f"step {grouped(s.step)}")
        if s.classroom:
            head += len(s.classroom) + len(SEPARATOR)
        if s.predict:
            head += len(s.predict) + len(SEPARATOR)

        def fits(state: str, shortest_name: int) -> bool:
            return min(len(s.name), shortest_name) + head + len(SEPARATOR) + len(state) <= width

        state = s.state
        one_line = fits(state, SHORTEST_NAME)
        if not one_line and s.short and fits(s.short, SHORTEST_NAME_BESIDE_SHORT):
            state, one_line = s.short, True
        room = width - head - (len(SEPARATOR) + len(state) if one_line else 0)
        name = s.name if len(s.name) <= room else s.name[: max(room - 1, 1)] + "…"
        return (1 if one_line else 2), name, state

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line, or two when the state does not fit beside the rest at `width` (which
        Textual asks about before this widget takes that width)."""
        return self._fit(self.status, width)[0]

    def _status_lines(self) -> list[Content]:
        """One line when it fits (with the state's short form, if only that fits); else the
        state goes to a second line, never cut.

        The scenario's name is what gives way: it is shortened to fit the first line.
        """
        s = self.status
        style = self.get_visual_style
        lines, name, state = self._fit(s)
        classroom: list[str | tuple[str, str | Style]] = []
        if s.classroom:
            classroom = [(s.classroom, style("status-line--classroom", partial=True)), SEPARATOR]
        if s.predict:
            classroom += [(s.predict, style("status-line--predict", partial=True)), SEPARATOR]
        first = assembled(
            *classroom,
            (name, style("status-line--name", partial=True)),
            SEPARATOR,
            s.optimizer,
            SEPARATOR,
            (f"alpha {alpha_text(s.alpha)}",
             style("status-line--changed", partial=True) if s.alpha_changed else ""),
            SEPARATOR,
            (f"step {grouped(s.step)}", style("status-line--step", partial=True)),
        )  # fmt: skip
        state_line = styled(state, style(f"status-line--{s.tone}", partial=True))
        if lines == 1:
            return [assembled(first, SEPARATOR, state_line)]
        return [first, state_line]
