"""The state panel: w, b, their slopes dw and db, and the cost J(w,b) at the step on screen."""

from __future__ import annotations

import math

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region

from gdtui.engine.snapshot import Snapshot
from gdtui.ui.format import (
    ARROWS,
    cost_arrow,
    cost_change,
    cost_name,
    number,
    pair,
    shows_components,
)
from gdtui.ui.widgets.text_lines import TextLines, assembled, styled

#: Widths of the panel's columns: name, value, gap, slope name, slope.
NAME, VALUE, GAP, SLOPE_NAME, SLOPE = 7, 10, 1, 8, 10


class StatePanel(Vertical):
    """The values at this step, those that changed on the last step highlighted.

        w          0.260  dw        -5.480
        J(w)       7.508  change    -4.160 ▼
        ▼ J went down on the last step

    A vector `w` gets one row per component, the selected one marked with `▶`; the rows
    scroll when there are many, and the norms of `w` and `dw` sit above them.
    """

    COMPONENT_CLASSES = {"state-panel--changed", "state-panel--selected"}

    def compose(self) -> ComposeResult:
        yield TextLines(id="state-summary")
        with VerticalScroll(id="state-components"):
            yield TextLines(id="state-rows")

    def on_mount(self) -> None:
        self.query_one("#state-components").display = False
        self._change_below = False
        """Whether the last change shown took a row of its own (below a long cost)."""

    @property
    def text(self) -> str:
        """The panel as plain text (for tests)."""
        parts = []
        for name in ("#state-summary", "#state-rows"):
            lines = self.query_one(name, TextLines)
            if lines.display and lines.parent is not None and lines.parent.display:
                parts.append(lines.text)
        return "\n".join(p for p in parts if p)

    def _value(
        self,
        value: float,
        width: int,
        changed: bool,
        signed: bool = False,
        old: float | None = None,
    ) -> Content:
        # Against the last step's value, with the digits it takes to show that it changed.
        text = (number(value, signed) if old is None else pair(old, value, signed)[1]).rjust(width)
        if not changed:
            return styled(text)
        return styled(text, self.get_visual_style("state-panel--changed", partial=True))

    def _row(
        self,
        name: str,
        value: float,
        slope_name: str,
        slope: float,
        changed: tuple[bool, bool],
        slope_name_width: int = SLOPE_NAME,
        signed: bool = True,
        old: tuple[float, float] | None = None,
    ) -> Content:
        return assembled(
            name.ljust(NAME),
            self._value(value, VALUE, changed[0], old=None if old is None else old[0]),
            " " * GAP,
            slope_name.ljust(slope_name_width),
            self._value(slope, SLOPE, changed[1], signed, None if old is None else old[1]),
        )

    def show(
        self,
        snapshot: Snapshot,
        previous: Snapshot | None,
        component: int = 0,
        hide_next: bool = False,
        running: bool = False,
    ) -> None:
        """Show `snapshot`; values that differ from `previous` (the step before) stand out.

        Args:
            snapshot: The step on screen.
            previous: The step before it, if any.
            component: The selected parameter.
            hide_next: Write `?` for where the next update sends each component (predict).
            running: A run goes on: `previous` is None for that, not for want of a step.
        """
        layout = snapshot.layout
        theta, grad = snapshot.theta, snapshot.grad
        old_theta = previous.theta if previous is not None else theta
        old_grad = previous.grad if previous is not None else grad
        moved = theta != old_theta
        turned = grad != old_grad
        lines: list[Content] = []
        vector = shows_components(layout)
        if vector:
            n = layout.n_w
            with np.errstate(all="ignore"):
                w_norm, dw_norm = float(np.linalg.norm(theta[:n])), float(np.linalg.norm(grad[:n]))
            lines.append(
                self._row("norm(w)", w_norm, "norm(dw)", dw_norm,
                          (bool(moved[:n].any()), bool(turned[:n].any())), signed=False)
            )  # fmt: skip
        else:
            lines.append(self._row("w", float(theta[0]), "dw", float(grad[0]),
                                   (bool(moved[0]), bool(turned[0])),
                                   old=(float(old_theta[0]), float(old_grad[0]))))  # fmt: skip
        if layout.has_b:
            # j/k select b after the w components: the plot then shows J along b.
            b_selected = component == layout.n_w
            row = self._row("▶b" if b_selected else "b", float(theta[-1]), "db",
                            float(grad[-1]), (bool(moved[-1]), bool(turned[-1])),
                            old=(float(old_theta[-1]), float(old_grad[-1])))  # fmt: skip
            selected = self.get_visual_style("state-panel--selected", partial=True)
            lines.append(row.stylize(selected) if b_selected else row)
        change = None if previous is None else snapshot.cost - previous.cost
        cost_changed = change is not None and change != 0 and not math.isnan(change)
        cost = assembled(
            cost_name(layout.has_b).ljust(NAME),
            self._value(snapshot.cost, VALUE, cost_changed,
                        old=None if previous is None else previous.cost),
        )  # fmt: skip
        if change is None:
            lines.append(cost)
            if self._change_below:  # keep its row: a continue shows no change, then does
                lines.append(styled(""))
        else:
            change_cells = assembled(
                "change".ljust(SLOPE_NAME),
                number(change, signed=True).rjust(SLOPE),
                f" {cost_arrow(change)}",
            )
            row = assembled(cost, " " * GAP, change_cells)
            # A cost with the digits to show a tiny change leaves no room beside it: the
            # change goes below, lined up with the slopes.
            self._change_below = bool(self.size.width) and row.cell_length > self.size.width
            if self._change_below:
                lines += [cost, assembled(" " * (NAME + VALUE + GAP), change_cells)]
            else:
                lines.append(row)
        # The optimizer that made the last step is the previous step's.
        kind = (previous or snapshot).optimizer.kind
        lines.append(styled(cost_change(change, kind, snapshot.step, running)))
        summary = self.query_one("#state-summary", TextLines)
        summary.set_lines(lines, layout=len(lines) != summary.line_count)
        scroll = self.query_one("#state-components", VerticalScroll)
        scroll.display = vector
        if vector:
            self._show_components(snapshot, moved, turned, component, (old_theta, old_grad),
                                  hide_next)  # fmt: skip

    def _show_components(
        self,
        snapshot: Snapshot,
        moved: np.ndarray,
        turned: np.ndarray,
        component: int,
        old: tuple[np.ndarray, np.ndarray],
        hide_next: bool = False,
    ) -> None:
        theta, grad = snapshot.theta, snapshot.grad
        moves = snapshot.move["w"]
        selected = self.get_visual_style("state-panel--selected", partial=True)
        rows = []
        for j in range(snapshot.layout.n_w):
            mark = "▶" if j == component else " "
            row = self._row(f"{mark}w[{j}]", float(theta[j]), f"dw[{j}]", float(grad[j]),
                            (bool(moved[j]), bool(turned[j])), SLOPE_NAME - 2,
                            old=(float(old[0][j]), float(old[1][j])))  # fmt: skip
            row = assembled(row, " ?" if hide_next else f" {ARROWS[moves[j]]}")
            rows.append(row.stylize(selected) if j == component else row)
        # One row a component, each cut to the panel's width: the height changes only with n.
        state_rows = self.query_one("#state-rows", TextLines)
        state_rows.set_lines(rows, layout=len(rows) != state_rows.line_count)
        scroll = self.query_one("#state-components", VerticalScroll)
        scroll.scroll_to_region(Region(0, component, 1, 1), animate=False, immediate=True)
