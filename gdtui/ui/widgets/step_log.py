"""The step log: the last steps as rows, newest at the bottom, the step on screen marked."""

from __future__ import annotations

from textual.content import Content

from gdtui.engine.session import Session
from gdtui.engine.snapshot import Snapshot
from gdtui.ui.format import (
    LogRow,
    align,
    log_cells,
    log_data,
    log_digits,
    log_header,
    log_widths,
    shows_components,
)
from gdtui.ui.widgets.text_lines import TextLines, styled


class StepLog(TextLines):
    """`step  w  b  dw  db  cost  alpha  move`, one row a step, up to the step on screen.

    Rows are cached by step, so a new step formats one row; `forget()` drops the cache when
    the recorded run changes (a new alpha, a restart). Each value has the digits it takes to
    differ from the row above when it differs, and a column is written at the most digits
    any of its rows needs; a column widens when its digits need room.

    A step shifts the rows up by one: each row's text is rendered once (`TextLines`), and
    only the rows Textual repaints are placed anew.
    """

    COMPONENT_CLASSES = {"step-log--header", "step-log--current"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[tuple[int, int], LogRow] = {}
        self._header = ""
        self._shown: list[str] = []
        self._tail: Snapshot | None = None
        """The last step formatted: the row above the next step's."""

    def forget(self) -> None:
        """Forget the cached rows: the recorded run has changed."""
        self._rows.clear()
        self._tail = None

    def show(self, session: Session, component: int = 0, hide_next: bool = False) -> None:
        """Show the steps that fit, ending at the cursor's step.

        Args:
            session: The run.
            component: The component of a vector `w` shown.
            hide_next: Write `?` for where the next update goes (predict mode asks it).
        """
        layout = session.layout
        vector = shows_components(layout)
        j = component if vector else 0
        header = log_header(layout.has_b, j if vector else None)
        height = max(self.size.height - 1, 1) if self.size.height else 8
        current = session.current.step
        first = max(session.first, current - height + 1)
        missing = [k for k in range(first, current + 1) if (k, j) not in self._rows]
        if missing:
            # Each row's digits depend on the row above. One step forward has that row's
            # snapshot at hand; anything else replays from the step before.
            tail = self._tail
            previous = tail if tail is not None and tail.step == missing[0] - 1 else None
            start = missing[0] if previous is not None else max(missing[0] - 1, session.first)
            for snapshot in session.snapshots(start, missing[-1] + 1):
                if snapshot.step >= missing[0]:
                    self._rows[snapshot.step, j] = log_data(snapshot, j, previous)
                previous = snapshot
            self._tail = previous
        if len(self._rows) > 4096:
            keep = {(k, j) for k in range(first, current + 1)}
            self._rows = {key: row for key, row in self._rows.items() if key in keep}
        data = [self._rows[k, j] for k in range(first, current + 1)]
        more = log_digits(data)  # one precision per column
        rows = [log_cells(row, more, layout.has_b) for row in data]
        if hide_next:  # the move column is the last
            rows[-1][-1] = "?"
        widths = log_widths([header, *rows], layout.has_b)
        self._header = align(header, layout.has_b, widths)
        self._shown = [align(row, layout.has_b, widths) for row in rows]
        self.set_lines(self._styled())

    @property
    def text(self) -> str:
        """The log as plain text (for tests)."""
        return "\n".join([self._header, *self._shown])

    def restyled(self) -> list[Content]:
        """The header and the current row take the styles as they are now."""
        return self._styled()

    def _styled(self) -> list[Content]:
        """The header, then the rows; the last (the step on screen) stands out."""
        header = self.get_visual_style("step-log--header", partial=True)
        current = self.get_visual_style("step-log--current", partial=True)
        lines = [styled(self._header, header)]
        for i, row in enumerate(self._shown):
            last = i == len(self._shown) - 1
            lines.append(styled(row + " ◀" if last else row, current if last else ""))
        return lines
